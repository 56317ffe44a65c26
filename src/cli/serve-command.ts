import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_RENDER_OPTIONS } from '../rules/index.js';
import { DEFAULT_SERVER_LIMITS } from '../server/limits.js';
import { startService, type EngineService } from '../service/service.js';
import { startSimulation, type Simulation } from './simulate-command.js';
import { durationOption, labelOption, urlOption } from './options.js';
import { VERSION } from './version.js';
import { DEFAULT_MAX_SERIES_PER_SLO } from '../engine/series-guard.js';
import { DEFAULT_MAX_SLOS } from '../service/load.js';

export interface ServeOptions {
  listen: { host: string; port: number };
  dataDir: string;
  prometheusUrl?: string;
  alertmanagerUrl: string[];
  evalInterval: number;
  resendDelay: number;
  silenceLookahead: number;
  silences: boolean;
  grafanaUrl: string;
  extraLabels: Record<string, string>;
  defaultSloPeriod: number;
  maxBodyBytes: number;
  maxDecodedBytes: number;
  maxSeriesPerRequest: number;
  maxLabelsPerSeries: number;
  maxLabelLength: number;
  maxPendingSamples: number;
  maxSlos: number;
  maxSeriesPerSlo: number;
  watch: boolean;
  simulate: boolean;
  ingestTokenFile?: string;
  readTokenFile?: string;
  adminTokenFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tenancy: boolean;
  tenantLabel: string;
}

const MINUTE = 60_000;

/**
 * The demo platform `--simulate` feeds the engine with: an hour of history first, then live
 * steps, with an incident that began 18 minutes ago (80% of pods slow to start), so that the
 * pod-startup SLO's page tier (no `for`) fires at the first evaluation; then another incident,
 * on another SLI, every 75 minutes.
 */
function startDemo(url: string): Promise<Simulation> {
  return startSimulation({
    remoteWrite: `${url}/api/v1/write`,
    historyMs: 60 * MINUTE,
    incidents: { everyMs: 75 * MINUTE, durationMs: 20 * MINUTE, firstAfterMs: 42 * MINUTE, level: 0.8, firstFault: 'podStartSlow' },
    log: (line) => console.error(line),
  });
}

