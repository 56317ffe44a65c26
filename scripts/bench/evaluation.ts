import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActiveAlert } from '../../src/engine/alert-state.js';
import { Engine, type SloStatus } from '../../src/engine/engine.js';
import type { DecodedSeries } from '../../src/ingest/series.js';
import { DEFAULT_RENDER_OPTIONS } from '../../src/rules/index.js';
import { loadSlos } from '../../src/spec/load.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { metricOf, routeOf, writeSloSpecs } from './slo-spec.js';
import { summarize, type Summary } from './stats.js';

export interface EvaluationResult {
  slos: number;
  fedSamples: number;
  loadSeconds: number;
  feedSeconds: number;
  total: Summary;
  status: Summary;
  alerts: Summary;
  /** The first evaluation: every window summed from the buckets (later ones at the same 5m edge read cached sums). */
  coldMs: number;
  rssAfterBytes: number;
}

const MINUTE = 60_000;

/**
 * `Engine.status()` + `evaluateAlerts()` over `count` events SLOs, each fed two series (2xx and
 * 5xx) at one sample a minute for `minutes`, through `engine.ingest` + `flush` into a SqliteStore.
 */
export async function benchEvaluation(count: number, minutes: number, runs: number): Promise<EvaluationResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-eval-'));
  try {
    writeSloSpecs(join(dir, 'slos'), count);
    let t = performance.now();
    const loaded = loadSlos([join(dir, 'slos')]);
    const errors = loaded.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) throw new Error(`generated SLOs do not load: ${JSON.stringify(errors.slice(0, 3))}`);
    if (loaded.slos.length !== count) throw new Error(`loaded ${loaded.slos.length} SLOs, expected ${count}`);
    const engine = new Engine({ store: new SqliteStore(join(dir, 'data')), render: DEFAULT_RENDER_OPTIONS });
    engine.setSlos(loaded.slos);
    const loadSeconds = (performance.now() - t) / 1000;

    const end = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
    const times = Array.from({ length: minutes + 1 }, (_, k) => end - (minutes - k) * MINUTE);
    t = performance.now();
    let fed = 0;
    let batch: DecodedSeries[] = [];
    const send = async () => {
      const p = engine.ingest(batch);
      engine.flush();
      await p;
      batch = [];
    };
    for (let i = 0; i < count; i++) {
      for (const code of ['200', '500']) {
        const perMinute = code === '200' ? 600 : (i % 7) * 0.5;
        const labels = { __name__: metricOf(i), route: routeOf(i), code, cluster: 'eu-1' };
        batch.push({ labels, samples: times.map((ts, k) => ({ timestampMs: ts, value: k * perMinute })) });
        fed += times.length;
      }
      if (batch.length >= 1000) await send();
    }
    if (batch.length > 0) await send();
    const feedSeconds = (performance.now() - t) / 1000;

    const total: number[] = [];
    const status: number[] = [];
    const alerts: number[] = [];
    let coldMs = 0;
    for (let r = 0; r < runs + 1; r++) {
      const now = Date.now();
      const t0 = performance.now();
      const s = engine.status(now);
      const t1 = performance.now();
      engine.evaluateAlerts(now);
      const t2 = performance.now();
      if (s.length !== count) throw new Error(`status() gave ${s.length} SLOs, expected ${count}`);
      if (r === 0) {
        coldMs = t2 - t0;
        continue;
      }
      status.push(t1 - t0);
      alerts.push(t2 - t1);
      total.push(t2 - t0);
    }
    return { slos: count, fedSamples: fed, loadSeconds, feedSeconds, total: summarize(total), status: summarize(status), alerts: summarize(alerts), coldMs, rssAfterBytes: process.memoryUsage().rss };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FilledEvaluationResult {
  slos: number;
  days: number;
  /** Loading the SLOs and filling the rings (not timed as evaluation). */
  fillSeconds: number;
  /** The first evaluation after the fill: as after a restore, nothing summed yet. */
  firstMs: number;
  /** Just after the 5m edge moved (a new bucket written), as the engine pays every 5 minutes: each measured on an edge of its own, called first. */
  coldStatus: Summary;
  coldAlerts: Summary;
  /** The same edge again: what every other evaluation of the 5 minutes costs. */
  warmStatus: Summary;
  warmAlerts: Summary;
  /** sha256 of every status() (windows, groups) and evaluateAlerts() answer: equal across code changes that must not change results. */
  digest: string;
  rssAfterBytes: number;
}

const BASE = 5 * MINUTE;
/** A fixed, 5m-aligned moment, so that every run (and every version of the code) sees the same data and alert times. */
const FILLED_AT = Date.UTC(2026, 0, 31);

