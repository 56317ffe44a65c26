// The store's write path on its own thread: the disk sync of a synchronous=FULL commit (~2 ms)
// blocks this thread, not the one decoding requests. Plain JavaScript because a worker thread
// does not load TypeScript. The schema is the main connection's (src/store/sqlite-store.ts),
// created before this worker starts; WAL lets both connections work on the one file.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
// The statements are SqliteStore's own (WRITE_SQL), passed in by commit-thread.ts.
const upsertSeries = db.prepare(workerData.sql.upsertSeries);
const upsertBucket = db.prepare(workerData.sql.upsertBucket);
// Always run, not cached: the main connection's prune and reload delete groups this thread cannot see.
const insertGroup = db.prepare(workerData.sql.insertGroup);

// series: [key, ts, value|null]; groups: [slo, grp, labelsJson]; buckets: [slo, grp, res, end, total, num, samples].
const write = db.transaction((m) => {
  for (const s of m.series) upsertSeries.run(s[0], s[1], s[2]);
  for (const g of m.groups) insertGroup.run(g[0], g[1], g[2]);
  for (const b of m.buckets) upsertBucket.run(b[0], b[1], b[2], b[3], b[4], b[5], b[6]);
});

parentPort.on('message', (m) => {
  if (m.close) {
    db.close();
    parentPort.close();
    return;
  }
  const started = performance.now();
  try {
    write(m);
    parentPort.postMessage({ id: m.id, ms: performance.now() - started });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
