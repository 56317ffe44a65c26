import { createHash } from 'node:crypto';
import { BASE_WINDOW } from '../model/constants.js';
import type { Slo } from '../model/slo.js';
import type { RenderOptions } from '../rules/types.js';
import type { DecodedSeries } from '../ingest/series.js';
import { ChangeSet, type BucketDelta, type SeriesPoint } from '../store/changes.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { stepAlerts, type ActiveAlert, type Condition } from './alert-state.js';
import { alertRulesOf, sloConditions, type SloAlertRules } from './conditions.js';
import { evaluateGroup, type GroupStatus } from './evaluate.js';
import { collectChanges, MatchIndex } from './ingest.js';
import { SeriesGuard, type SeriesRefusal } from './series-guard.js';
import { excludedAt } from './maintenance.js';
import { restoreBuckets } from './restore.js';
import { FINE_RES, SloState } from './slo-state.js';

export interface EngineOptions {
  store: SqliteStore;
  render: RenderOptions;
  clock?: () => number;
  /** Samples waiting for the store beyond which ingest answers 429. */
  maxPendingSamples?: number;
  /** Whether SLOs that need PromQL have a query API to read from. */
  queryBackend?: boolean;
  /** How far ahead of the clock a sample may be; further is refused. Default 10m. */
  maxFutureMs?: number;
  /** Told how long each store commit took, for the health metrics. */
  onCommit?: (ms: number) => void;
  /**
   * Commits on another thread (src/store/commit-thread.ts) so the disk sync overlaps decoding;
   * without it `flush()` commits synchronously through `store`, as scripts and tests expect.
   */
  writer?: { commit(changes: ChangeSet): Promise<number> };
  /** Tenancy on: the SLO label naming its tenant; a tenant's samples count only towards its SLOs. */
  tenantLabel?: string;
  /** The cardinality guard: active series one SLO takes samples from (series-guard.ts). */
  maxSeriesPerSlo?: number;
  /** Told once per SLO when it first refuses a series for the limit. */
  onSeriesLimit?: (sloId: string, limit: number) => void;
}

export interface IngestOutcome {
  accepted: number;
  duplicates: number;
  outOfBounds: number;
  matchedSeries: number;
  /** SLOs that dropped samples of new series for the cardinality guard. */
  refused?: SeriesRefusal[];
}

/** Ingest refused because the store is behind; the client should retry after `retryAfterS`. */
export class Overloaded extends Error {
  constructor(readonly retryAfterS: number) {
    super(`the engine is behind on writes; retry after ${retryAfterS}s`);
    this.name = 'Overloaded';
  }
}

export interface SloStatus {
  slo: Slo;
  /** `ingest`: from remote-write/OTLP; `query`: from the Prometheus-compatible API; `unavailable`: needs one. */
  source: 'ingest' | 'query' | 'unavailable';
  reason?: string;
  /** Query mode: when the backend was last read; live windows show that moment. */
  readAt?: number;
  /** When data last arrived (ingest: the newest minute with samples; query: the last read). */
  lastDataAt?: number;
  windows: number[];
  groups: GroupStatus[];
  /** Why the numbers may be partial (the cardinality guard dropped series), with the field it concerns. */
  warnings?: Array<{ field: string; reason: string }>;
}

interface Pending {
  series: readonly DecodedSeries[];
  tenant: string | undefined;
  samples: number;
  resolve: (o: IngestOutcome) => void;
  reject: (e: Error) => void;
}

const NO_SLOS = new MatchIndex([]);

/**
 * One index per tenant. Series keys start with the tenant, so the same labels sent by two
 * tenants are two series, each with its own last sample.
 */
function tenantIndexes(states: Iterable<SloState>, label: string): Map<string, MatchIndex> {
  const byTenant = new Map<string, SloState[]>();
  for (const s of states) {
    const tenant = s.slo.labels[label];
    if (tenant === undefined) continue;
    byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), s]);
  }
  return new Map([...byTenant].map(([tenant, list]) => [tenant, new MatchIndex(list, `${tenant}\u0000`)]));
}

