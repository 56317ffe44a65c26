import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ChangeSet, SeriesPoint } from './changes.js';

export interface StoredAlert {
  key: string;
  json: string;
}

/** Thrown when the store cannot take a write; the caller answers 5xx, since a retry can succeed later. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS series (key TEXT PRIMARY KEY, ts INTEGER NOT NULL, value REAL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS groups (slo TEXT NOT NULL, grp TEXT NOT NULL, labels TEXT NOT NULL, PRIMARY KEY (slo, grp)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS buckets (
  slo TEXT NOT NULL, grp TEXT NOT NULL, res INTEGER NOT NULL, end_ms INTEGER NOT NULL,
  total REAL NOT NULL, num REAL NOT NULL, samples REAL NOT NULL,
  PRIMARY KEY (slo, grp, res, end_ms)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS slos (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS alerts (key TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
`;

/**
 * The write path's statements, shared with the commit thread (commit-worker.mjs receives them as
 * workerData), so both connections write a change set the same way.
 */
export const WRITE_SQL = {
  upsertSeries: 'INSERT INTO series (key, ts, value) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET ts = excluded.ts, value = excluded.value',
  upsertBucket:
    'INSERT INTO buckets (slo, grp, res, end_ms, total, num, samples) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
    'ON CONFLICT (slo, grp, res, end_ms) DO UPDATE SET total = total + excluded.total, num = num + excluded.num, samples = samples + excluded.samples',
  insertGroup: 'INSERT OR IGNORE INTO groups (slo, grp, labels) VALUES (?, ?, ?)',
} as const;

/** A write the disk refused inside its transaction: nothing of it was kept. */
export function writeRefused(why: string, file?: string): StoreError {
  // SQLITE_FULL ("database or disk is full") or ENOSPC from the WAL: the operator must make room.
  if (file && /disk is full|SQLITE_FULL|ENOSPC|no space/i.test(why)) {
    return new StoreError(
      `the disk holding the store ${file} is full (${why}); nothing of this write was kept: free space on that disk or give --data-dir a larger one, then retry it (writes resume by themselves once there is room, no restart needed)`,
    );
  }
  return new StoreError(`the store could not save this write (${why}); nothing of it was kept, so retry it`);
}

/**
 * The engine's durable state in one SQLite file: the last sample of every matched series and the
 * per-SLO buckets. Every change set is one transaction in WAL mode with synchronous=FULL, so once
 * `commit` returns the change survives a kill -9 or a power cut, and a failed commit leaves nothing.
 */
export class SqliteStore {
  private readonly db: Database.Database;
  private readonly upsertSeries: Database.Statement;
  private readonly upsertBucket: Database.Statement;
  private readonly insertGroup: Database.Statement;
  private readonly bucketsOfGroup: Database.Statement;
  readonly file: string;
  /**
   * Groups known to be in the `groups` table (`slo\0grp`), so a commit inserts each group once,
   * not once per bucket. Filled only after a commit succeeds; forgotten when rows can be deleted.
   */
  private readonly storedGroups = new Set<string>();
  /** Duration of the last commits, for the engine's own health metrics. */
  lastCommitMs = 0;

