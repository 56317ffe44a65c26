import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Command, Option } from 'commander';
import { TARGETS, writerFor, type Target } from '../convert/index.js';
import type { Slo } from '../model/slo.js';
import { maintenanceDocs, onlyWindows, windowsAcrossFiles } from '../convert/native-maintenance.js';
import { byId } from '../convert/to-native.js';
import { yamlDocs } from '../convert/yaml-docs.js';
import { loadOrReport } from './load-or-report.js';

const MAINTENANCE_FILE = 'maintenance.yaml';

interface ConvertOptions {
  to: Target;
  out?: string;
  strict: boolean;
  defaultSloPeriod: number;
}

/** One output per input file, named after it; SLO-less inputs (shared configs, Maintenance) give none. */
function byInputFile(slos: readonly Slo[]): Map<string, Slo[]> {
  const out = new Map<string, Slo[]>();
  for (const slo of slos) out.set(slo.source.file, [...(out.get(slo.source.file) ?? []), slo]);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function registerConvert(program: Command, periodOption: Option): void {
  program
    .command('convert')
    .description('write the same SLOs in another format (native, openslo or sloth); what the target cannot hold is listed on stderr')
    .argument('<paths...>', 'files or folders of SLO YAML, in any format the loader reads')
    .addOption(new Option('--to <format>', 'target format').choices(TARGETS).makeOptionMandatory())
    .option('--out <dir>', 'write one file per input file into this folder (default: everything to stdout)')
    .option('--strict', 'exit 1 when anything could not be converted', false)
    .addOption(periodOption)
    .action((paths: string[], opts: ConvertOptions) => {
      const slos = loadOrReport(paths, { slothPeriod: opts.defaultSloPeriod });
      if (!slos) {
        process.exitCode = 1;
        return;
      }
      const write = writerFor(opts.to);
      const unsupported: string[] = [];
      if (opts.out) {
        const groups = byInputFile(slos);
        const names = new Map<string, string>();
        for (const file of groups.keys()) {
          const name = `${basename(file, extname(file))}.yaml`;
          const clash = names.get(name);
          if (clash) throw new Error(`${file} and ${clash} would both be written to ${join(opts.out, name)}; convert them in two runs, or rename one`);
          names.set(name, file);
        }
        // A Maintenance window of SLOs from several files goes to a file of its own, not into each of theirs.
        const apart = opts.to === 'native' ? windowsAcrossFiles(slos) : new Set<string>();
        if (apart.size && names.has(MAINTENANCE_FILE)) {
          throw new Error(`${names.get(MAINTENANCE_FILE)} would be written to ${join(opts.out, MAINTENANCE_FILE)}, where the Maintenance documents of SLOs from several files go; rename it, or convert without --out`);
        }
        mkdirSync(opts.out, { recursive: true });
        for (const [name, file] of names) {
          const r = write(groups.get(file)!.map((s) => onlyWindows(s, (k) => !apart.has(k))), slos);
          writeFileSync(join(opts.out, name), r.yaml);
          unsupported.push(...r.unsupported);
        }
        if (apart.size) {
          const docs = maintenanceDocs([...slos].sort(byId).map((s) => onlyWindows(s, (k) => apart.has(k))));
          writeFileSync(join(opts.out, MAINTENANCE_FILE), yamlDocs('Converted by slo-engine (slo convert --to native).', docs.map((value) => ({ comment: 'planned maintenance of SLOs from several files', value }))));
        }
        const files = names.size + (apart.size ? 1 : 0);
        console.error(`${slos.length} SLO${slos.length === 1 ? '' : 's'} written as ${opts.to} to ${files} file${files === 1 ? '' : 's'} in ${opts.out}/.`);
      } else {
        const r = write(slos);
        process.stdout.write(r.yaml);
        unsupported.push(...r.unsupported);
      }
      for (const u of unsupported) console.error(`unsupported: ${u}`);
      if (unsupported.length) {
        console.error(`${unsupported.length} feature${unsupported.length === 1 ? '' : 's'} could not be written as ${opts.to}${opts.strict ? ' (--strict)' : ''}.`);
        if (opts.strict) process.exitCode = 1;
      }
    });
}
