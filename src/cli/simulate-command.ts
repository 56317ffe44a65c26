import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatDuration } from '../model/duration.js';
import {
  checkFaults,
  createPlatform,
  DEFAULT_CLUSTERS,
  driveIncidents,
  HEALTHY,
  incidentSchedule,
  serveMetrics,
  startRemoteWriter,
  type Faults,
  type IncidentFault,
  type IncidentSchedule,
  type MetricsServer,
  type Platform,
  type RemoteWriter,
} from '../simulator/index.js';
import { durationOption, urlOption } from './options.js';

const MINUTE = 60_000;

export interface SimulationOptions {
  /** Remote-write 1.0 endpoint to push to, e.g. http://127.0.0.1:8080/api/v1/write. */
  remoteWrite?: string;
  /** Where to serve /metrics for a Prometheus to scrape: "HOST:PORT", ":PORT" or a parsed address. */
  listen?: string | ListenAddress;
  /** How often to push. Default 15 s. */
  intervalMs?: number;
  /** Same seed, same platform and incidents. Default 1. */
  seed?: number;
  /** Default eu-1 and us-1. */
  clusters?: string[];
  /** Incident schedule, or false for none. Defaults: every 10m, 4m long, the first 30s after start. */
  incidents?: false | { everyMs?: number; durationMs?: number; firstAfterMs?: number | false; level?: number; firstFault?: IncidentFault };
  /** Start the platform this long before now; the writer sends that history first (at most 1h). */
  historyMs?: number;
  /** Faults held throughout; incidents turn knobs on top of them. */
  faults?: Faults;
  /** Extra remote-write request headers. */
  headers?: Record<string, string>;
  /** Samples per remote-write request. Default 2000. */
  batchSamples?: number;
  log?: (line: string) => void;
  /** The wall clock. Default Date.now. */
  now?: () => number;
}

export interface ListenAddress {
  host: string;
  port: number;
}

export interface Simulation {
  platform: Platform;
  /** Absent with incidents off. */
  schedule?: IncidentSchedule;
  /** Absent without `listen`. */
  metrics?: MetricsServer;
  /** Absent without `remoteWrite`. */
  writer?: RemoteWriter;
  /** Stops pushing and serving; resolves once both are idle. */
  stop(): Promise<void>;
}

/**
 * Starts the simulated platform in this process: pushing to `remoteWrite`, serving /metrics on
 * `listen`, or both, with one incident schedule applied to whichever moves the platform. It says
 * what it does on the log, and that the data is not real. `slo simulate` runs it from the command
 * line; `npm start` can run it next to the engine.
 */
export async function startSimulation(opts: SimulationOptions): Promise<Simulation> {
  if (!opts.remoteWrite && !opts.listen) {
    throw new Error('the simulator needs somewhere to send its series: --remote-write URL (push to the engine), --listen HOST:PORT (serve /metrics for Prometheus), or both');
  }
  const log = opts.log ?? ((line: string) => console.log(line));
  const now = opts.now ?? Date.now;
  const clusters = opts.clusters ?? DEFAULT_CLUSTERS;
  const seed = opts.seed ?? 1;
  const intervalMs = opts.intervalMs ?? 15_000;
  const faults = opts.faults ?? {};
  const listen = typeof opts.listen === 'string' ? parseListen(opts.listen) : opts.listen;
  const startMs = now() - (opts.historyMs ?? 0);

  const platform = createPlatform({ seed, clusters, startMs, faults });
  // Counters appear as they first move (an error code, a histogram bucket); a twin an hour on
  // tells how many series the receiver will hold.
  const twin = createPlatform({ seed, clusters, startMs, faults });
  twin.advance(startMs + 60 * MINUTE);
  const series = twin.samples().length;
  let schedule: IncidentSchedule | undefined;
  let advance = (toMs: number) => platform.advance(toMs);
  if (opts.incidents !== false) {
    const { everyMs = 10 * MINUTE, durationMs = 4 * MINUTE, firstAfterMs, level, firstFault } = opts.incidents ?? {};
    // The early incident fits before the first regular one, however short the interval.
    schedule = incidentSchedule({ seed, startMs, everyMs, durationMs, level, firstFault, firstAfterMs: firstAfterMs ?? Math.max(0, Math.min(30_000, everyMs - durationMs)) });
    advance = driveIncidents(platform, schedule, { baseFaults: faults, clusters, log });
  }

  const metrics = listen ? await serveMetrics(platform, { ...listen, advance }, now) : undefined;
  let writer: RemoteWriter | undefined;
  try {
    if (opts.remoteWrite) {
      writer = startRemoteWriter({ platform, url: opts.remoteWrite, intervalMs, batchSamples: opts.batchSamples, headers: opts.headers, log, advance, now });
    }
  } catch (e) {
    await metrics?.close();
    throw e;
  }

  const doing = [
    opts.remoteWrite ? `remote-writing to ${opts.remoteWrite} every ${formatDuration(intervalMs)}` : undefined,
    metrics ? `serving ${metrics.url}/metrics for Prometheus to scrape` : undefined,
  ].filter(Boolean);
  log(
    `[simulator] simulated platform (${clusters.length} cluster${clusters.length === 1 ? '' : 's'}, ${series.toLocaleString('en-US')} series) ${doing.join(' and ')}; this is NOT real data`,
  );
  const held = Object.entries(checkFaults(faults)).filter(([k, v]) => v !== HEALTHY[k as keyof Faults]);
  if (held.length) log(`[simulator] faults throughout: ${held.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (schedule) {
    const after = schedule.firstAfterMs;
    const first = after === false ? '' : after < 1000 ? ', the first right away' : `, the first ${formatDuration(after)} after start`;
    log(
      `[simulator] incidents: one every ${formatDuration(schedule.everyMs)} lasting ${formatDuration(schedule.durationMs)}${first}, each pushing one fault high enough to page a 99.9% SLO`,
    );
  } else log('[simulator] incidents: off');

  return {
    platform,
    schedule,
    metrics,
    writer,
    async stop() {
      await Promise.all([writer?.stop(), metrics?.close()]);
    },
  };
}

/** "HOST:PORT", "[::1]:PORT", ":PORT" or "PORT"; the host defaults to 127.0.0.1. */
export function parseListen(value: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d+)$|^(\d+)$/.exec(value.trim());
  const port = Number(m?.[3] ?? m?.[4]);
  if (!m || !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not HOST:PORT; write e.g. 127.0.0.1:9100, 0.0.0.0:9100 or :9100.`);
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

function faultOption(value: string, previous: Faults = {}): Faults {
  const m = /^([A-Za-z0-9]+)=([0-9.eE+-]+)(%?)$/.exec(value.trim());
  const names = Object.keys(HEALTHY);
  if (!m || !names.includes(m[1]!)) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not name=value with a known fault; use one of ${names.join(', ')}, e.g. apiserverErrors=0.02 or apiserverErrors=2%.`);
  }
  const v = Number(m[2]) / (m[3] ? 100 : 1);
  const next = { ...previous, [m[1]!]: v };
  try {
    checkFaults(next);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^simulator faults: /, ''));
  }
  return next;
}

function seedOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number >= 0.`);
  return n;
}