  constructor(dir: string, opts: { synchronous?: 'FULL' | 'NORMAL' } = {}) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'slo-engine.sqlite');
    try {
      this.db = new Database(this.file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (e) {
      throw new StoreError(`cannot open the store ${this.file}: ${(e as Error).message}; check --data-dir points at a writable folder with free space`);
    }
    this.upsertSeries = this.db.prepare(WRITE_SQL.upsertSeries);
    this.upsertBucket = this.db.prepare(WRITE_SQL.upsertBucket);
    this.insertGroup = this.db.prepare(WRITE_SQL.insertGroup);
    this.bucketsOfGroup = this.db.prepare('SELECT res, end_ms, total, num, samples FROM buckets WHERE slo = ? AND grp = ? ORDER BY res, end_ms').raw();
  }

  /** Writes a change set atomically; throws StoreError (nothing written) when the disk refuses. */
  commit(changes: ChangeSet): void {
    const started = performance.now();
    const newGroups = new Set<string>();
    try {
      this.db.transaction(() => {
        // SQLite has no NaN; NULL stands for a staleness marker.
        for (const [key, p] of changes.series) this.upsertSeries.run(key, p.ts, Number.isNaN(p.v) ? null : p.v);
        for (const b of changes.buckets.values()) {
          const g = `${b.slo}\u0000${b.group}`;
          if (!this.storedGroups.has(g) && !newGroups.has(g)) {
            this.insertGroup.run(b.slo, b.group, JSON.stringify(b.groupLabels));
            newGroups.add(g);
          }
          this.upsertBucket.run(b.slo, b.group, b.res, b.end, b.total, b.num, b.samples);
        }
      })();
      for (const g of newGroups) this.storedGroups.add(g);
    } catch (e) {
      throw writeRefused((e as Error).message, this.file);
    } finally {
      this.lastCommitMs = performance.now() - started;
    }
  }

  series(): Array<[string, SeriesPoint]> {
    return (this.db.prepare('SELECT key, ts, value FROM series').all() as Array<{ key: string; ts: number; value: number | null }>).map((r) => [r.key, { ts: r.ts, v: r.value ?? NaN }]);
  }

  /** Every stored group, with its labels as stored (JSON); a restore reads each one's buckets in turn. */
  groups(): Array<{ slo: string; grp: string; labels: string }> {
    return this.db.prepare('SELECT slo, grp, labels FROM groups').all() as Array<{ slo: string; grp: string; labels: string }>;
  }

  /**
   * Calls `visit` with each stored bucket of one group, in primary-key order (by resolution, then
   * oldest first, the order they were written in live). Rows are read
   * raw and handed over as numbers: a restore of millions of buckets builds no object per bucket,
   * and the primary key serves the order without a sort.
   */
  forEachBucket(slo: string, grp: string, visit: (res: number, end: number, total: number, num: number, samples: number) => void): void {
    for (const r of this.bucketsOfGroup.iterate(slo, grp) as IterableIterator<[number, number, number, number, number]>) visit(r[0], r[1], r[2], r[3], r[4]);
  }

  /** SLO id → fingerprint of the definition its buckets were computed for. */
  fingerprints(): Map<string, string> {
    return new Map((this.db.prepare('SELECT id, fingerprint FROM slos').all() as Array<{ id: string; fingerprint: string }>).map((r) => [r.id, r.fingerprint]));
  }

  /** Records the loaded SLOs; buckets of an SLO whose definition changed are dropped, as they measured something else. */
  setSlos(fingerprints: ReadonlyMap<string, string>): string[] {
    const old = this.fingerprints();
    const changed = [...fingerprints].filter(([id, fp]) => old.has(id) && old.get(id) !== fp).map(([id]) => id);
    this.storedGroups.clear();
    this.db.transaction(() => {
      for (const id of changed) {
        this.db.prepare('DELETE FROM buckets WHERE slo = ?').run(id);
        this.db.prepare('DELETE FROM groups WHERE slo = ?').run(id);
      }
      const put = this.db.prepare('INSERT INTO slos (id, fingerprint) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint');
      for (const [id, fp] of fingerprints) put.run(id, fp);
    })();
    return changed;
  }

  /** Drops buckets no window can reach any more, and series last seen at or before `seriesBefore`. */
  prune(retention: ReadonlyMap<string, { res: number; before: number }[]>, seriesBefore: number): void {
    const del = this.db.prepare('DELETE FROM buckets WHERE slo = ? AND res = ? AND end_ms <= ?');
    this.storedGroups.clear();
    this.db.transaction(() => {
      for (const [slo, rules] of retention) for (const r of rules) del.run(slo, r.res, r.before);
      this.db.prepare('DELETE FROM series WHERE ts <= ?').run(seriesBefore);
      this.db.prepare('DELETE FROM groups WHERE NOT EXISTS (SELECT 1 FROM buckets b WHERE b.slo = groups.slo AND b.grp = groups.grp)').run();
    })();
  }

  /** Writes the alerts that changed and removes those that are gone, in one transaction. */
  saveAlertChanges(upserts: StoredAlert[], deletes: string[]): void {
    this.db.transaction(() => {
      const put = this.db.prepare('INSERT INTO alerts (key, json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET json = excluded.json');
      for (const a of upserts) put.run(a.key, a.json);
      const del = this.db.prepare('DELETE FROM alerts WHERE key = ?');
      for (const k of deletes) del.run(k);
    })();
  }

  alerts(): StoredAlert[] {
    return this.db.prepare('SELECT key, json FROM alerts').all() as StoredAlert[];
  }

  /** Sums per SLO of everything stored, for checks that nothing acknowledged was lost. */
  totals(): Array<{ slo: string; res: number; total: number; num: number; samples: number }> {
    return this.db.prepare('SELECT slo, res, SUM(total) AS total, SUM(num) AS num, SUM(samples) AS samples FROM buckets GROUP BY slo, res ORDER BY slo, res').all() as Array<{
      slo: string;
      res: number;
      total: number;
      num: number;
      samples: number;
    }>;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
