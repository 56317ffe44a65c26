import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SeriesToWrite } from '../../src/wire/remote-write-v1.js';
import { liveBytesPerSeries } from './memory-heap.js';
import { MiB, postSeries, rss, sleep, startEngine } from './memory-engine.js';
import { stopChild } from './procs.js';
import { metricOf, routeOf } from './slo-spec.js';
import { summarize, type Summary } from './stats.js';

export interface SeriesResult {
  slos: number;
  /** New series per phase. */
  perPhase: number;
  /** RSS per matched series once the decoder's caches are full: the engine's own state. */
  bytesPerSeries: Summary;
  /** What the first phase added beyond its series' own cost: the caches filling up (MiB). */
  cachesMiB: Summary;
  /** RSS after warm-up, then after each phase (MiB), per run. */
  rssMiB: number[][];
  /** The same phases in the benchmark's own process, read after full collections: live bytes only. */
  live: { bytesPerSeries: number; cachesMiB: number };
}

/** Series sent before measuring: the commit thread, JIT and first buffers are not series. */
const WARM_UP = 500;
/**
 * Requests of new samples for the warm-up series, sent before measuring: they grow V8's young
 * generation to its working size (tens of MiB), which would otherwise land on the first phase.
 */
const WARM_UP_REQUESTS = 40;
const WARM_UP_SAMPLES = 20;
const PHASES = 3;
/** Long enough for V8's memory reducer (it looks after ~8 s of quiet) to collect what the phase left. */
const SETTLE_MS = 5_000;

function newSeries(slos: number, phase: number, count: number, samples = 1, fromMs = Date.now() - 60_000): SeriesToWrite[] {
  const out: SeriesToWrite[] = [];
  for (let k = 0; k < count; k++) {
    const i = k % slos;
    const points = Array.from({ length: samples }, (_, j) => ({ timestampMs: fromMs + j, value: 1000 + j }));
    out.push({ labels: { __name__: metricOf(i), route: routeOf(i), code: '200', pod: `pod-${phase}-${k}` }, samples: points });
  }
  return out;
}

/**
 * RSS per matched series, apart from the decoder's bounded caches (remote-write label sets and
 * interned strings). After a warm-up (a few series, many samples), phases of `perPhase` new series each: the first fills
 * the caches to their bound (and adds its series), later ones only replace cache entries, so
 * the slope over the later phases is what one more series costs the engine, and what the first
 * phase added beyond that slope is the caches.
 */
export async function benchSeries(opts: { specDir: string; slos: number; perPhase: number; runs: number; root: string; freePort: () => Promise<number>; logDir: string; bin?: string }): Promise<SeriesResult> {
  const per: number[] = [];
  const caches: number[] = [];
  const all: number[][] = [];
  for (let r = 0; r < opts.runs; r++) {
    const data = join(opts.root, `series-${r}-${Math.random().toString(36).slice(2)}`);
    const port = await opts.freePort();
    const { child } = await startEngine(opts.specDir, data, port, opts.logDir, opts.bin);
    try {
      const t0 = Date.now() - 60_000;
      for (let q = 0; q < WARM_UP_REQUESTS; q++) await postSeries(port, newSeries(opts.slos, 0, WARM_UP, WARM_UP_SAMPLES, t0 + q * WARM_UP_SAMPLES));
      await sleep(SETTLE_MS);
      const at = [rss(child.pid!).now];
      for (let p = 1; p <= PHASES; p++) {
        await postSeries(port, newSeries(opts.slos, p, opts.perPhase));
        await sleep(SETTLE_MS);
        at.push(rss(child.pid!).now);
      }
      const slope = (at[PHASES]! - at[1]!) / ((PHASES - 1) * opts.perPhase);
      per.push(slope);
      caches.push((at[1]! - at[0]! - slope * opts.perPhase) / MiB);
      all.push(at.map((b) => b / MiB));
    } finally {
      await stopChild(child);
      rmSync(data, { recursive: true, force: true });
    }
  }
  const live = await liveBytesPerSeries(opts.specDir, opts.slos, opts.perPhase);
  return { slos: opts.slos, perPhase: opts.perPhase, bytesPerSeries: summarize(per), cachesMiB: summarize(caches), rssMiB: all, live };
}
