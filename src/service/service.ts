import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Engine } from '../engine/engine.js';
import type { RenderOptions } from '../rules/types.js';
import { DEFAULT_SILENCE_LOOKAHEAD, silencePlan } from '../engine/maintenance.js';
import { AlertmanagerNotifier } from '../notify/index.js';
import { Silencer } from '../notify/silences.js';
import { createApp } from '../server/app.js';
import { HealthMetrics } from '../server/health-metrics.js';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../server/limits.js';
import { CommitThread } from '../store/commit-thread.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { loadSet } from './load.js';
import { QuerySource } from './query-source.js';
import { loadAccess, type TokenFiles } from './tokens.js';
import { watchPaths } from './watch.js';

export interface ServiceOptions {
  sloPaths: string[];
  host: string;
  port: number;
  dataDir: string;
  render: RenderOptions;
  version: string;
  slothPeriod?: number;
  prometheusUrl?: string;
  alertmanagerUrls?: string[];
  evalIntervalMs?: number;
  resendDelayMs?: number;
  /** Silences are created for maintenance starting within this long. Default 24h. */
  silenceLookaheadMs?: number;
  /** False: create no maintenance silences. Default true (with Alertmanager URLs). */
  silences?: boolean;
  limits?: Partial<ServerLimits>;
  maxPendingSamples?: number;
  maxFutureMs?: number;
  watch?: boolean;
  /** Files of bearer tokens per scope (also read from SLO_ENGINE_*_TOKEN); re-read on reload. */
  tokenFiles?: TokenFiles;
  env?: NodeJS.ProcessEnv;
  /** Serve HTTPS with this certificate and key (PEM files); re-read on reload. */
  tls?: { certFile: string; keyFile: string };
  /** Tenancy on: each SLO's tenant is this label's value; requests name theirs in X-Scope-OrgID. */
  tenantLabel?: string;
  /** A set of more SLOs is refused (start and reload). Default DEFAULT_MAX_SLOS. */
  maxSlos?: number;
  /** The cardinality guard: active series one SLO reads. Default DEFAULT_MAX_SERIES_PER_SLO. */
  maxSeriesPerSlo?: number;
  clock?: () => number;
  log?: (line: string) => void;
}

export interface EngineService {
  url: string;
  engine: Engine;
  store: SqliteStore;
  /** Keeps maintenance silences in the Alertmanagers; set when there are any and silences are on. */
  silencer?: Silencer;
  reload(): Promise<{ ok: boolean; message: string }>;
  /** Runs one evaluation now (alerts, notifications), as the timer does. */
  evaluate(): void;
  close(): Promise<void>;
}

/**
 * `slo serve`: the store restored, the SLOs loaded, the HTTP API listening, alerts evaluated on
 * a timer and sent to Alertmanager; reloads keep the old set when the new one is invalid.
 */
