import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, Overloaded } from '../src/engine/engine.js';
import { ingestError } from '../src/server/remote-write-route.js';
import type { DecodedSeries } from '../src/ingest/series.js';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { loadSlos } from '../src/spec/load.js';
import { SqliteStore, StoreError } from '../src/store/sqlite-store.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';

const M = 60_000;
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0); // on a 5m boundary

const SPEC = `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: api }
spec:
  service: web
  objective: 99
  sli:
    events:
      good: 'req_total{code!~"5.."}'
      total: 'req_total'
      groupBy: [cluster]
  alerting:
    tiers:
      page-fast: { for: 2m }
---
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: probe }
spec:
  service: web
  objective: 99
  sli:
    boolGauge:
      metric: 'probe_success'
---
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: depth }
spec:
  service: web
  objective: 99
  sli:
    timeslice:
      metric: 'depth'
      op: '<='
      threshold: 10
      slice: 1m
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(now: { t: number }) {
  const dir = scratchDir('engine-unit-');
  dirs.push(dir);
  writeFiles(dir, { 'slos.yaml': SPEC });
  const slos = loadSlos([join(dir, 'slos.yaml')]).slos;
  const open = () => {
    const store = new SqliteStore(join(dir, 'data'));
    const engine = new Engine({ store, render: DEFAULT_RENDER_OPTIONS, clock: () => now.t });
    engine.setSlos(slos);
    engine.restore();
    return { engine, store };
  };
  return { open };
}

const series = (labels: Record<string, string>, points: Array<[number, number]>): DecodedSeries => ({ labels, samples: points.map(([timestampMs, value]) => ({ timestampMs, value })) });

async function ingest(engine: Engine, list: DecodedSeries[]) {
  const p = engine.ingest(list);
  engine.flush();
  return p;
}

function window(engine: Engine, id: string, w: number, t: number, cluster?: string) {
  const s = engine.status(t).find((x) => x.slo.id === id)!;
  const g = s.groups.find((x) => x.labels.cluster === cluster) ?? s.groups[0];
  return g?.windows.find((x) => x.window === w);
}

describe('the engine computes SLIs from the stream', () => {
  it('counts counter increases in the bucket of the later sample, a drop as a reset from zero', async () => {
    const now = { t: T0 + 30 * M };
    const { engine } = setup(now).open();
    const t = (min: number) => T0 + min * M;
    await ingest(engine, [
      series({ __name__: 'req_total', cluster: 'a', code: '200' }, [[t(1), 100], [t(2), 190], [t(6), 290], [t(7), 40]]),
      series({ __name__: 'req_total', cluster: 'a', code: '500' }, [[t(1), 10], [t(2), 20], [t(6), 20], [t(7), 25]]),
    ]);
    // Bucket 12:05: 90 good + 10 bad. Bucket 12:10: 100 + 0, then a reset to 40 (+40) and 5 bad.
    expect(window(engine, 'web-api', 5 * M, T0 + 5 * M, 'a')).toMatchObject({ total: 100, bad: 10, errorRatio: 0.1 });
    expect(window(engine, 'web-api', 5 * M, T0 + 10 * M, 'a')).toMatchObject({ total: 145, bad: 5 });
    expect(window(engine, 'web-api', 30 * M, T0 + 10 * M, 'a')).toMatchObject({ total: 245, bad: 15 });
  });

  it('ignores resent samples, so a retried request never counts twice', async () => {
    const now = { t: T0 + 30 * M };
    const { engine } = setup(now).open();
    const body = [series({ __name__: 'req_total', cluster: 'a', code: '200' }, [[T0 + M, 1], [T0 + 2 * M, 11]])];
    expect(await ingest(engine, body)).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await ingest(engine, body)).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(window(engine, 'web-api', 5 * M, T0 + 5 * M, 'a')?.total).toBe(10);
  });

  it('joins no increase across a gap of five minutes or a staleness marker, as no 5m range of the rules can', async () => {
    const now = { t: T0 + 30 * M };
    const { engine } = setup(now).open();
    await ingest(engine, [series({ __name__: 'req_total', cluster: 'a', code: '200' }, [[T0 + M, 1], [T0 + 2 * M, NaN], [T0 + 3 * M, 50], [T0 + 9 * M, 500], [T0 + 9.5 * M, 510]])]);
    expect(window(engine, 'web-api', 5 * M, T0 + 5 * M, 'a')?.total ?? 0).toBe(0);
    expect(window(engine, 'web-api', 5 * M, T0 + 10 * M, 'a')?.total).toBe(10);
  });

  it('clamps bad events per 5m bucket, as the rules clamp total minus good', async () => {
    const now = { t: T0 + 30 * M };
    const { engine } = setup(now).open();
    const t = (min: number) => T0 + min * M;
    // A good counter that moves more than the total (a scrape race) makes -5 bad in bucket 12:05, clamped to 0.
    await ingest(engine, [
      series({ __name__: 'req_total', cluster: 'a', code: '200' }, [[t(1), 0], [t(2), 15], [t(6), 15], [t(7), 25]]),
      series({ __name__: 'req_total', cluster: 'a', code: '503' }, [[t(1), 0], [t(2), 0], [t(6), 0], [t(7), 10]]),
    ]);
    const w = window(engine, 'web-api', 10 * M, T0 + 10 * M, 'a');
    expect(window(engine, 'web-api', 30 * M, T0 + 10 * M, 'a')).toMatchObject({ total: 35, bad: 10 });
    expect(w).toBeUndefined(); // 10m is not a window of this SLO
  });

  it('refuses infinite values as out of bounds instead of poisoning the store', async () => {
    const now = { t: T0 + 30 * M };
    const { engine } = setup(now).open();
    const outcome = await ingest(engine, [series({ __name__: 'req_total', cluster: 'a', code: '200' }, [[T0 + M, 1], [T0 + 1.5 * M, Infinity], [T0 + 2 * M, Infinity], [T0 + 2.5 * M, 11]])]);
    expect(outcome).toMatchObject({ accepted: 2, outOfBounds: 2 });
    expect(window(engine, 'web-api', 5 * M, T0 + 5 * M, 'a')?.total).toBe(10);
  });

  it('counts every probe sample once and every failing one as bad', async () => {
    const now = { t: T0 + 30 * M };
    const { engine } = setup(now).open();
    const pts: Array<[number, number]> = Array.from({ length: 20 }, (_, i) => [T0 + (i + 1) * 15_000, i % 5 === 0 ? 0 : 1]);
    await ingest(engine, [series({ __name__: 'probe_success', job: 'x' }, pts)]);
    expect(window(engine, 'web-probe', 5 * M, T0 + 5 * M)).toMatchObject({ total: 20, bad: 4, errorRatio: 0.2 });
  });

  it('samples a timeslice value at every slice boundary with the latest sample before it', async () => {
    const now = { t: T0 + 30 * M };
    const { engine } = setup(now).open();
    // Boundaries 12:01..12:05 see 5, 50, 5, 5, 5; the sample at 12:05:30 closes 12:05.
    await ingest(engine, [series({ __name__: 'depth' }, [[T0, 5], [T0 + 1.5 * M, 50], [T0 + 2.5 * M, 5], [T0 + 5.5 * M, 5]])]);
    expect(window(engine, 'web-depth', 5 * M, T0 + 5 * M)).toMatchObject({ total: 5, bad: 1 });
  });

  it('takes the live 5m window from whole minutes, and longer windows from whole 5m buckets', async () => {
    const now = { t: T0 + 7.5 * M };
    const { engine } = setup(now).open();
    const pts = (f: (m: number) => number): Array<[number, number]> => Array.from({ length: 30 }, (_, i) => [T0 + (i + 1) * 15_000, f((i + 1) / 4)]);
    await ingest(engine, [
      series({ __name__: 'req_total', cluster: 'a', code: '200' }, pts((m) => 100 * m)),
      series({ __name__: 'req_total', cluster: 'a', code: '500' }, pts((m) => (m > 5 ? 10 * (m - 5) : 0))),
    ]);
    // Live at 12:07:30: minutes 12:02..12:07; the 30m window only has the 12:05 bucket.
    expect(window(engine, 'web-api', 5 * M, now.t, 'a')).toMatchObject({ total: 500 + 20, bad: 20 });
    expect(window(engine, 'web-api', 30 * M, now.t, 'a')).toMatchObject({ total: 475, bad: 0 });
  });

  it('fires a tier only after its for duration, and resolves it when the burn stops', async () => {
    const now = { t: T0 + 65 * M };
    const { engine } = setup(now).open();
    const pts = (f: (i: number) => number): Array<[number, number]> => Array.from({ length: 260 }, (_, i) => [T0 + (i + 1) * 15_000, f(i + 1)]);
    await ingest(engine, [
      series({ __name__: 'req_total', cluster: 'a', code: '200' }, pts((i) => 80 * i)),
      series({ __name__: 'req_total', cluster: 'a', code: '500' }, pts((i) => 20 * i)),
    ]);
    const page = () => [...engine.evaluateAlerts(now.t)].filter((a) => a.labels.slo_tier === 'page-fast');
    expect(page()[0]).toMatchObject({ state: 'pending' });
    now.t += 2 * M;
    const firing = page()[0]!;
    expect(firing.state).toBe('firing');
    expect(firing.labels).toMatchObject({ alertname: 'ErrorBudgetBurn', severity: 'page', slo_id: 'web-api', cluster: 'a', long: '1h', short: '5m' });
    expect(firing.annotations.summary).not.toContain('{{');
    now.t += 10 * M; // no new samples: the 5m window empties
    expect(page()[0]).toMatchObject({ state: 'inactive', resolvedAt: now.t });
  });

  it('resumes after a restart with the same SLIs and alert states', async () => {
    const now = { t: T0 + 30 * M };
    const s = setup(now);
    const first = s.open();
    await ingest(first.engine, [series({ __name__: 'req_total', cluster: 'a', code: '500' }, [[T0 + M, 0], [T0 + 2 * M, 7]]), series({ __name__: 'req_total', cluster: 'a', code: '200' }, [[T0 + M, 0], [T0 + 2 * M, 93]])]);
    first.engine.evaluateAlerts();
    const before = JSON.stringify(first.engine.status(T0 + 5 * M).map((x) => x.groups));
    first.store.close();
    const second = s.open();
    expect(JSON.stringify(second.engine.status(T0 + 5 * M).map((x) => x.groups))).toBe(before);
    expect([...second.engine.alerts.keys()].sort()).toEqual([...first.engine.alerts.keys()].sort());
    second.store.close();
  });
});

describe('the engine under pressure', () => {
  it('refuses a write with Overloaded (429, Retry-After) while too many samples wait for the store', async () => {
    const now = { t: T0 + 30 * M };
    const dir = scratchDir('engine-unit-');
    dirs.push(dir);
    writeFiles(dir, { 'slos.yaml': SPEC });
    const store = new SqliteStore(join(dir, 'data'));
    const engine = new Engine({ store, render: DEFAULT_RENDER_OPTIONS, clock: () => now.t, maxPendingSamples: 3 });
    engine.setSlos(loadSlos([join(dir, 'slos.yaml')]).slos);
    const body = (code: string) => [series({ __name__: 'req_total', cluster: 'a', code }, [[T0 + M, 1], [T0 + 2 * M, 2]])];
    const first = engine.ingest(body('200'));
    const second = engine.ingest(body('500'));
    await expect(second).rejects.toBeInstanceOf(Overloaded);
    const err = ingestError(await second.catch((e: unknown) => e));
    expect(err.status).toBe(429);
    expect(err.headers['Retry-After']).toBe('1');
    engine.flush();
    await expect(first).resolves.toMatchObject({ accepted: 2 });
    store.close();
  });

  it('answers 503 when the store cannot write, and keeps nothing of that write', async () => {
    const now = { t: T0 + 30 * M };
    const { engine, store } = setup(now).open();
    const commit = store.commit.bind(store);
    store.commit = () => {
      throw new StoreError('the store could not save this write (database or disk is full); nothing of it was kept, so retry it');
    };
    const body = [series({ __name__: 'req_total', cluster: 'a', code: '200' }, [[T0 + M, 1], [T0 + 2 * M, 11]])];
    const failed = await ingest(engine, body).catch((e: unknown) => e);
    expect(ingestError(failed)).toMatchObject({ status: 503, message: expect.stringMatching(/disk is full.*retry/) });
    expect(window(engine, 'web-api', 5 * M, T0 + 5 * M, 'a')).toBeUndefined();
    store.commit = commit;
    // The retried write counts in full: the failed one left no series position behind.
    await ingest(engine, body);
    expect(window(engine, 'web-api', 5 * M, T0 + 5 * M, 'a')?.total).toBe(10);
  });
});

describe('the engine keeps its memory bounded', () => {
  it('forgets series silent for longer than every window, and a resend that old still counts nowhere', async () => {
    const now = { t: T0 + 30 * M };
    const { engine } = setup(now).open();
    const body = [series({ __name__: 'req_total', cluster: 'a', code: '200' }, [[T0 + M, 1], [T0 + 2 * M, 11]])];
    await ingest(engine, body);
    expect(engine.seriesCount).toBe(1);
    now.t = T0 + 31 * 24 * 60 * M;
    engine.prune(now.t);
    expect(engine.seriesCount).toBe(0);
    expect(engine.state('web-api')!.groups.size).toBe(0);
    expect(await ingest(engine, body)).toMatchObject({ accepted: 1, outOfBounds: 1 });
  });
});
