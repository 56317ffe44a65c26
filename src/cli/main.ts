import { Command, Option } from 'commander';
import { CATALOG } from '../catalog/index.js';
import { DEFAULT_SLO_WINDOW } from '../model/constants.js';
import { formatDuration } from '../model/duration.js';
import { DEFAULT_GRAFANA_DASHBOARDS_PATH } from '../dashboards/index.js';
import { DEFAULT_RENDER_OPTIONS } from '../rules/index.js';
import { loadOrReport } from './load-or-report.js';
import { startRenderer } from './parallel-render.js';
import { durationOption, labelOption, urlOption } from './options.js';
import { VERSION } from './version.js';
import { OutputStaging, OutputWriteError } from './output-staging.js';
import { diffOutputs } from './diff-outputs.js';
import type { OutputSet } from './generated-files.js';
import type { RenderedOutputs } from './render-outputs.js';

interface GenerateOptions {
  rulesDir: string;
  dashboardsDir: string;
  grafanaDashboardsPath: string;
  prometheusRule: boolean;
  check: boolean;
  grafanaUrl: string;
  extraLabels: Record<string, string>;
  defaultSloPeriod: number;
}

// `slo catalog | head` closes the pipe early; that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command('slo')
  .description('SLOs for Kubernetes platforms: YAML in, Prometheus rules and dashboards out.')
  .version(VERSION)
  .showHelpAfterError();

const periodOption = new Option('--default-slo-period <duration>', 'SLO window for Sloth specs, which carry none (Sloth\'s flag)')
  .argParser(durationOption)
  .default(DEFAULT_SLO_WINDOW, formatDuration(DEFAULT_SLO_WINDOW));

program
  .command('validate')
  .description('check SLO files: every problem with file, line, field and a fix; exit 1 on any error')
  .argument('[paths...]', 'files or folders of SLO YAML', ['slos'])
  .addOption(periodOption)
  .action((paths: string[], opts: { defaultSloPeriod: number }) => {
    const slos = loadOrReport(paths, { slothPeriod: opts.defaultSloPeriod });
    if (!slos) process.exitCode = 1;
    else console.log(`${slos.length} SLO${slos.length === 1 ? '' : 's'} valid.`);
  });

program
  .command('generate')
  .description('write Prometheus rules, their promtool tests and Grafana dashboards for every SLO')
  .argument('[paths...]', 'files or folders of SLO YAML', ['slos'])
  .option('--rules-dir <dir>', 'where rule files and promtool tests go', 'alert-rules')
  .option('--dashboards-dir <dir>', 'where Grafana dashboards and their provisioning file go', 'dashboards')
  .option('--grafana-dashboards-path <path>', 'where Grafana sees the dashboards folder, for the provisioning file', DEFAULT_GRAFANA_DASHBOARDS_PATH)
  .option('--prometheus-rule', 'also write prometheus-operator PrometheusRule manifests', false)
  .option('--check', 'write nothing; exit 1 when the committed outputs differ from what would be generated', false)
  .addOption(new Option('--grafana-url <url>', 'Grafana base URL for the dashboard links in alerts').argParser(urlOption).default(DEFAULT_RENDER_OPTIONS.grafanaUrl))
  .option('-l, --extra-labels <name=value>', 'label added to every series and alert (repeatable)', labelOption, {})
  .addOption(periodOption)
  .action(async (paths: string[], opts: GenerateOptions) => {
    const renderer = startRenderer();
    const slos = loadOrReport(paths, { slothPeriod: opts.defaultSloPeriod });
    if (!slos) {
      renderer.cancel();
      process.exitCode = 1;
      return;
    }
    const input = {
      slos,
      rules: { grafanaUrl: opts.grafanaUrl, extraLabels: opts.extraLabels, prometheusRule: opts.prometheusRule, version: VERSION },
      dashboards: { grafanaPath: opts.grafanaDashboardsPath },
    };
    const dirs = { rules: opts.rulesDir, dashboards: opts.dashboardsDir };
    const setsOf = (out: RenderedOutputs): OutputSet[] => [
      { dir: dirs.rules, files: out.rules },
      { dir: dirs.dashboards, files: out.dashboards },
    ];
    if (opts.check) {
      const sets = setsOf(await renderer.render(input));
      const d = diffOutputs(sets);
      const all = [...d.stale.map((f) => `stale:   ${f}`), ...d.missing.map((f) => `missing: ${f}`), ...d.extra.map((f) => `extra:   ${f}`)];
      if (all.length) {
        console.error(`${all.join('\n')}\nGenerated outputs are out of date: run \`slo generate\` and commit the result.`);
        process.exitCode = 1;
      } else console.log(`${sets.reduce((n, set) => n + set.files.size, 0)} generated files are up to date.`);
      return;
    }
    // Files are written while the rest renders; none is renamed into place before all are written.
    const staging = new OutputStaging([dirs.rules, dirs.dashboards]);
    let sets: OutputSet[];
    let r: { written: number; removed: number };
    try {
      sets = setsOf(await renderer.render(input, (kind, files) => staging.offer(dirs[kind], files)));
      r = await staging.commit(sets);
    } catch (e) {
      await staging.abort();
      if (!(e instanceof OutputWriteError)) throw e;
      console.error(`slo generate: ${e.message}. Nothing was changed: every output is as it was before this run. Fix that (free space, permissions) and run it again.`);
      process.exitCode = 1;
      return;
    }
    console.log(`${slos.length} SLOs: ${sets.map((set) => `${set.files.size} files in ${set.dir}/`).join(', ')} (${r.written} changed, ${r.removed} removed).`);
  });

program
  .command('catalog')
  .description('list the platform SLIs that specs can reference by name, with their parameters')
  .action(() => {
    for (const e of CATALOG.values()) {
      console.log(`${e.name}\n  ${e.summary}`);
      for (const [k, v] of Object.entries(e.params)) console.log(`    ${k}: ${v}`);
    }
  });

// The other commands pull in the engine, server and converters: hundreds of modules that tsx
// would transpile and load before `generate` could start. They are only registered (same order,
// same help) when the command line may need them: anything but one of the commands above.
const LOCAL_COMMANDS = new Set(['validate', 'generate', 'catalog']);
const firstArg = process.argv.slice(2).find((a) => !a.startsWith('-'));
// `--version` first prints the version and exits before commander looks at any command.
const versionOnly = process.argv[2] === '--version' || process.argv[2] === '-V';
if (!versionOnly && !(firstArg !== undefined && LOCAL_COMMANDS.has(firstArg) && process.argv[2] === firstArg)) {
  const [{ registerServe }, { registerSimulate }, { registerReport }, { registerConvert }] = await Promise.all([
    import('./serve-command.js'),
    import('./simulate-command.js'),
    import('./report-command.js'),
    import('./convert-command.js'),
  ]);
  registerServe(program, periodOption);
  registerSimulate(program);
  registerReport(program, periodOption);
  registerConvert(program, periodOption);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(`slo: ${(e as Error).message}`);
  process.exitCode = 2;
}
