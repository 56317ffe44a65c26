import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Command, Option } from 'commander';
import { TARGETS, writerFor, type Target } from '../convert/index.js';
import type { Slo } from '../model/slo.js';
import { loadOrReport } from './load-or-report.js';

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
        mkdirSync(opts.out, { recursive: true });
        for (const [name, file] of names) {
          const r = write(groups.get(file)!);
          writeFileSync(join(opts.out, name), r.yaml);
          unsupported.push(...r.unsupported);
        }
        console.error(`${slos.length} SLO${slos.length === 1 ? '' : 's'} written as ${opts.to} to ${names.size} file${names.size === 1 ? '' : 's'} in ${opts.out}/.`);
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