function clustersOption(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('give at least one cluster name, e.g. eu-1,us-1.');
  return names;
}

function intervalOption(value: string): number {
  const ms = durationOption(value);
  if (ms < 1000) throw new InvalidArgumentError(`${JSON.stringify(value)} is too short; push at most once a second (e.g. 15s).`);
  return ms;
}

interface SimulateCliOptions {
  remoteWrite?: string;
  listen?: ListenAddress;
  interval: number;
  seed: number;
  clusters: string[];
  incidentEvery: number;
  incidentFor: number;
  incidents: boolean;
  fault: Faults;
}

/** Adds `slo simulate`: the simulated platform pushed to the engine and/or served to Prometheus. */
export function registerSimulate(program: Command): Command {
  return program
    .command('simulate')
    .description('run a simulated Kubernetes platform (NOT real data): remote-write it to the engine and/or serve /metrics for Prometheus, with an incident now and then')
    .addOption(new Option('--remote-write <url>', 'push to this remote-write 1.0 endpoint, e.g. http://127.0.0.1:8080/api/v1/write').argParser(urlOption))
    .addOption(new Option('--listen <host:port>', 'serve /metrics here for a Prometheus to scrape (e.g. :9100, or 0.0.0.0:9100 for a container)').argParser(parseListen))
    .addOption(new Option('--interval <duration>', 'how often to remote-write').argParser(intervalOption).default(15_000, '15s'))
    .addOption(new Option('--seed <n>', 'same seed, same platform and incidents').argParser(seedOption).default(1))
    .addOption(new Option('--clusters <names>', 'comma-separated cluster names').argParser(clustersOption).default(DEFAULT_CLUSTERS, DEFAULT_CLUSTERS.join(',')))
    .addOption(new Option('--incident-every <duration>', 'start an incident this often').argParser(durationOption).default(10 * MINUTE, '10m'))
    .addOption(new Option('--incident-for <duration>', 'how long each incident lasts').argParser(durationOption).default(4 * MINUTE, '4m'))
    .option('--no-incidents', 'no incidents: the platform stays as --fault sets it')
    .addOption(new Option('--fault <name=value>', `hold a fault throughout (repeatable): ${Object.keys(HEALTHY).join(', ')}`).argParser(faultOption).default({}, 'none'))
    .action(async (opts: SimulateCliOptions, cmd: Command) => {
      if (!opts.remoteWrite && !opts.listen) {
        cmd.error('error: slo simulate needs somewhere to send the series: --remote-write URL (push to the engine), --listen HOST:PORT (serve /metrics for Prometheus), or both', { exitCode: 2 });
      }
      const sim = await startSimulation({
        remoteWrite: opts.remoteWrite,
        listen: opts.listen,
        intervalMs: opts.interval,
        seed: opts.seed,
        clusters: opts.clusters,
        incidents: opts.incidents && { everyMs: opts.incidentEvery, durationMs: opts.incidentFor },
        faults: opts.fault,
      });
      await new Promise<void>((resolve) => {
        const done = (signal: NodeJS.Signals) => {
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          console.log(`[simulator] ${signal}: stopping`);
          resolve();
        };
        process.on('SIGINT', done);
        process.on('SIGTERM', done);
      });
      await sim.stop();
      const s = sim.writer?.stats();
      if (s) {
        console.log(
          `[simulator] stopped: ${s.sent} requests (${s.samples.toLocaleString('en-US')} samples) accepted, ${s.failed} dropped, ${s.retried} retries${s.lastError ? `; last error: ${s.lastError}` : ''}`,
        );
      } else console.log('[simulator] stopped');
    });
}