export function listenOption(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`${JSON.stringify(value)} is not HOST:PORT; write e.g. 127.0.0.1:9099 or :9099 for every interface.`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a positive whole number.`);
  return n;
}

function tlsFiles(opts: ServeOptions): { certFile: string; keyFile: string } | undefined {
  if (opts.tlsCertFile === undefined && opts.tlsKeyFile === undefined) return undefined;
  if (opts.tlsCertFile === undefined || opts.tlsKeyFile === undefined) throw new InvalidArgumentError(`--tls-cert-file and --tls-key-file go together: give both (PEM files) to serve HTTPS, or neither for plain HTTP.`);
  return { certFile: opts.tlsCertFile, keyFile: opts.tlsKeyFile };
}

function repeatUrl(value: string, previous: string[] = []): string[] {
  return [...previous, urlOption(value)];
}

/** Starts the engine and keeps it running until SIGINT/SIGTERM; SIGHUP reloads the SLOs. */
export async function serve(paths: string[], opts: ServeOptions & { defaultSloPeriod: number }): Promise<EngineService> {
  const service = await startService({
    sloPaths: paths,
    host: opts.listen.host,
    port: opts.listen.port,
    dataDir: opts.dataDir,
    render: { grafanaUrl: opts.grafanaUrl, extraLabels: opts.extraLabels },
    version: VERSION,
    slothPeriod: opts.defaultSloPeriod,
    prometheusUrl: opts.prometheusUrl,
    alertmanagerUrls: opts.alertmanagerUrl,
    evalIntervalMs: opts.evalInterval,
    resendDelayMs: opts.resendDelay,
    silenceLookaheadMs: opts.silenceLookahead,
    silences: opts.silences,
    limits: { maxBodyBytes: opts.maxBodyBytes, maxDecodedBytes: opts.maxDecodedBytes, maxSeriesPerRequest: opts.maxSeriesPerRequest, maxLabelsPerSeries: opts.maxLabelsPerSeries, maxLabelLength: opts.maxLabelLength },
    maxPendingSamples: opts.maxPendingSamples,
    maxSlos: opts.maxSlos,
    maxSeriesPerSlo: opts.maxSeriesPerSlo,
    watch: opts.watch,
    tokenFiles: { ingest: opts.ingestTokenFile, read: opts.readTokenFile, admin: opts.adminTokenFile },
    tls: tlsFiles(opts),
    tenantLabel: opts.tenancy ? opts.tenantLabel : undefined,
  });
  const ingestOnly = service.engine.status().filter((s) => s.source === 'ingest').length;
  console.error(
    `slo-engine ${VERSION} listening on ${service.url}: ${service.engine.slos.length} SLOs (${ingestOnly} from ingested samples), store ${service.store.file}` +
      `\n  remote-write: ${service.url}/api/v1/write   OTLP: ${service.url}/v1/metrics   metrics: ${service.url}/metrics   API: ${service.url}/api/v1/slos`,
  );
  let simulation: Simulation | undefined;
  try {
    simulation = opts.simulate ? await startDemo(service.url) : undefined;
  } catch (e) {
    await service.close();
    throw e;
  }
  const stop = (signal: string) => {
    console.error(`${signal}: flushing and stopping`);
    void (simulation?.stop() ?? Promise.resolve())
      .then(() => service.close())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => void service.reload());
  return service;
}

export function registerServe(program: Command, periodOption: Option): void {
  program
    .command('serve')
    .description('run the SLO engine: ingest remote-write and OTLP, compute SLIs and burn rates live, alert Alertmanager')
    .argument('[paths...]', 'files or folders of SLO YAML', ['slos'])
    .addOption(new Option('--listen <host:port>', 'address to listen on').argParser(listenOption).default({ host: '127.0.0.1', port: 9099 }, '127.0.0.1:9099'))
    .option('--data-dir <dir>', 'folder of the embedded store (SQLite)', 'data')
    .addOption(new Option('--prometheus-url <url>', 'Prometheus-compatible query API (Prometheus, Thanos, Mimir, VictoriaMetrics) for PromQL SLIs and history').argParser(urlOption))
    .option('--alertmanager-url <url>', 'Alertmanager to send alerts to (repeatable)', repeatUrl, [])
    .addOption(new Option('--eval-interval <duration>', 'how often alerts are evaluated').argParser(durationOption).default(15_000, '15s'))
    .addOption(new Option('--resend-delay <duration>', 'how often firing alerts are re-sent to Alertmanager').argParser(durationOption).default(60_000, '1m'))
    .addOption(new Option('--silence-lookahead <duration>', 'create Alertmanager silences for maintenance starting within this long').argParser(durationOption).default(24 * 60 * MINUTE, '24h'))
    .option('--no-silences', 'create no Alertmanager silences for maintenance windows (alerts still go to Alertmanager)')
    .addOption(new Option('--grafana-url <url>', 'Grafana base URL for the dashboard links in alerts').argParser(urlOption).default(DEFAULT_RENDER_OPTIONS.grafanaUrl))
    .option('-l, --extra-labels <name=value>', 'label added to every series and alert (repeatable)', labelOption, {})
    .addOption(new Option('--max-body-bytes <n>', 'largest compressed request body accepted').argParser(positiveInt).default(16 << 20))
    .addOption(new Option('--max-decoded-bytes <n>', 'largest request body once decompressed (snappy or gzip); 413 above, checked before allocating').argParser(positiveInt).default(DEFAULT_SERVER_LIMITS.maxDecodedBytes))
    .addOption(new Option('--max-series-per-request <n>', 'series in one remote-write or OTLP request; 413 above').argParser(positiveInt).default(DEFAULT_SERVER_LIMITS.maxSeriesPerRequest))
    .addOption(new Option('--max-labels-per-series <n>', 'labels of one series; 400 above').argParser(positiveInt).default(DEFAULT_SERVER_LIMITS.maxLabelsPerSeries))
    .addOption(new Option('--max-label-length <n>', 'characters of one label name or value; 400 above').argParser(positiveInt).default(DEFAULT_SERVER_LIMITS.maxLabelLength))
    .addOption(new Option('--max-pending-samples <n>', 'samples waiting for the store above which ingest answers 429').argParser(positiveInt).default(2_000_000))
    .addOption(new Option('--max-slos <n>', 'largest SLO set loaded; a larger one is refused at start and on reload').argParser(positiveInt).default(DEFAULT_MAX_SLOS))
    .addOption(new Option('--max-series-per-slo <n>', 'active series one SLO reads; samples of new series beyond it are dropped, counted and answered with 400').argParser(positiveInt).default(DEFAULT_MAX_SERIES_PER_SLO))
    .option('--ingest-token-file <file>', 'bearer tokens (one per line) allowed to remote-write and send OTLP; also SLO_ENGINE_INGEST_TOKEN (default: ingest is open)')
    .option('--read-token-file <file>', 'bearer tokens allowed to read /metrics and /api/v1; also SLO_ENGINE_READ_TOKEN (default: open)')
    .option('--admin-token-file <file>', 'bearer tokens allowed to POST /-/reload; also SLO_ENGINE_ADMIN_TOKEN (default: open)')
    .option('--tls-cert-file <file>', 'serve HTTPS with this PEM certificate (with --tls-key-file; re-read on reload)')
    .option('--tls-key-file <file>', 'the PEM private key of --tls-cert-file')
    .option('--tenancy', 'serve several tenants: each SLO belongs to the tenant its tenant label names, and every ingest and read request names its tenant in X-Scope-OrgID', false)
    .option('--tenant-label <name>', 'the SLO label that names its tenant (with --tenancy)', 'tenant')
    .option('--no-watch', 'do not reload when SLO files change (SIGHUP and POST /-/reload still do)')
    .option('--simulate', 'also run a simulated platform (NOT real data) that remote-writes to this engine: an hour of history, then live, with incidents', false)
    .addOption(periodOption)
    .action(async (paths: string[], opts: ServeOptions) => {
      await serve(paths, opts);
    });
}