/** What an SLO's buckets depend on: change it and the old buckets measured something else. */
export function fingerprint(slo: Slo): string {
  return createHash('sha256').update(JSON.stringify({ sli: slo.sli, window: slo.window })).digest('hex').slice(0, 16);
}

/**
 * The live SLO engine: matched samples in, per-SLO buckets, windows, burn rates and alert states
 * out. Writes are group-committed: everything that arrived in one turn of the event loop is
 * computed into one change set, stored in one transaction, then applied, then acknowledged.
 */
export class Engine {
  private states = new Map<string, SloState>();
  /**
   * Every SLO's state with its alert rules, in the order of `states`: the alert path walks all
   * of them at every evaluation, and an array of pairs is one pass where the map's iterator and
   * a lookup of the rules by id per SLO were two more reads of memory that is rarely in cache.
   */
  private evaluated: Array<{ state: SloState; rules: SloAlertRules }> = [];
  private index = new MatchIndex([]);
  /** With tenancy: each tenant's own index, so its samples reach only its SLOs. */
  private tenantIndexes = new Map<string, MatchIndex>();
  private readonly seriesState = new Map<string, SeriesPoint>();
  private queue: Pending[] = [];
  private pendingSamples = 0;
  private flushScheduled = false;
  /** The writer's commit in progress; the next batch is collected only once it settled and was applied. */
  private inFlight: Promise<void> | undefined;
  /** Callers of `exclusive` waiting or running: no commit starts meanwhile. */
  private pauses = 0;
  readonly alerts = new Map<string, ActiveAlert>();
  /** What the store holds of each alert, so that an evaluation writes only changes. */
  private readonly savedAlerts = new Map<string, string>();
  /** Alerts whose state may differ from what the store holds: compared (and written) at the next evaluation. */
  private readonly unsaved = new Set<string>();
  readonly clock: () => number;

  readonly seriesGuard: SeriesGuard;

  constructor(private readonly opts: EngineOptions) {
    this.clock = opts.clock ?? Date.now;
    this.seriesGuard = new SeriesGuard(opts.maxSeriesPerSlo, opts.onSeriesLimit);
  }

  get slos(): Slo[] {
    return [...this.states.values()].map((s) => s.slo);
  }

  get keep(): (metric: string) => boolean {
    return this.index.keep;
  }

  get matchedMetrics(): string[] {
    return this.index.metrics;
  }

  /** Loads an SLO set; SLOs whose definition is unchanged keep their buckets. */
  setSlos(slos: readonly Slo[]): { dropped: string[] } {
    const prints = new Map(slos.map((s) => [s.id, fingerprint(s)]));
    const dropped = this.opts.store.setSlos(prints);
    const next = new Map<string, SloState>();
    for (const slo of slos) {
      const old = this.states.get(slo.id);
      const keep = old && !dropped.includes(slo.id) && fingerprint(old.slo) === prints.get(slo.id);
      const state = keep ? new SloState(slo).adopt(old) : new SloState(slo);
      next.set(slo.id, state);
    }
    this.states = next;
    this.evaluated = [...next.values()].map((state) => ({ state, rules: alertRulesOf(state.slo, this.opts.render) }));
    this.index = new MatchIndex(next.values());
    this.seriesGuard.retain(new Set(next.keys()));
    this.tenantIndexes = this.opts.tenantLabel ? tenantIndexes(next.values(), this.opts.tenantLabel) : new Map();
    for (const [key, a] of this.alerts) if (!next.has(a.slo)) this.alerts.delete(key);
    return { dropped };
  }

  /** Reads the store back after a restart: series positions, buckets and alert states. */
  restore(): void {
    for (const [key, p] of this.opts.store.series()) this.seriesState.set(key, p);
    restoreBuckets(this.opts.store, this.states);
    for (const a of this.opts.store.alerts()) {
      this.savedAlerts.set(a.key, a.json);
      const alert = JSON.parse(a.json) as ActiveAlert;
      // A pending alert waits its whole `for` again: the engine was not watching while it was down.
      if (alert.state !== 'pending') this.alerts.set(a.key, alert);
      this.unsaved.add(a.key);
    }
  }

