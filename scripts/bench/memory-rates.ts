import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWriteRequestV1, type SeriesToWrite } from '../../src/wire/remote-write-v1.js';
import { snappyCompress } from '../../src/wire/snappy-compress.js';
import { MiB, postWrite, rss, sleep, startEngine } from './memory-engine.js';
import { stopChild } from './procs.js';
import { metricOf, routeOf } from './slo-spec.js';
import { summarize, type Summary } from './stats.js';

export interface RatePoint {
  targetPerS: number;
  /** Samples the engine acknowledged per second of the stream. */
  acceptedPerS: Summary;
  rssBeforeMiB: Summary;
  /** RSS 2 s after the stream. */
  rssAfterMiB: Summary;
  /** Least-squares slope of RSS over the second half of the stream, MiB per minute. */
  slopeMiBPerMin: Summary;
  peakRssMiB: Summary;
}

export interface RatesResult {
  slos: number;
  series: number;
  seconds: number;
  points: RatePoint[];
}

const SERIES = 500;
const TICK_MS = 200;

/**
 * A steady stream of `perS` samples per second over SERIES matched series, cut into one request
 * per TICK_MS: each series gets the same number of samples per tick, a few ms apart, so the rate
 * changes the samples per series, never the series. Encoded before the stream starts, with
 * timestamps from `startMs`, so the sender's own work does not set the pace.
 */
function requests(slos: number, perS: number, seconds: number, startMs: number): { bodies: Uint8Array[]; samples: number } {
  const perSeries = Math.max(1, Math.round((perS * TICK_MS) / 1000 / SERIES));
  const bodies: Uint8Array[] = [];
  const ticks = (seconds * 1000) / TICK_MS;
  for (let t = 0; t < ticks; t++) {
    const batch: SeriesToWrite[] = [];
    for (let k = 0; k < SERIES; k++) {
      const i = k % slos;
      const samples = [];
      for (let j = 0; j < perSeries; j++) samples.push({ timestampMs: startMs + t * TICK_MS + j, value: (t * perSeries + j + 1) * 10 });
      batch.push({ labels: { __name__: metricOf(i), route: routeOf(i), code: k % 10 === 0 ? '500' : '200', pod: `pod-${k}` }, samples });
    }
    bodies.push(snappyCompress(encodeWriteRequestV1(batch)));
  }
  return { bodies, samples: perSeries * SERIES * ticks };
}

/** Least-squares slope of `ys` over `xs`. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** One engine, one stream at `perS`: RSS before, every second during, and 2 s after it. */
async function rateRun(specDir: string, slos: number, perS: number, seconds: number, dataDir: string, opts: { freePort: () => Promise<number>; logDir: string; bin?: string }) {
  const port = await opts.freePort();
  const { child } = await startEngine(specDir, dataDir, port, opts.logDir, opts.bin);
  try {
    const { bodies, samples } = requests(slos, perS, seconds, Date.now());
    await sleep(1000);
    const before = rss(child.pid!).now;
    const xs: number[] = [];
    const ys: number[] = [];
    const started = performance.now();
    let nextSample = 1000;
    for (let t = 0; t < bodies.length; t++) {
      const wait = started + t * TICK_MS - performance.now();
      if (wait > 0) await sleep(wait);
      await postWrite(port, bodies[t]!);
      const el = performance.now() - started;
      if (el >= nextSample) {
        nextSample += 1000;
        xs.push(el / 60_000);
        ys.push(rss(child.pid!).now / MiB);
      }
    }
    const took = Math.max(seconds, (performance.now() - started) / 1000);
    await sleep(2000);
    const after = rss(child.pid!);
    const half = xs.findIndex((x) => x * 60 >= seconds / 2);
    return { acceptedPerS: samples / took, before: before / MiB, after: after.now / MiB, peak: after.peak / MiB, slope: slope(xs.slice(half), ys.slice(half)) };
  } finally {
    await stopChild(child);
  }
}

/** RSS against the ingest rate: a fresh engine per stream, the rates interleaved run by run. */
export async function benchRates(opts: { specDir: string; slos: number; rates: number[]; seconds: number; runs: number; root: string; freePort: () => Promise<number>; logDir: string; bin?: string }): Promise<RatesResult> {
  const byRate = opts.rates.map(() => ({ accepted: [] as number[], before: [] as number[], after: [] as number[], peak: [] as number[], slope: [] as number[] }));
  for (let r = 0; r < opts.runs; r++) {
    for (const [k, perS] of opts.rates.entries()) {
      const data = join(opts.root, `rate-${perS}-${r}-${Math.random().toString(36).slice(2)}`);
      try {
        const m = await rateRun(opts.specDir, opts.slos, perS, opts.seconds, data, opts);
        const b = byRate[k]!;
        b.accepted.push(m.acceptedPerS);
        b.before.push(m.before);
        b.after.push(m.after);
        b.peak.push(m.peak);
        b.slope.push(m.slope);
      } finally {
        rmSync(data, { recursive: true, force: true });
      }
    }
  }
  return {
    slos: opts.slos,
    series: SERIES,
    seconds: opts.seconds,
    points: opts.rates.map((perS, k) => {
      const b = byRate[k]!;
      return { targetPerS: perS, acceptedPerS: summarize(b.accepted), rssBeforeMiB: summarize(b.before), rssAfterMiB: summarize(b.after), slopeMiBPerMin: summarize(b.slope), peakRssMiB: summarize(b.peak) };
    }),
  };
}
