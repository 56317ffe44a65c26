import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, Overloaded } from '../src/engine/engine.js';
import type { DecodedSeries } from '../src/ingest/series.js';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { ingestError } from '../src/server/remote-write-route.js';
import { loadSlos } from '../src/spec/load.js';
import { CommitThread } from '../src/store/commit-thread.js';
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
`;

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function open(opts: { maxPendingSamples?: number } = {}) {
  const dir = scratchDir('engine-commit-thread-');
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFiles(dir, { 'slos.yaml': SPEC });
  const store = new SqliteStore(join(dir, 'data'));
  const writer = new CommitThread(store.file);
  cleanup.push(async () => {
    await writer.close();
    store.close();
  });
  const engine = new Engine({ store, writer, render: DEFAULT_RENDER_OPTIONS, clock: () => T0 + 30 * M, maxPendingSamples: opts.maxPendingSamples });
  engine.setSlos(loadSlos([join(dir, 'slos.yaml')]).slos);
  /** What another process would read from the file right now. */
  const onDisk = () => {
    const db = new Database(store.file, { readonly: true, fileMustExist: true });
    try {
      const totals = db.prepare('SELECT SUM(total) AS total FROM buckets WHERE res = ?').get(5 * M) as { total: number | null };
      const series = db.prepare('SELECT COUNT(*) AS n FROM series').get() as { n: number };
      return { total: totals.total ?? 0, series: series.n };
    } finally {
      db.close();
    }
  };
  return { engine, store, onDisk };
}

const req = (code: string, points: Array<[number, number]>): DecodedSeries[] => [
  { labels: { __name__: 'req_total', code }, samples: points.map(([m, value]) => ({ timestampMs: T0 + m * M, value })) },
];

function total5m(engine: Engine): number | undefined {
  return engine.status(T0 + 5 * M).find((s) => s.slo.id === 'web-api')?.groups[0]?.windows.find((w) => w.window === 5 * M)?.total;
}

describe('commits on the commit thread', () => {
  it('acknowledge a write only once it is in the file, and apply batches in arrival order', async () => {
    const { engine, onDisk } = open();
    const first = engine.ingest(req('200', [[1, 1], [2, 4]]));
    engine.flush(); // on the writer's thread now; the next request waits for it
    const second = engine.ingest(req('200', [[3, 10]]));
    await expect(first).resolves.toMatchObject({ accepted: 2 });
    expect(onDisk().total).toBeGreaterThanOrEqual(3);
    // Its increase is measured from the first batch's last sample, which was committed before it was collected.
    await expect(second).resolves.toMatchObject({ accepted: 1 });
    expect(onDisk()).toEqual({ total: 9, series: 1 });
    expect(total5m(engine)).toBe(9);
    // A resend of what is stored counts as duplicates, not again.
    await expect(engine.ingest(req('200', [[3, 10]]))).resolves.toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('answer 503 when the store refuses the write, keep nothing of it, and count the retry in full', async () => {
    const { engine, store, onDisk } = open();
    const db = new Database(store.file);
    db.exec(`CREATE TRIGGER full BEFORE INSERT ON buckets BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    const body = req('200', [[1, 1], [2, 11]]);
    const failed = await engine.ingest(body).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StoreError);
    expect(ingestError(failed)).toMatchObject({ status: 503, headers: { 'Retry-After': '5' }, message: expect.stringMatching(/disk is full.*retry/) });
    // The series position was written first in that transaction, and rolled back with it.
    expect(onDisk()).toEqual({ total: 0, series: 0 });
    expect(total5m(engine)).toBeUndefined();
    db.exec('DROP TRIGGER full');
    db.close();
    await expect(engine.ingest(body)).resolves.toMatchObject({ accepted: 2 });
    expect(onDisk()).toEqual({ total: 10, series: 1 });
    expect(total5m(engine)).toBe(10);
  });

  it('answer 429 while the samples of the commit in progress and of the queue exceed the limit', async () => {
    const { engine } = open({ maxPendingSamples: 3 });
    const first = engine.ingest(req('200', [[1, 1], [2, 2]]));
    engine.flush();
    // The queue is empty, so one request may wait whatever its size; a third one may not.
    const second = engine.ingest(req('500', [[1, 1], [2, 2]]));
    await expect(engine.ingest(req('404', [[1, 1]]))).rejects.toBeInstanceOf(Overloaded);
    await expect(first).resolves.toMatchObject({ accepted: 2 });
    await expect(second).resolves.toMatchObject({ accepted: 2 });
    expect(engine.queuedSamples).toBe(0);
  });

  it('let a reload or a prune run between commits, never during one', async () => {
    const { engine, onDisk } = open();
    const first = engine.ingest(req('200', [[1, 1], [2, 4]]));
    engine.flush();
    const seen = await engine.exclusive(() => onDisk());
    // The commit in progress finished before the exclusive step ran; none started during it.
    expect(seen.total).toBe(3);
    await expect(first).resolves.toMatchObject({ accepted: 2 });
    await engine.drain();
  });
});
