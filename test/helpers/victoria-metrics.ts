/**
 * A single-node VictoriaMetrics for tests (Debian's victoria-metrics package): 127.0.0.1 on a
 * free port, a scratch -storageDataPath, and the process guarantees of spawnTracked. Flags:
 *   - `-retentionPeriod=100y`: history with any timestamp stays (the default is one month);
 *   - `-search.latencyOffset=0s`: points up to now are visible (the default hides the last 30s);
 *   - `-search.disableCache`: tests write history into the past after having queried it (vmalert
 *     replay); a cached response would not see it.
 * Imported or remote-written samples become searchable after a flush VictoriaMetrics does about
 * once a second; flush() forces it (`/internal/force_flush`).
 */
import { join } from 'node:path';
import { freePort, sleep, spawnTracked, tail } from './prometheus-process.js';

export const VICTORIA_METRICS = process.env.VICTORIA_METRICS ?? 'victoria-metrics';

export interface VictoriaMetricsProcess {
  /** e.g. http://127.0.0.1:43121 */
  url: string;
  port: number;
  dataDir: string;
  log: string;
  /** POSTs the Prometheus text format (with millisecond timestamps) to /api/v1/import/prometheus, then flushes. */
  importPrometheus(text: string): Promise<void>;
  /** Makes everything received so far searchable. */
  flush(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. Safe to call twice. */
  stop(): Promise<void>;
}

export interface VictoriaMetricsOptions {
  workDir: string;
  dataDir: string;
  /** A fixed port, e.g. to restart over the same data where a client expects it. Default: a free one. */
  port?: number;
  logName?: string;
  readyTimeoutMs?: number;
}

export async function startVictoriaMetrics(opts: VictoriaMetricsOptions): Promise<VictoriaMetricsProcess> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < (opts.port ? 1 : 3); attempt++) {
    try {
      return await startOn(opts.port ?? (await freePort()), opts);
    } catch (e) {
      lastError = e as Error;
      if (!/address already in use/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError!;
}

async function startOn(port: number, opts: VictoriaMetricsOptions): Promise<VictoriaMetricsProcess> {
  const log = join(opts.workDir, opts.logName ?? 'victoria-metrics.log');
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnTracked(
    VICTORIA_METRICS,
    [`-storageDataPath=${opts.dataDir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-search.latencyOffset=0s', '-search.disableCache'],
    log,
  );
  const flush = async () => {
    const r = await fetch(`${url}/internal/force_flush`, { signal: AbortSignal.timeout(10_000) });
    if (!r.ok) throw new Error(`VictoriaMetrics ${url}/internal/force_flush answered ${r.status}: ${await r.text()}`);
  };
  const vm: VictoriaMetricsProcess = {
    url,
    port,
    dataDir: opts.dataDir,
    log,
    flush,
    stop: proc.stop,
    async importPrometheus(text) {
      const r = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: text, signal: AbortSignal.timeout(60_000) });
      if (!r.ok) throw new Error(`VictoriaMetrics import answered ${r.status}: ${(await r.text()).slice(0, 500)}`);
      await flush();
    },
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (proc.spawnError()) throw new Error(`could not run ${VICTORIA_METRICS} (${proc.spawnError()!.message}); install Debian's victoria-metrics package or set VICTORIA_METRICS`);
    if (proc.exited()) throw new Error(`VictoriaMetrics exited (${proc.exited()}) before it was ready; its log ${log} ends with:\n${tail(log)}`);
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return vm;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  await proc.stop();
  throw new Error(`VictoriaMetrics on ${url} was not ready within ${(opts.readyTimeoutMs ?? 20_000) / 1000}s; its log ${log} ends with:\n${tail(log)}`);
}
