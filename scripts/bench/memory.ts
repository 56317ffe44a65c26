import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint } from '../../src/engine/engine.js';
import { BASE_WINDOW } from '../../src/model/constants.js';
import { loadSlos } from '../../src/spec/load.js';
import { ChangeSet } from '../../src/store/changes.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { MiB, rss, sleep, startEngine } from './memory-engine.js';
import { benchRates, type RatesResult } from './memory-rates.js';
import { benchSeries, type SeriesResult } from './memory-series.js';
import { stopChild } from './procs.js';
import { writeSloSpecs } from './slo-spec.js';
import { summarize, type Summary } from './stats.js';

export type { RatePoint, RatesResult } from './memory-rates.js';
export type { SeriesResult } from './memory-series.js';

export interface MemoryPoint {
  slos: number;
  /** Days of 5m buckets written into the store for every SLO before the engine starts. */
  filledDays: number;
  bucketsPerSlo: number;
  rssMiB: Summary;
  peakRssMiB: Summary;
  startSeconds: Summary;
}

export interface MemoryResult {
  points: MemoryPoint[];
  /** Bytes of RSS per matched series, apart from the decoder's bounded caches. */
  series?: SeriesResult;
  /** RSS during and after a steady stream at each rate, the same series each time: it should not depend on the rate. */
  rates?: RatesResult;
  runs: number;
}

/** Samples per second of the steady streams, and how long each lasts (BENCH_MEMORY_RATE_SECONDS). */
const RATES = [5_000, 25_000, 50_000];
const RATE_SECONDS = Number(process.env.BENCH_MEMORY_RATE_SECONDS ?? 20);
/** Which parts run (BENCH_MEMORY_PARTS, comma-separated): the SLO sizes take minutes, the other two about ten. */
const PARTS = new Set((process.env.BENCH_MEMORY_PARTS ?? 'sizes,series,rates').split(',').map((x) => x.trim()));

/**
 * A store as the engine leaves it after `days` of traffic: every SLO's one group with a 5m bucket
 * every 5 minutes (600 events, a few bad), so the engine restores full rings at start-up. The
 * first SLO's buckets are written through SqliteStore, which is what the engine would have
 * committed; the other SLOs get the same rows under their own id, copied inside SQLite, because
 * building 8.6 million bucket changes in JavaScript for 1,000 SLOs x 30 days took over a minute.
 */
function prepareStore(specDir: string, dataDir: string, days: number, nowMs: number): number {
  const slos = loadSlos([specDir]).slos;
  const store = new SqliteStore(dataDir, { synchronous: 'NORMAL' });
  store.setSlos(new Map(slos.map((s) => [s.id, fingerprint(s)])));
  const last = Math.floor(nowMs / BASE_WINDOW) * BASE_WINDOW;
  const buckets = Math.round((days * 86_400_000) / BASE_WINDOW);
  const first = slos[0]!.id;
  const changes = new ChangeSet();
  for (let k = 0; k < buckets; k++) changes.add(first, '', {}, BASE_WINDOW, last - k * BASE_WINDOW, 600, (k % 5) * 0.2, 2);
  store.commit(changes);
  const file = store.file;
  store.close();
  const db = new Database(file);
  try {
    db.pragma('synchronous = NORMAL');
    const group = db.prepare('INSERT INTO groups (slo, grp, labels) SELECT ?, grp, labels FROM groups WHERE slo = ?');
    const rows = db.prepare('INSERT INTO buckets (slo, grp, res, end_ms, total, num, samples) SELECT ?, grp, res, end_ms, total, num, samples FROM buckets WHERE slo = ?');
    db.transaction(() => {
      for (const s of slos.slice(1)) {
        group.run(s.id, first);
        rows.run(s.id, first);
      }
    })();
  } finally {
    db.close();
  }
  return buckets;
}

/**
 * RSS of an engine process (`slo serve`) holding `count` SLOs whose 30-day windows are filled
 * (restored from a prepared store), the cost of matched series on top, and RSS during and after
 * a steady stream at several ingest rates.
 */
export async function benchMemory(opts: { sizes: Array<{ slos: number; days: number }>; runs: number; seriesCount: number; freePort: () => Promise<number>; logDir: string }): Promise<MemoryResult> {
  const root = mkdtempSync(join(tmpdir(), 'bench-mem-'));
  try {
    const points: MemoryPoint[] = [];
    const now = Date.now();
    // The SLO-count engines and the series and rate engines are separate processes, each read
    // for its own RSS; run side by side, the section fits the bench's 15 minutes.
    const sizesDone = (async () => {
      for (const size of PARTS.has('sizes') ? opts.sizes : []) {
        const specDir = join(root, `slos-${size.slos}`);
        writeSloSpecs(specDir, size.slos);
        const prepared = join(root, `store-${size.slos}`);
        const bucketsPerSlo = prepareStore(specDir, prepared, size.days, now);
        const now_: number[] = [];
        const peak: number[] = [];
        const start: number[] = [];
        for (let r = 0; r < opts.runs; r++) {
          const data = join(root, `run-${size.slos}-${r}`);
          cpSync(prepared, data, { recursive: true });
          const { child, startSeconds } = await startEngine(specDir, data, await opts.freePort(), opts.logDir);
          try {
            await sleep(2000); // first evaluations, GC after start-up
            const m = rss(child.pid!);
            now_.push(m.now / MiB);
            peak.push(m.peak / MiB);
            start.push(startSeconds);
          } finally {
            await stopChild(child);
            rmSync(data, { recursive: true, force: true });
          }
        }
        points.push({ slos: size.slos, filledDays: size.days, bucketsPerSlo, rssMiB: summarize(now_), peakRssMiB: summarize(peak), startSeconds: summarize(start) });
        rmSync(prepared, { recursive: true, force: true });
      }
    })();

    const base = opts.sizes[0]!.slos;
    const specDir = join(root, `slos-base-${base}`);
    writeSloSpecs(specDir, base);
    const common = { specDir, slos: base, runs: opts.runs, root, freePort: opts.freePort, logDir: opts.logDir };
    const series = PARTS.has('series') ? await benchSeries({ ...common, perPhase: opts.seriesCount }) : undefined;
    const rates = PARTS.has('rates') ? await benchRates({ ...common, rates: RATES, seconds: RATE_SECONDS }) : undefined;
    await sizesDone;
    return { points, series, rates, runs: opts.runs };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
