import { readFileSync } from 'node:fs';
import { projectPath } from '../paths.js';
import { encodeWriteRequestV1, type SeriesToWrite } from '../wire/remote-write-v1.js';
import { snappyCompress } from '../wire/snappy-compress.js';
import { STEP_MS, type Platform } from './platform.js';
import type { Sample } from './types.js';

export interface RemoteWriterOptions {
  platform: Platform;
  /** The receiver's write endpoint, e.g. http://127.0.0.1:8080/api/v1/write. */
  url: string;
  /** How often to push. Default 15 s. */
  intervalMs?: number;
  /** At most this many samples per request (Prometheus' max_samples_per_send). Default 2000. */
  batchSamples?: number;
  /** Extra request headers, e.g. Authorization. */
  headers?: Record<string, string>;
  /**
   * Simulated seconds per wall-clock second from the writer's start. Default 1. Above 1 the
   * timestamps run ahead of the wall clock, which some receivers refuse.
   */
  speed?: number;
  log?: (line: string) => void;
  /** Moves the platform forward; default `platform.advance`. Pass `driveIncidents(...)` to apply an incident schedule. */
  advance?: (toMs: number) => void;
  /** The wall clock. Default Date.now. */
  now?: () => number;
  /** Backoff between attempts of one request, doubling from min to max. Defaults 500 ms and 30 s. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Attempts per request before it is dropped. Default unlimited: the writer waits for the receiver. */
  maxAttempts?: number;
  /** Per-attempt timeout. Default 30 s. */
  timeoutMs?: number;
  /** Steps (15 s each) sampled when catching up after a stall; older ones are skipped. Default 240 (1h). */
  maxCatchUpSteps?: number;
}

export interface RemoteWriterStats {
  /** Requests the receiver accepted (2xx). */
  sent: number;
  /** Requests dropped: refused with a 4xx other than 429, or out of attempts. */
  failed: number;
  /** Attempts repeated after a network error, a 5xx or a 429. */
  retried: number;
  /** Samples in accepted requests. */
  samples: number;
  lastError: string | undefined;
}

export interface RemoteWriter {
  /** Stops the timer and abandons any request or retry wait in flight; resolves once idle. */
  stop(): Promise<void>;
  stats(): RemoteWriterStats;
}

const VERSION = readVersion();
/** A Retry-After longer than this is not waited out in full. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Pushes the platform to a remote-write 1.0 receiver the way Prometheus does. Every interval it
 * moves the platform to the (possibly sped-up) wall clock one 15 s step at a time, taking a
 * sample of every series at each step, so a receiver sees a scrape every 15 s whatever the
 * interval. Requests of at most `batchSamples` samples are sent one after another, so the samples
 * of a series arrive in time order. Network errors, 5xx and 429 are retried with doubling
 * backoff (or after Retry-After); a tick that waits for a receiver leaves the steps in the
 * platform, and the next tick catches up on them. Other 4xx are dropped and logged, never retried.
 */
