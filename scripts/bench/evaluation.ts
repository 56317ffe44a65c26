import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.js';
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