  /** Queues decoded series; resolves once their effect is durable, rejects with Overloaded or StoreError. */
  ingest(series: readonly DecodedSeries[], tenant?: string): Promise<IngestOutcome> {
    const samples = series.reduce((n, s) => n + s.samples.length, 0);
    const max = this.opts.maxPendingSamples ?? 2_000_000;
    if (this.pendingSamples + samples > max && this.queue.length > 0) {
      return Promise.reject(new Overloaded(1));
    }
    this.pendingSamples += samples;
    return new Promise((resolve, reject) => {
      this.queue.push({ series, tenant, samples, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Without tenancy every sample may count towards every SLO; with it, a tenant's own SLOs only. */
  private indexFor(tenant: string | undefined): MatchIndex {
    if (!this.opts.tenantLabel) return this.index;
    return (tenant !== undefined && this.tenantIndexes.get(tenant)) || NO_SLOS;
  }

  /** Takes the queue and computes its effect from the committed state, touching nothing. */
  private collect(batch: Pending[]): { changes: ChangeSet; outcomes: IngestOutcome[] } {
    const now = this.clock();
    const changes = new ChangeSet();
    const outcomes: IngestOutcome[] = [];
    for (const p of batch) {
      const before = { a: changes.accepted, d: changes.duplicates, o: changes.outOfBounds };
      collectChanges(p.series, this.indexFor(p.tenant), (k) => this.seriesState.get(k), now, changes, this.opts.maxFutureMs, this.seriesGuard);
      const refused = this.seriesGuard.takeRefusals();
      outcomes.push({ accepted: changes.accepted - before.a, duplicates: changes.duplicates - before.d, outOfBounds: changes.outOfBounds - before.o, matchedSeries: p.series.length, ...(refused.length ? { refused } : {}) });
      // Let the decoded samples go now, not once the commit is durable: held across the commit
      // they outlive a young-generation collection and pile up in V8's old space.
      p.series = [];
    }
    return { changes, outcomes };
  }

  /**
   * With a writer: one commit at a time, in arrival order. The queue's change set goes to the
   * writer; once durable it is applied and its requests are answered, then the requests that
   * queued meanwhile go as the next batch (their samples still count towards the 429 limit).
   */
  private startCommit(writer: NonNullable<EngineOptions['writer']>): void {
    if (this.inFlight || this.pauses > 0 || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const samples = batch.reduce((n, p) => n + p.samples, 0);
    const { changes, outcomes } = this.collect(batch);
    if (changes.empty) {
      this.pendingSamples -= samples;
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
      return;
    }
    this.inFlight = writer
      .commit(changes)
      .then(
        (ms) => {
          this.opts.onCommit?.(ms);
          this.apply(changes);
          batch.forEach((p, i) => p.resolve(outcomes[i]!));
        },
        (e: Error) => batch.forEach((p) => p.reject(e)),
      )
      .finally(() => {
        this.pendingSamples -= samples;
        this.inFlight = undefined;
        this.startCommit(writer);
      });
  }

  /** Runs `fn` with no commit in progress (a reload or a prune must not interleave with one). */
  async exclusive<T>(fn: () => T): Promise<T> {
    this.pauses++;
    try {
      while (this.inFlight) await this.inFlight;
      return fn();
    } finally {
      this.pauses--;
      if (this.opts.writer) this.startCommit(this.opts.writer);
    }
  }

  /** Resolves once everything queued is committed and applied (or refused). */
  async drain(): Promise<void> {
    const writer = this.opts.writer;
    if (!writer) return this.flush();
    for (;;) {
      this.startCommit(writer);
      if (!this.inFlight) return;
      await this.inFlight;
    }
  }

  /** Stores and applies everything queued, in one transaction (with a writer: starts that commit). */
  flush(): void {
    this.flushScheduled = false;
    if (this.opts.writer) return this.startCommit(this.opts.writer);
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const { changes, outcomes } = this.collect(batch);
    this.pendingSamples -= batch.reduce((n, p) => n + p.samples, 0);
    try {
      if (!changes.empty) this.opts.store.commit(changes);
    } catch (e) {
      for (const p of batch) p.reject(e as Error);
      return;
    }
    if (!changes.empty) this.opts.onCommit?.(this.opts.store.lastCommitMs);
    this.apply(changes);
    batch.forEach((p, i) => p.resolve(outcomes[i]!));
  }

  private apply(changes: ChangeSet): void {
    for (const [key, p] of changes.series) this.seriesState.set(key, p);
    for (const b of changes.buckets.values()) this.addBucket(b);
  }

  /** One written bucket into its SLO's ring (restore.ts hands the store's rows to the same SloState.addBucket). */
  private addBucket(b: BucketDelta): void {
    const state = this.states.get(b.slo);
    if (!state) return;
    state.addBucket(state.group(b.group, b.groupLabels), b.res, b.end, b.total, b.num, b.samples);
  }

  /** Replaces buckets with values a query API computed (bad and total per base window). */
  setQueryBuckets(sloId: string, rows: ReadonlyArray<{ labels: Record<string, string>; key: string; end: number; total: number; bad: number; fine?: boolean }>): void {
    const state = this.states.get(sloId);
    if (!state) return;
    for (const r of rows) {
      const g = state.group(r.key, r.labels);
      const out = excludedAt(state.slo, r.end);
      (r.fine ? g.fine : g.base).set(r.end, out ? 0 : r.total, out ? 0 : r.bad, 1);
    }
  }

  /**
   * History for a stream-computed SLO from before it had data: 5m buckets the stream has not
   * filled, taken from a query API's evaluation of the rules' base expressions. Kept in memory
   * only; the next start reads them again.
   */
  fillHistory(sloId: string, rows: ReadonlyArray<{ labels: Record<string, string>; key: string; end: number; total: number; bad: number }>): number {
    const state = this.states.get(sloId);
    if (!state || state.plan.mode !== 'ingest') return 0;
    let filled = 0;
    for (const r of rows) {
      const g = state.group(r.key, r.labels);
      if (g.base.get(r.end)) continue;
      const out = excludedAt(state.slo, r.end);
      g.base.set(r.end, out ? 0 : r.total, out ? 0 : state.plan.numOf(r.total, r.bad), 1);
      filled++;
    }
    return filled;
  }

  /** End of the oldest 5m bucket the stream filled for an SLO, or undefined without any. */
  firstStreamBucket(sloId: string): number | undefined {
    const state = this.states.get(sloId);
    let first: number | undefined;
    for (const g of state?.groups.values() ?? []) {
      const e = g.base.entries()[0]?.end;
      if (e !== undefined && (first === undefined || e < first)) first = e;
    }
    return first;
  }

  setQueryError(sloId: string, error: string | undefined): void {
    const s = this.states.get(sloId);
    if (s) s.queryError = error;
  }

  queryError(sloId: string): string | undefined {
    return this.states.get(sloId)?.queryError;
  }

  state(sloId: string): SloState | undefined {
    return this.states.get(sloId);
  }

  /** Every SLO's windows, burn rates and budget as the rules would record them at time `t`. */
  status(t: number = this.clock()): SloStatus[] {
    const now = this.clock();
    return [...this.states.values()].map((state) => this.statusOf(state, t, now));
  }

  statusOf(state: SloState, t: number, now: number = this.clock()): SloStatus {
    const source = state.plan.mode === 'ingest' ? 'ingest' : this.opts.queryBackend ? 'query' : 'unavailable';
    // A query backend that is down means no data, never a stale or a perfect SLI.
    if (source === 'query' && state.queryError) return { slo: state.slo, source, reason: state.queryError, windows: state.windows, groups: [] };
    const lastDataAt = source === 'query' ? state.queryReadAt : state.lastDataMs;
    const groups = source === 'unavailable' ? [] : [...state.groups.values()].map((g) => evaluateGroup(state, g, t, now)).filter((g) => g.windows.some((w) => w.total !== undefined || w.errorRatio !== undefined));
    return {
      slo: state.slo,
      source,
      ...(source === 'query' && lastDataAt !== undefined ? { readAt: lastDataAt } : {}),
      ...(lastDataAt !== undefined ? { lastDataAt } : {}),
      ...(source === 'unavailable' ? { reason: `${state.plan.queryReason}; start the engine with --prometheus-url to compute it` } : {}),
      windows: state.windows,
      groups,
      ...(this.seriesGuard.warning(state.slo.id, now) ? { warnings: [this.seriesGuard.warning(state.slo.id, now)!] } : {}),
    };
  }

  /** Why the last evaluation could not save its alert states (they are retried at the next one). */
  alertSaveError: string | undefined;

  /** One evaluation: every alert condition, stepped through pending/firing/resolved, persisted. */
  evaluateAlerts(now: number = this.clock()): ActiveAlert[] {
    const conditions: Condition[] = [];
    const t = this.clock();
    const evaluated = this.evaluated;
    for (let i = 0; i < evaluated.length; i++) {
      const { state, rules } = evaluated[i]!;
      // As statusOf: without a query backend a query-mode SLO is unavailable; with one that failed, it has no data.
      const ingest = state.plan.mode === 'ingest';
      if (!ingest && !this.opts.queryBackend) continue;
      sloConditions(state, rules, now, t, !ingest && !!state.queryError, conditions);
    }
    stepAlerts(this.alerts, conditions, now, this.unsaved);
    const list = [...this.alerts.values()];
    // Only what changed is written: most evaluations change no alert state at all. Alerts that
    // did not change since they were last compared with the store are not serialised again.
    const upserts: Array<{ key: string; json: string }> = [];
    for (const key of this.unsaved) {
      const a = this.alerts.get(key);
      if (!a) continue;
      const json = JSON.stringify(a);
      if (this.savedAlerts.get(key) !== json) upserts.push({ key, json });
    }
    const deletes = [...this.savedAlerts.keys()].filter((k) => !this.alerts.has(k));
    if (upserts.length || deletes.length) {
      try {
        this.opts.store.saveAlertChanges(upserts, deletes);
      } catch (e) {
        // A full disk must not stop alerting: the states are sent all the same, and saved once there is room.
        this.alertSaveError = (e as Error).message;
        return list;
      }
      for (const u of upserts) this.savedAlerts.set(u.key, u.json);
      for (const k of deletes) this.savedAlerts.delete(k);
    }
    this.alertSaveError = undefined;
    // Cleared only once stored: a failed write is retried at the next evaluation.
    this.unsaved.clear();
    return list;
  }

  /** Drops stored buckets that no window reaches any more. */
  prune(now: number = this.clock()): void {
    const retention = new Map<string, { res: number; before: number }[]>();
    for (const s of this.states.values()) retention.set(s.slo.id, [
      { res: BASE_WINDOW, before: now - s.retentionMs },
      { res: FINE_RES, before: now - 15 * FINE_RES },
    ]);
    // A series silent for longer than every window can only send samples that count nowhere, so
    // its last point can go: a resend that old is out of bounds, never counted twice.
    // A group (a cluster, a namespace) with no bucket left in any window is gone: drop it.
    for (const s of this.states.values()) {
      for (const [key, g] of s.groups) if (!g.base.entries().some((b) => b.end > now - s.retentionMs)) s.dropGroup(key);
    }
    const oldest = now - Math.max(0, ...[...this.states.values()].map((s) => s.retentionMs));
    for (const [key, p] of this.seriesState) if (p.ts <= oldest) this.seriesState.delete(key);
    this.seriesGuard.forgetIdle(now);
    this.opts.store.prune(retention, oldest);
  }

  get seriesCount(): number {
    return this.seriesState.size;
  }

  get queuedSamples(): number {
    return this.pendingSamples;
  }
}
