import { Command, InvalidArgumentError, Option } from 'commander';
import { formatJson, formatMarkdown, formatText } from '../report/format.js';
import { reportFromEngine } from '../report/from-engine.js';
import { reportFromPrometheus } from '../report/from-prometheus.js';
import { parseInstant } from '../model/duration.js';
import { loadOrReport } from './load-or-report.js';
import { urlOption } from './options.js';

interface ReportOptions {
  engineUrl?: string;
  prometheusUrl?: string;
  format: 'text' | 'json' | 'markdown';
  time?: number;
  defaultSloPeriod: number;
}

function timeOption(value: string): number {
  const ms = parseInstant(value);
  if (ms === undefined) throw new InvalidArgumentError(`${JSON.stringify(value)} is neither Unix seconds nor an RFC 3339 date with Z or an offset (e.g. 2026-11-21T08:00:00Z).`);
  return ms;
}

export function registerReport(program: Command, periodOption: Option): void {
  program
    .command('report')
    .description('print the SLO table for reviews (status, budget left, burn rates, time to exhaustion) from a running engine or a Prometheus-compatible API')
    .argument('[paths...]', 'SLO YAML, needed with --prometheus-url to know which SLOs to read', ['slos'])
    .addOption(new Option('--engine-url <url>', 'a running `slo serve`').argParser(urlOption))
    .addOption(new Option('--prometheus-url <url>', 'Prometheus, Thanos, Mimir or VictoriaMetrics running the generated rules').argParser(urlOption))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(new Option('--time <time>', 'evaluate at this time (Unix seconds or RFC 3339) instead of now').argParser(timeOption))
    .addOption(periodOption)
    .action(async (paths: string[], opts: ReportOptions) => {
      if (Boolean(opts.engineUrl) === Boolean(opts.prometheusUrl)) {
        throw new Error('give exactly one of --engine-url (a running slo serve) and --prometheus-url (a query API running the generated rules)');
      }
      let report;
      if (opts.engineUrl) report = await reportFromEngine(opts.engineUrl, opts.time);
      else {
        const slos = loadOrReport(paths, { slothPeriod: opts.defaultSloPeriod });
        if (!slos) {
          process.exitCode = 1;
          return;
        }
        report = await reportFromPrometheus(opts.prometheusUrl!, slos, opts.time);
      }
      process.stdout.write(opts.format === 'json' ? formatJson(report) : opts.format === 'markdown' ? formatMarkdown(report) : formatText(report));
    });
}
