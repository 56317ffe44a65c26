import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint } from '../../src/engine/engine.js';
import { BASE_WINDOW } from '../../src/model/constants.js';
import { loadSlos } from '../../src/spec/load.js';
import { ChangeSet } from '../../src/store/changes.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { encodeWriteRequestV1, type SeriesToWrite } from '../../src/wire/remote-write-v1.js';
import { snappyCompress } from '../../src/wire/snappy-compress.js';
import { startChild, stopChild, waitHttpOk } from './procs.js';
import { metricOf, routeOf, writeSloSpecs } from './slo-spec.js';
import { summarize, type Summary } from './stats.js';
import { ENGINE } from './targets.js';

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
  /** Bytes of RSS per matched series: one sample each of `series` new series into a running engine. */
  series: { slos: number; series: number; bytesPerSeries: Summary };
  /** RSS after a steady stream at each rate, the same series and length each time: it should not depend on the rate. */
  rates: { slos: number; series: number; seconds: number; points: RatePoint[] };
  runs: number;
}

export interface RatePoint {
  targetPerS: number;
  /** Samples the engine acknowledged per second of the stream. */
  acceptedPerS: Summary;
  rssBeforeMiB: Summary;
  rssAfterMiB: Summary;
  peakRssMiB: Summary;
}

/** Samples per second of the two steady streams, and how long each lasts. */
const RATES = [5_000, 50_000];
const RATE_SECONDS = 20;
const RATE_SERIES = 500;
const TICK_MS = 200;

const MiB = 2 ** 20;

function rss(pid: number): { now: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN) * 1024;
  return { now: kb('VmRSS'), peak: kb('VmHWM') };
}

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
 * A steady stream of `perS` samples per second over RATE_SERIES matched series, cut into one
 * request per TICK_MS: each series gets the same number of samples per tick, a few ms apart, so
 * the rate changes the samples per series, never the series. Encoded before the stream starts,
 * with timestamps from `startMs`, so the sender's own work does not set the pace.
 */
function rateRequests(slos: number, perS: number, startMs: number): { bodies: Uint8Array[]; samples: number } {
  const perSeries = Math.max(1, Math.round((perS * TICK_MS) / 1000 / RATE_SERIES));
  const bodies: Uint8Array[] = [];
  const ticks = (RATE_SECONDS * 1000) / TICK_MS;
  for (let t = 0; t < ticks; t++) {
    const batch: SeriesToWrite[] = [];
    for (let k = 0; k < RATE_SERIES; k++) {
      const i = k % slos;
      const samples = [];
      for (let j = 0; j < perSeries; j++) samples.push({ timestampMs: startMs + t * TICK_MS + j, value: (t * perSeries + j + 1) * 10 });
      batch.push({ labels: { __name__: metricOf(i), route: routeOf(i), code: k % 10 === 0 ? '500' : '200', pod: `pod-${k}` }, samples });
    }
    bodies.push(snappyCompress(encodeWriteRequestV1(batch)));
  }
  return { bodies, samples: perSeries * RATE_SERIES * ticks };
}

async function postWrite(port: number, body: Uint8Array): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
    // A copy typed over a plain ArrayBuffer, which is what fetch's BodyInit accepts.
    body: new Uint8Array(body),
  });
  if (!res.ok) throw new Error(`remote write answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

/** One engine, one stream at `perS`: RSS before and 2 s after it, and the rate it took. */
async function rateRun(specDir: string, slos: number, perS: number, dataDir: string, opts: { freePort: () => Promise<number>; logDir: string }) {
  const port = await opts.freePort();
  const { child } = await startEngine(specDir, dataDir, port, opts.logDir);
  try {
    const { bodies, samples } = rateRequests(slos, perS, Date.now());
    await new Promise((ok) => setTimeout(ok, 1000));
    const before = rss(child.pid!).now;
    const started = performance.now();
    for (let t = 0; t < bodies.length; t++) {
      const wait = started + t * TICK_MS - performance.now();
      if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
      await postWrite(port, bodies[t]!);
    }
    const seconds = Math.max(RATE_SECONDS, (performance.now() - started) / 1000);
    await new Promise((ok) => setTimeout(ok, 2000));
    const after = rss(child.pid!);
    return { acceptedPerS: samples / seconds, before: before / MiB, after: after.now / MiB, peak: after.peak / MiB };
  } finally {
    await stopChild(child);
  }
}

async function startEngine(specDir: string, dataDir: string, port: number, logDir: string) {
  const { cmd, args } = ENGINE.command(port, dataDir);
  args[1] = specDir;
  const child = startChild(cmd, args, join(logDir, 'memory-engine.log'));
  const t = performance.now();
  await waitHttpOk(`http://127.0.0.1:${port}/readyz`, 600_000, child);
  return { child, startSeconds: (performance.now() - t) / 1000 };
}

