import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import type { DecodedSeries } from '../src/ingest/series.js';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { mulberry32 } from '../src/simulator/index.js';
import { loadSlos } from '../src/spec/load.js';
import { ChangeSet } from '../src/store/changes.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';

const M = 60_000;
const BASE = 5 * M;
const DAY = 24 * 60 * M;
const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);

/** A 7-day SLO grouped by cluster, and a 30-day one: two ring sizes. */
const SPEC = `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: api }
spec:
  service: web
  objective: 99
  window: 7d
  sli:
    events:
      bad: 'req_total{code="500"}'
      total: 'req_total'
      groupBy: [cluster]
---
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: probe }
spec:
  service: web
  objective: 99.5
  window: 30d
  sli:
    boolGauge:
      metric: 'probe_success'
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(now: { t: number }, spec = SPEC) {
  const dir = scratchDir('engine-restore-');
  dirs.push(dir);
  writeFiles(dir, { 'slos.yaml': spec });
  const open = (text = spec) => {
    writeFiles(dir, { 'slos.yaml': text });
    const store = new SqliteStore(join(dir, 'data'));
    const engine = new Engine({ store, render: DEFAULT_RENDER_OPTIONS, clock: () => now.t });
    engine.setSlos(loadSlos([join(dir, 'slos.yaml')]).slos);
    engine.restore();
    return { engine, store };
  };
  return { open, dataDir: join(dir, 'data') };
}

/**
 * `days` of 15 s samples ending at `end`: per cluster a 200 and a 500 counter with fractional
 * random increments (so a sum in another order would differ in its last bits), and a probe.
 */
function stream(end: number, days: number, clusters: string[]): DecodedSeries[] {
  const rnd = mulberry32(7);
  const steps = Math.round((days * DAY) / 15_000);
  const out: DecodedSeries[] = [];
  for (const cluster of clusters) {
    for (const code of ['200', '500']) {
      let v = 0;
      const samples = [];
      for (let i = 0; i < steps; i++) {
        v += code === '500' ? rnd() * 0.7 : rnd() * 37.3;
        samples.push({ timestampMs: end - (steps - 1 - i) * 15_000, value: v });
      }
      out.push({ labels: { __name__: 'req_total', cluster, code }, samples });
    }
  }
  const probe = [];
  for (let i = 0; i < steps; i++) probe.push({ timestampMs: end - (steps - 1 - i) * 15_000, value: rnd() < 0.01 ? 0 : 1 });
  out.push({ labels: { __name__: 'probe_success', job: 'x' }, samples: probe });
  return out;
}

async function ingest(engine: Engine, list: DecodedSeries[]) {
  const p = engine.ingest(list);
  engine.flush();
  return p;
}

/** Everything a restart must give back, numbers compared through JSON (exact for doubles). */
function snapshot(engine: Engine, times: number[]): string {
  return JSON.stringify(times.map((t) => engine.status(t).map((s) => ({ id: s.slo.id, lastDataAt: s.lastDataAt, groups: s.groups }))));
}

describe('the engine restores its rings from the store at start-up', () => {
  it('gives back every window, burn rate, budget and data time bit for bit after a restart', async () => {
    const now = { t: T0 + 3 * DAY + 2.5 * M };
    const s = setup(now);
    const first = s.open();
    // Three days up to now: 5m buckets for the long windows and 1m buckets for the live 5m one.
    await ingest(first.engine, stream(now.t - 15_000, 3, ['a', 'b', 'c']));
    const times = [now.t, now.t - 7 * M, now.t - DAY - 3 * M];
    const before = snapshot(first.engine, times);
    expect(before).toContain('"cluster":"c"');
    first.store.close();

    const second = s.open();
    expect(snapshot(second.engine, times)).toBe(before);
    second.store.close();
  });

  it('keeps the newest bucket of a slot when the store holds more days than the ring', () => {
    const now = { t: T0 + 10 * DAY };
    const s = setup(now);
    s.open().store.close();
    // Ten days of 5m buckets for a 7-day ring, written as the engine commits them, before any prune.
    const store = new SqliteStore(s.dataDir);
    const changes = new ChangeSet();
    const last = now.t;
    let expected = 0;
    for (let k = 0; k < (10 * DAY) / BASE; k++) {
      const end = last - k * BASE;
      const total = 100 + (k % 7);
      changes.add('web-api', '["a"]', { cluster: 'a' }, BASE, end, total, k % 3, 4);
      if (end > last - 7 * DAY) expected += total;
    }
    store.commit(changes);
    store.close();

    const { engine, store: reopened } = s.open();
    const api = engine.status(now.t).find((x) => x.slo.id === 'web-api')!;
    expect(api.groups.map((g) => g.labels)).toEqual([{ cluster: 'a' }]);
    expect(api.groups[0]!.windows.find((w) => w.window === 7 * DAY)?.total).toBe(expected);
    expect(api.lastDataAt).toBe(last - BASE + M);
    reopened.close();
  });

  it('skips the stored groups of an SLO that is no longer loaded, and drops those of a changed SLI', async () => {
    const now = { t: T0 + DAY };
    const s = setup(now);
    const first = s.open();
    await ingest(first.engine, stream(now.t - 15_000, 0.5, ['a']));
    first.store.close();

    // Only the probe stays; then the probe's SLI changes and its history is reset.
    const probeOnly = SPEC.slice(SPEC.indexOf('---') + 4);
    const second = s.open(probeOnly);
    expect(second.engine.status(now.t).map((x) => [x.slo.id, x.groups.length])).toEqual([['web-probe', 1]]);
    second.store.close();
    const third = s.open(probeOnly.replace("metric: 'probe_success'", "metric: 'probe_ok'"));
    expect(third.engine.status(now.t).map((x) => [x.slo.id, x.groups.length])).toEqual([['web-probe', 0]]);
    third.store.close();
  });
});
