import { Worker } from 'node:worker_threads';
import { projectPath } from '../paths.js';
import type { ChangeSet } from './changes.js';
import { StoreError, WRITE_SQL, writeRefused } from './sqlite-store.js';

interface Waiting {
  resolve: (ms: number) => void;
  reject: (e: Error) => void;
}

/**
 * Commits change sets on a worker thread with its own connection to the store's file
 * (src/store/commit-worker.mjs), same transaction and synchronous=FULL as SqliteStore.commit: the
 * promise resolves once the change is durable, and rejects with StoreError (nothing written) when
 * the disk refuses it. The main thread decodes the next requests meanwhile.
 */
export class CommitThread {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;

  constructor(private readonly file: string) {}

  /** Resolves with the commit's duration in ms. */
  commit(changes: ChangeSet): Promise<number> {
    const series: Array<[string, number, number | null]> = [];
    // SQLite has no NaN; NULL stands for a staleness marker.
    for (const [key, p] of changes.series) series.push([key, p.ts, Number.isNaN(p.v) ? null : p.v]);
    const groups: Array<[string, string, string]> = [];
    const seen = new Set<string>();
    const buckets: Array<[string, string, number, number, number, number, number]> = [];
    for (const b of changes.buckets.values()) {
      const g = `${b.slo}\u0000${b.group}`;
      if (!seen.has(g)) {
        seen.add(g);
        groups.push([b.slo, b.group, JSON.stringify(b.groupLabels)]);
      }
      buckets.push([b.slo, b.group, b.res, b.end, b.total, b.num, b.samples]);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.thread().postMessage({ id, series, groups, buckets });
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // A small young generation: the worker's garbage is one change set at a time, and V8's default
    // semi-spaces would add ~15 MiB of resident memory for nothing (collections run on its own core).
    const w = new Worker(projectPath('src', 'store', 'commit-worker.mjs'), { workerData: { file: this.file, sql: WRITE_SQL }, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    w.on('message', (m: { id: number; ms?: number; error?: string }) => {
      const waiting = this.waiting.get(m.id);
      if (!waiting) return;
      this.waiting.delete(m.id);
      if (m.error === undefined) waiting.resolve(m.ms!);
      else waiting.reject(writeRefused(m.error, this.file));
    });
    // A dead worker (cannot open the file, crashed) fails what it held; the next commit starts a new one.
    const fail = (why: string) => {
      if (this.worker === w) this.worker = undefined;
      for (const waiting of this.waiting.values()) waiting.reject(new StoreError(`the store could not save this write (${why}); retry it`));
      this.waiting.clear();
    };
    w.on('error', (e) => fail(e.message));
    w.on('exit', (code) => fail(`the commit thread exited with code ${code}`));
    this.worker = w;
    return w;
  }

  /** Ends the worker once the commits already sent are done. */
  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ close: true });
    await exited;
  }
}