/**
 * RSS of an engine process (`slo serve`) holding `count` SLOs whose 30-day windows are filled
 * (restored from a prepared store), the cost of matched series on top, and RSS after a steady
 * stream at two ingest rates.
 */
export async function benchMemory(opts: { sizes: Array<{ slos: number; days: number }>; runs: number; seriesCount: number; freePort: () => Promise<number>; logDir: string }): Promise<MemoryResult> {
  const root = mkdtempSync(join(tmpdir(), 'bench-mem-'));
  try {
    const points: MemoryPoint[] = [];
    const now = Date.now();
    for (const size of opts.sizes) {
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
          await new Promise((ok) => setTimeout(ok, 2000)); // first evaluations, GC after start-up
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

    // Matched series: SLOs of the first size, `seriesCount` new series (an extra `pod` label) each
    // sent once; RSS before and after in the same process.
    const base = opts.sizes[0]!;
    const specDir = join(root, `slos-${base.slos}`);
    const perSeries: number[] = [];
    for (let r = 0; r < opts.runs; r++) {
      const data = join(root, `series-${r}`);
      const port = await opts.freePort();
      const { child } = await startEngine(specDir, data, port, opts.logDir);
      try {
        await new Promise((ok) => setTimeout(ok, 1000));
        const before = rss(child.pid!).now;
        const ts = Date.now() - 1000;
        let batch: SeriesToWrite[] = [];
        const send = async () => {
          await postWrite(port, snappyCompress(encodeWriteRequestV1(batch)));
          batch = [];
        };
        for (let k = 0; k < opts.seriesCount; k++) {
          const i = k % base.slos;
          batch.push({ labels: { __name__: metricOf(i), route: routeOf(i), code: '200', pod: `pod-${k}` }, samples: [{ timestampMs: ts, value: 1000 }] });
          if (batch.length >= 2000) await send();
        }
        if (batch.length > 0) await send();
        await new Promise((ok) => setTimeout(ok, 2000));
        perSeries.push((rss(child.pid!).now - before) / opts.seriesCount);
      } finally {
        await stopChild(child);
        rmSync(data, { recursive: true, force: true });
      }
    }

    // RSS against the ingest rate: a fresh engine per stream, the rates interleaved run by run.
    const byRate = RATES.map(() => ({ accepted: [] as number[], before: [] as number[], after: [] as number[], peak: [] as number[] }));
    for (let r = 0; r < opts.runs; r++) {
      for (const [k, perS] of RATES.entries()) {
        const data = join(root, `rate-${perS}-${r}`);
        try {
          const m = await rateRun(specDir, base.slos, perS, data, opts);
          byRate[k]!.accepted.push(m.acceptedPerS);
          byRate[k]!.before.push(m.before);
          byRate[k]!.after.push(m.after);
          byRate[k]!.peak.push(m.peak);
        } finally {
          rmSync(data, { recursive: true, force: true });
        }
      }
    }
    const rates = {
      slos: base.slos,
      series: RATE_SERIES,
      seconds: RATE_SECONDS,
      points: RATES.map((perS, k) => ({ targetPerS: perS, acceptedPerS: summarize(byRate[k]!.accepted), rssBeforeMiB: summarize(byRate[k]!.before), rssAfterMiB: summarize(byRate[k]!.after), peakRssMiB: summarize(byRate[k]!.peak) })),
    };
    return { points, series: { slos: base.slos, series: opts.seriesCount, bytesPerSeries: summarize(perSeries) }, rates, runs: opts.runs };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
