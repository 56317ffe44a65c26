import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  runs: number;
}

const MiB = 2 ** 20;

function rss(pid: number): { now: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN) * 1024;
  return { now: kb('VmRSS'), peak: kb('VmHWM') };
}

/**
 * A store as the engine leaves it after `days` of traffic: every SLO's one group with a 5m bucket
 * every 5 minutes (600 events, a few bad). Written straight through SqliteStore, which is what
 * the engine would have committed, so the engine restores full rings at start-up.
 */
function prepareStore(specDir: string, dataDir: string, days: number, nowMs: number): number {
  const slos = loadSlos([specDir]).slos;
  const store = new SqliteStore(dataDir, { synchronous: 'NORMAL' });
  store.setSlos(new Map(slos.map((s) => [s.id, fingerprint(s)])));
  const last = Math.floor(nowMs / BASE_WINDOW) * BASE_WINDOW;
  const buckets = Math.round((days * 86_400_000) / BASE_WINDOW);
  let changes = new ChangeSet();
  for (const slo of slos) {
    for (let k = 0; k < buckets; k++) changes.add(slo.id, '', {}, BASE_WINDOW, last - k * BASE_WINDOW, 600, (k % 5) * 0.2, 2);
    if (changes.buckets.size >= 200_000) {
      store.commit(changes);
      changes = new ChangeSet();
    }
  }
  store.commit(changes);
  store.close();
  return buckets;
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
 * (restored from a prepared store), and the cost of matched series on top.
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
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/write`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
            body: snappyCompress(encodeWriteRequestV1(batch)),
          });
          if (!res.ok) throw new Error(`remote write answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
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
    return { points, series: { slos: base.slos, series: opts.seriesCount, bytesPerSeries: summarize(perSeries) }, runs: opts.runs };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