export function startRemoteWriter(opts: RemoteWriterOptions): RemoteWriter {
  const { platform } = opts;
  const url = new URL(opts.url).toString();
  const intervalMs = opts.intervalMs ?? 15_000;
  const batchSamples = opts.batchSamples ?? 2000;
  const speed = opts.speed ?? 1;
  const log = opts.log ?? ((line: string) => console.log(line));
  const advance = opts.advance ?? ((toMs: number) => platform.advance(toMs));
  const now = opts.now ?? Date.now;
  const minBackoffMs = opts.minBackoffMs ?? 500;
  const maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  const maxAttempts = opts.maxAttempts ?? Infinity;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxCatchUpSteps = opts.maxCatchUpSteps ?? 240;
  if (!(intervalMs >= 10)) throw new Error(`remote-writer: intervalMs must be at least 10 (got ${intervalMs})`);
  if (!(Number.isInteger(batchSamples) && batchSamples >= 1)) throw new Error(`remote-writer: batchSamples must be a whole number >= 1 (got ${batchSamples})`);
  if (!(speed > 0 && Number.isFinite(speed))) throw new Error(`remote-writer: speed must be a number > 0 (got ${speed})`);

  const headers = {
    ...opts.headers,
    'Content-Encoding': 'snappy',
    'Content-Type': 'application/x-protobuf',
    'X-Prometheus-Remote-Write-Version': '0.1.0',
    'User-Agent': `slo-engine-simulator/${VERSION}`,
  };
  const wallStart = now();
  const clock = () => wallStart + (now() - wallStart) * speed;
  const stats: RemoteWriterStats = { sent: 0, failed: 0, retried: 0, samples: 0, lastError: undefined };
  const stopping = new AbortController();
  let lastSampledMs = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let failing = false;
  let lastRefusal = '';

  /** One frame per step not yet sampled, oldest first. */
  const collect = (): Array<{ timeMs: number; samples: Sample[] }> => {
    const target = Math.max(clock(), platform.nowMs);
    const behind = Math.floor((target - platform.nowMs) / STEP_MS);
    if (behind > maxCatchUpSteps) {
      const skipTo = platform.nowMs + (behind - maxCatchUpSteps) * STEP_MS;
      log(`[simulator] remote-write fell ${formatMinutes(skipTo - platform.nowMs)} behind; those steps are not sent`);
      advance(skipTo);
    }
    const frames: Array<{ timeMs: number; samples: Sample[] }> = [];
    if (platform.nowMs > lastSampledMs) frames.push({ timeMs: platform.nowMs, samples: platform.samples() });
    while (platform.nowMs + STEP_MS <= target) {
      advance(platform.nowMs + STEP_MS);
      frames.push({ timeMs: platform.nowMs, samples: platform.samples() });
    }
    // Time left over (under a step) still reaches the advance hook, e.g. to start an incident.
    advance(target);
    if (frames.length) lastSampledMs = frames[frames.length - 1]!.timeMs;
    return frames;
  };

  const tick = async () => {
    const frames = collect();
    for (const batch of batches(frames, batchSamples)) {
      if (stopping.signal.aborted) return;
      await send(batch);
    }
  };

  const send = async (batch: Batch) => {
    const body = snappyCompress(encodeWriteRequestV1(batch.series));
    for (let attempt = 1; ; attempt++) {
      let wait: number;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutMs)]),
        });
        const text = await res.text().catch(() => '');
        if (res.ok) {
          stats.sent++;
          stats.samples += batch.samples;
          if (failing) log(`[simulator] remote-write to ${url} works again`);
          failing = false;
          return;
        }
        const reason = `${res.status} ${res.statusText}${text.trim() ? `: ${text.trim().slice(0, 500)}` : ''}`;
        stats.lastError = reason;
        if (res.status !== 429 && res.status < 500) {
          stats.failed++;
          // The same refusal every tick is logged once, not a hundred times.
          if (reason !== lastRefusal) log(`[simulator] remote-write to ${url} refused ${batch.samples} samples, not retrying: ${reason}`);
          lastRefusal = reason;
          return;
        }
        wait = retryAfterMs(res.headers.get('retry-after'), now()) ?? backoff(attempt);
      } catch (e) {
        if (stopping.signal.aborted) return;
        stats.lastError = describeError(e);
        wait = backoff(attempt);
      }
      if (attempt >= maxAttempts) {
        stats.failed++;
        log(`[simulator] remote-write to ${url} dropped ${batch.samples} samples after ${attempt} attempts: ${stats.lastError}`);
        return;
      }
      if (!failing) log(`[simulator] remote-write to ${url} failing (${stats.lastError}); retrying until it answers`);
      failing = true;
      stats.retried++;
      if (!(await sleep(wait, stopping.signal))) return;
    }
  };

  const backoff = (attempt: number) => Math.min(maxBackoffMs, minBackoffMs * 2 ** (attempt - 1));

  const schedule = (dueMs: number) => {
    if (stopping.signal.aborted) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((e) => {
          stats.lastError = describeError(e);
          log(`[simulator] remote-write tick failed: ${stats.lastError}`);
        })
        .finally(() => {
          const next = dueMs + intervalMs;
          // After a long tick (a receiver that was down), start again from now rather than racing.
          schedule(next > now() ? next : now());
        });
    }, Math.max(0, dueMs - now()));
  };
  schedule(now());

  return {
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await running;
      clearTimeout(timer);
    },
    stats: () => ({ ...stats }),
  };
}

interface Batch {
  series: SeriesToWrite[];
  samples: number;
}

/**
 * Groups the frames' samples by series (each series' samples in time order), then cuts the
 * series into requests of at most `max` samples; a series with more samples than that continues
 * in the next request, which is sent after this one.
 */
function batches(frames: ReadonlyArray<{ timeMs: number; samples: readonly Sample[] }>, max: number): Batch[] {
  const bySeries = new Map<string, { labels: Record<string, string>; samples: Array<{ value: number; timestampMs: number }> }>();
  const keys = new WeakMap<object, Map<string, string>>();
  for (const frame of frames) {
    for (const s of frame.samples) {
      // Exporters keep one labels object per series, so its key is built once per tick.
      let perName = keys.get(s.labels);
      if (!perName) keys.set(s.labels, (perName = new Map()));
      let key = perName.get(s.name);
      if (key === undefined) perName.set(s.name, (key = `${s.name}\u0000${JSON.stringify(s.labels)}`));
      let series = bySeries.get(key);
      if (!series) bySeries.set(key, (series = { labels: { __name__: s.name, ...s.labels }, samples: [] }));
      series.samples.push({ value: s.value, timestampMs: frame.timeMs });
    }
  }
  const out: Batch[] = [];
  let current: Batch = { series: [], samples: 0 };
  for (const s of bySeries.values()) {
    for (let from = 0; from < s.samples.length; ) {
      const room = max - current.samples;
      const take = s.samples.slice(from, from + room);
      current.series.push({ labels: s.labels, samples: take });
      current.samples += take.length;
      from += take.length;
      if (current.samples === max) {
        out.push(current);
        current = { series: [], samples: 0 };
      }
    }
  }
  if (current.samples) out.push(current);
  return out;
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - nowMs;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function describeError(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  const cause = err?.cause?.code ?? err?.cause?.message;
  return cause ? `${err.message} (${cause})` : String(err?.message ?? e);
}

function formatMinutes(ms: number): string {
  return ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)}h` : `${Math.round(ms / 60_000)}m`;
}

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version?: string }).version ?? 'dev';
  } catch {
    return 'dev';
  }
}