/**
 * Bad events (the SLI's `num`) of SLO `i` in the 5m bucket `k` buckets before FILLED_AT: a steady
 * trickle, plus (by SLO) a burst in the last hour, a burst a day ago, or a rate over budget all
 * month, so that every tier and the exhausted-budget alert fire somewhere. Halves only: sums in
 * any order are exact, so a digest shows any change in results.
 */
function badOf(i: number, k: number): number {
  if (i % 10 === 0 && k < 12) return 150;
  if (i % 10 === 1 && k >= 288 && k < 300) return 90;
  if (i % 10 === 2) return 4.5;
  return (i % 7) * 0.5;
}

function totalOf(i: number, k: number): number {
  return 3000 + ((i + k) % 13) * 10;
}

/**
 * `count` SLOs with `days` of 5m buckets in their rings, written the way a restore writes them
 * (one `add` per stored bucket, newest minutes in the 1m ring), then stepped one 5m edge at a
 * time: a new bucket per SLO, a cold evaluation, a warm one. Each time is status() and
 * evaluateAlerts() apart, on a simulated clock.
 */
export async function benchEvaluationFilled(count: number, days: number, runs: number): Promise<FilledEvaluationResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-eval-filled-'));
  try {
    writeSloSpecs(join(dir, 'slos'), count);
    const t0 = performance.now();
    const loaded = loadSlos([join(dir, 'slos')]);
    if (loaded.slos.length !== count) throw new Error(`loaded ${loaded.slos.length} SLOs, expected ${count}`);
    let sim = FILLED_AT;
    const engine = new Engine({ store: new SqliteStore(join(dir, 'data')), render: DEFAULT_RENDER_OPTIONS, clock: () => sim });
    engine.setSlos(loaded.slos);
    const states = loaded.slos.map((s) => engine.state(s.id)!);
    const buckets = (days * 86_400_000) / BASE;
    // Bucket k ends k buckets before the edge `at`; every bucket of one minute-ring too.
    const write = (at: number, from: number, to: number) => {
      states.forEach((state, i) => {
        const g = state.group('', {});
        for (let k = from; k >= to; k--) g.base.add(at - k * BASE, totalOf(i, k), badOf(i, k), 10);
        for (let m = 4; m >= 0; m--) g.fine.add(at - m * MINUTE, totalOf(i, 0) / 5, badOf(i, 0) / 5, 2);
        state.lastDataMs = at;
      });
    };
    write(sim, buckets - 1, 0);
    const fillSeconds = (performance.now() - t0) / 1000;

    const hash = createHash('sha256');
    const record = (status: SloStatus[], alerts: ActiveAlert[]) => {
      for (const s of status) hash.update(JSON.stringify([s.slo.id, s.source, s.lastDataAt, s.windows, s.groups]));
      hash.update(JSON.stringify(alerts));
    };
    // Whichever runs first on a new edge sums the windows; the other reads them cached. The
    // engine evaluates alerts on its own timer, and status() answers the API on its own.
    const timed = (alertsFirst = false) => {
      const a = performance.now();
      const alerts0 = alertsFirst ? engine.evaluateAlerts(sim) : undefined;
      const b = performance.now();
      const status = engine.status(sim);
      const c = performance.now();
      const alerts = alerts0 ?? engine.evaluateAlerts(sim);
      const d = performance.now();
      if (status.length !== count) throw new Error(`status() gave ${status.length} SLOs, expected ${count}`);
      record(status, alerts);
      return { status: c - b, alerts: alertsFirst ? b - a : d - c };
    };
    sim += 1000;
    const first = timed();
    const cold = { status: [] as number[], alerts: [] as number[] };
    const warm = { status: [] as number[], alerts: [] as number[] };
    // Two edge moves per run: one where evaluateAlerts() comes first, one where status() does.
    for (let r = 0; r < 2 * (runs + 1); r++) {
      // The edge moves: the bucket that just closed is complete, as the stream wrote it.
      const edge = Math.floor(sim / BASE) * BASE + BASE;
      sim = edge;
      write(edge, 0, 0);
      sim = edge + 1000;
      const alertsFirst = r % 2 === 0;
      const c = timed(alertsFirst);
      const w = timed();
      if (r < 2) continue; // the first steps warm up the code of the moving edge
      if (alertsFirst) cold.alerts.push(c.alerts);
      else cold.status.push(c.status);
      warm.status.push(w.status);
      warm.alerts.push(w.alerts);
    }
    return {
      slos: count,
      days,
      fillSeconds,
      firstMs: first.status + first.alerts,
      coldStatus: summarize(cold.status),
      coldAlerts: summarize(cold.alerts),
      warmStatus: summarize(warm.status),
      warmAlerts: summarize(warm.alerts),
      digest: hash.digest('hex'),
      rssAfterBytes: process.memoryUsage().rss,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