export async function startService(opts: ServiceOptions): Promise<EngineService> {
  const log = opts.log ?? ((line: string) => console.error(`${new Date().toISOString()} ${line}`));
  const loaded = loadSet(opts.sloPaths, { slothPeriod: opts.slothPeriod }, opts.tenantLabel, opts.maxSlos);
  if (!loaded.ok) throw new Error(loaded.message);
  const readAccess = () => {
    const policy = loadAccess(opts.tokenFiles ?? {}, opts.env ?? process.env);
    const bound = policy.bindsTenants;
    if (bound && !opts.tenantLabel) throw new Error(`${bound.origin}: the token is bound to a tenant, which means nothing without --tenancy; turn tenancy on or remove "tenant=" from the line`);
    return policy;
  };
  let access = readAccess();
  const readTls = (t: { certFile: string; keyFile: string }) => {
    const read = (flag: string, file: string) => {
      try {
        return readFileSync(file);
      } catch (e) {
        throw new Error(`${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a PEM file`);
      }
    };
    return { cert: read('--tls-cert-file', t.certFile), key: read('--tls-key-file', t.keyFile) };
  };
  const tls = opts.tls ? readTls(opts.tls) : undefined;
  const tokens = access.summary();
  const described = (Object.entries(tokens) as Array<[string, number]>).map(([scope, n]) => `${scope} ${n ? `${n} token${n > 1 ? 's' : ''}` : 'open'}`).join(', ');
  const loopback = opts.host === '127.0.0.1' || opts.host === '::1' || opts.host === 'localhost';
  if (Object.values(tokens).some((n) => n > 0)) log(`access: ${described}`);
  else if (!loopback) log(`access: every route is open to anyone who reaches ${opts.host}:${opts.port}; give --ingest-token-file, --read-token-file and --admin-token-file (or SLO_ENGINE_*_TOKEN) to require bearer tokens`);
  for (const w of loaded.warnings) log(w);
  const store = new SqliteStore(opts.dataDir);
  // Its gauges read the engine and the notifier when /metrics is scraped, after both exist.
  const health = new HealthMetrics(opts.version, {
    queuedSamples: () => engine.queuedSamples,
    slos: () => engine.slos.length,
    matchedSeries: () => engine.seriesCount,
    seriesLimitDrops: () => engine.seriesGuard.dropped,
    notifier: () => notifier?.stats(),
  });
  // Remote-write commits on their own thread: the disk sync overlaps decoding the next requests.
  const writer = new CommitThread(store.file);
  const engine = new Engine({ store, writer, render: opts.render, clock: opts.clock, maxPendingSamples: opts.maxPendingSamples, maxFutureMs: opts.maxFutureMs, queryBackend: Boolean(opts.prometheusUrl), tenantLabel: opts.tenantLabel, onCommit: (ms) => health.storeCommit.record(ms / 1000),
    maxSeriesPerSlo: opts.maxSeriesPerSlo,
    onSeriesLimit: (slo, limit) => log(`SLO ${slo}: more than ${limit} series match its selectors; samples of new series are dropped (counted in slo_engine_series_limit_dropped_samples_total, warned in its API status) until some go idle for an hour; narrow its selectors or raise --max-series-per-slo`),
  });
  engine.setSlos(loaded.slos);
  engine.restore();
  const unavailable = engine.status().filter((s) => s.source === 'unavailable');
  for (const s of unavailable) log(`SLO ${s.slo.id} cannot be computed from ingested samples: ${s.reason}`);
  const notifier = opts.alertmanagerUrls?.length
    ? new AlertmanagerNotifier({ urls: opts.alertmanagerUrls, resendDelayMs: opts.resendDelayMs, evalIntervalMs: opts.evalIntervalMs, log })
    : undefined;
  const query = opts.prometheusUrl ? new QuerySource({ url: opts.prometheusUrl, engine, log, tenantLabel: opts.tenantLabel }) : undefined;
  const lookahead = opts.silenceLookaheadMs ?? DEFAULT_SILENCE_LOOKAHEAD;
  const silencer = opts.alertmanagerUrls?.length && opts.silences !== false
    ? new Silencer({ urls: opts.alertmanagerUrls, plan: () => silencePlan(engine.slos, engine.clock(), lookahead), log })
    : undefined;
  let ready = false;
  const limits = { ...DEFAULT_SERVER_LIMITS, ...opts.limits };


  // Token files and certificates are re-read with the SLOs so they can be rotated without a restart.
  const reloadSecrets = (): string | undefined => {
    try {
      const nextAccess = readAccess();
      if (opts.tls && tlsServer) tlsServer.setSecureContext(readTls(opts.tls));
      access = nextAccess;
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };
  const reload = async (): Promise<{ ok: boolean; message: string }> => {
    const secretsProblem = reloadSecrets();
    if (secretsProblem) {
      const message = `reload refused, the previous tokens, certificate and ${engine.slos.length} SLOs keep running: ${secretsProblem}`;
      log(message);
      return { ok: false, message };
    }
    const next = loadSet(opts.sloPaths, { slothPeriod: opts.slothPeriod }, opts.tenantLabel, opts.maxSlos);
    if (!next.ok) {
      const message = `reload refused, the previous ${engine.slos.length} SLOs keep running: ${next.message}`;
      log(message);
      return { ok: false, message };
    }
    // Not while a commit is on the writer's thread: its buckets were computed for the old SLIs.
    const { dropped } = await engine.exclusive(() => engine.setSlos(next.slos));
    void silencer?.sync();
    await query?.refresh();
    const message = `reloaded ${next.slos.length} SLOs${dropped.length ? `; history reset for changed SLIs: ${dropped.join(', ')}` : ''}`;
    log(message);
    return { ok: true, message };
  };

  // Timers must never throw: a full disk fails ingest with 503, it must not stop alerting.
  let alertSaveFailed: string | undefined;
  const evaluate = () => {
    try {
      const started = performance.now();
      const now = engine.clock();
      const alerts = engine.evaluateAlerts(now);
      if (engine.alertSaveError !== alertSaveFailed) {
        log(engine.alertSaveError ? `alert states could not be saved, retried at every evaluation (alerts are still sent): ${engine.alertSaveError}` : 'alert states saved again');
        alertSaveFailed = engine.alertSaveError;
      }
      health.evaluation.record((performance.now() - started) / 1000);
      notifier?.update(alerts, now);
    } catch (e) {
      log(`evaluation failed: ${(e as Error).message}`);
    }
  };
  const prune = () => {
    engine.exclusive(() => engine.prune()).catch((e: unknown) => log(`pruning the store failed: ${(e as Error).message}`));
  };
  let closing = false;

  const app = createApp({
    engine,
    render: opts.render,
    version: opts.version,
    limits,
    health,
    ready: () => ready,
    reload,
    log,
    get access() {
      return access;
    },
    tenantLabel: opts.tenantLabel,
  });
  const tlsServer: TlsServer | undefined = tls ? createTlsServer({ ...tls }, app) : undefined;
  const server: Server = tlsServer ?? createServer(app);
  server.keepAliveTimeout = 65_000;
  // Once closing, answers end their connection, so a sender on keep-alive cannot hold shutdown open.
  server.on('request', (_req, res) => {
    if (closing) res.setHeader('Connection', 'close');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;

  evaluate();
  ready = true;
  const evalTimer = setInterval(evaluate, opts.evalIntervalMs ?? 15_000);
  const pruneTimer = setInterval(prune, 5 * 60_000);
  evalTimer.unref();
  pruneTimer.unref();
  // Not awaited: a slow Alertmanager must not hold up the start; failures are retried.
  void silencer?.start();
  // Alerting on stream-computed SLOs already runs while the backfill reads history.
  await query?.start();
  const unwatch = opts.watch === false ? () => {} : watchPaths(opts.sloPaths.length ? opts.sloPaths : ['slos'], () => void reload());

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      ready = false;
      closing = true;
      clearInterval(evalTimer);
      clearInterval(pruneTimer);
      unwatch();
      query?.stop();
      // Stop taking requests, let those in flight finish, then write what is queued.
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      await engine.drain();
      await writer.close();
      await silencer?.close();
      await notifier?.close();
      await health.shutdown();
      store.close();
    })());

  return { url, engine, store, silencer, reload, evaluate, close };
}
