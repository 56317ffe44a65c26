/**
 * Request counters of one service, pushed to the engine over remote-write 1.0 the way a
 * Prometheus scraping the service would: one counter per status code, samples oldest first.
 *
 * - `backfill(from, to, step)` sends a stretch of history in one request.
 * - `start(intervalMs)` then sends the current value of every counter each interval, one request
 *   at a time, so the samples of a series always arrive in time order.
 * - `rates` (requests per second by status code) can be changed at any time; it applies from the
 *   next sample on.
 * - `lagMs` stamps live samples that far in the past, as a sender that is behind would.
 */
import { encodeWriteRequestV1, type SeriesToWrite } from '../../src/wire/remote-write-v1.js';
import { snappyCompress } from '../../src/wire/snappy-compress.js';
import { sleep } from './prometheus-process.js';

/** Requests per second, by status code. */
export type Rates = Record<string, number>;

/** POSTs series to `<engineUrl>/api/v1/write` as Prometheus's remote-write 1.0 does; throws unless 204. */
export async function remoteWrite(engineUrl: string, series: readonly SeriesToWrite[]): Promise<void> {
  const res = await fetch(`${engineUrl}/api/v1/write`, {
    method: 'POST',
    headers: {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'User-Agent': 'slo-engine-test',
    },
    body: snappyCompress(encodeWriteRequestV1(series)),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 204) throw new Error(`remote-write to ${engineUrl}: HTTP ${res.status} ${text}`);
}

export interface RequestTrafficOptions {
  engineUrl: string;
  /** e.g. `http_requests_total`. */
  metric: string;
  /** Labels every counter carries besides `code`, e.g. job and instance. */
  labels: Record<string, string>;
  rates: Rates;
  /** How far in the past live samples are stamped. Default 0. */
  lagMs?: number;
}

export class RequestTraffic {
  rates: Rates;
  /** Samples sent live so far. */
  liveSamples = 0;
  /** The first failure of the live loop, which then stops. */
  error?: Error;
  private readonly values = new Map<string, number>();
  private lastTs?: number;
  private running?: Promise<void>;
  private stopping = false;

  constructor(private readonly opts: RequestTrafficOptions) {
    this.rates = { ...opts.rates };
  }

  /** Sends samples every `stepMs` over (from, to] at the current rates. */
  async backfill(fromMs: number, toMs: number, stepMs: number): Promise<void> {
    const points: number[] = [];
    for (let t = fromMs; t <= toMs; t += stepMs) points.push(t);
    const samples = new Map<string, Array<{ value: number; timestampMs: number }>>();
    for (const t of points) {
      for (const [code, value] of this.advance(t)) {
        if (!samples.has(code)) samples.set(code, []);
        samples.get(code)!.push({ value, timestampMs: t });
      }
    }
    await remoteWrite(this.opts.engineUrl, [...samples].map(([code, s]) => ({ labels: this.labelsOf(code), samples: s })));
  }

  /** Sends the current sample of every counter each `intervalMs` until stop(). */
  start(intervalMs: number): void {
    if (this.running) return;
    this.running = (async () => {
      while (!this.stopping) {
        const started = Date.now();
        const t = Math.max(started - (this.opts.lagMs ?? 0), (this.lastTs ?? 0) + 1);
        try {
          const series = [...this.advance(t)].map(([code, value]) => ({ labels: this.labelsOf(code), samples: [{ value, timestampMs: t }] }));
          await remoteWrite(this.opts.engineUrl, series);
          this.liveSamples += series.length;
        } catch (e) {
          if (!this.stopping) this.error = e as Error;
          return;
        }
        await sleep(Math.max(0, intervalMs - (Date.now() - started)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Moves every counter (of every code ever given a rate) to `t` and returns their values. */
  private advance(t: number): Map<string, number> {
    const dt = this.lastTs === undefined ? 0 : (t - this.lastTs) / 1000;
    for (const code of Object.keys(this.rates)) if (!this.values.has(code)) this.values.set(code, 0);
    for (const [code, v] of this.values) this.values.set(code, v + (this.rates[code] ?? 0) * dt);
    this.lastTs = t;
    return new Map(this.values);
  }

  private labelsOf(code: string): Record<string, string> {
    return { ...this.opts.labels, __name__: this.opts.metric, code };
  }
}
