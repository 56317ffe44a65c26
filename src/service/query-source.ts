import { PrometheusDriver, type QueryResult } from 'prometheus-query';
import { BASE_WINDOW } from '../model/constants.js';
import type { Engine } from '../engine/engine.js';
import { queryExpressions, subqueryStep } from '../engine/query-expressions.js';
import { FINE_RES, groupOf } from '../engine/slo-state.js';

export interface QuerySourceOptions {
  url: string;
  engine: Engine;
  log: (line: string) => void;
  /** How often recent buckets are re-read. */
  refreshMs?: number;
  /** How far back each refresh re-reads, to pick up late samples. */
  overlapMs?: number;
  /** Tenancy on: each SLO's queries carry its tenant in X-Scope-OrgID, as Mimir and Cortex expect. */
  tenantLabel?: string;
}

type Row = { labels: Record<string, string>; key: string; end: number; total: number; bad: number; fine?: boolean };

/**
 * SLIs the stream cannot compute (PromQL templates, native histograms, raw ratios) read from a
 * Prometheus-compatible API: on start, the whole SLO window in 5m steps (the backfill); then
 * every minute the last half hour again and the live 5m value.
 */
export class QuerySource {
  private readonly drivers = new Map<string, PrometheusDriver>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly opts: QuerySourceOptions) {}

  /** One client per tenant ('' without tenancy), each sending its tenant's header. */
  private driverFor(tenant: string | undefined): PrometheusDriver {
    const key = tenant ?? '';
    let d = this.drivers.get(key);
    if (!d) {
      d = new PrometheusDriver({ endpoint: this.opts.url.replace(/\/+$/, ''), baseURL: '/api/v1', timeout: 30_000, preferPost: true, ...(tenant === undefined ? {} : { headers: { 'X-Scope-OrgID': tenant } }) });
      this.drivers.set(key, d);
    }
    return d;
  }

  async start(): Promise<void> {
    await this.refresh(true);
    // A backend slower than the interval gets one read at a time, not a pile of them.
    this.timer = setInterval(() => {
      if (!this.running) void this.refresh();
    }, this.opts.refreshMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reads once more after any read under way, so a reload's new SLOs are read with their new expressions. */
  refresh(full = false): Promise<void> {
    const next = (this.running ?? Promise.resolve()).then(() => this.run(full)).catch((e: unknown) => this.opts.log(`query API ${this.opts.url}: ${describe(e)}`));
    this.running = next;
    void next.finally(() => {
      if (this.running === next) this.running = undefined;
    });
    return next;
  }

  private async run(full: boolean): Promise<void> {
    const { engine } = this.opts;
    const now = engine.clock();
    const end = Math.floor(now / BASE_WINDOW) * BASE_WINDOW;
    for (const slo of engine.slos) {
      // A reload may have replaced or removed the SLO while an earlier read awaited.
      const state = engine.state(slo.id);
      if (!state || state.slo !== slo) continue;
      if (state.plan.mode !== 'query') {
        if (full || !state.queryFilled) await this.backfill(slo.id, end, now);
        state.queryFilled = true;
        continue;
      }
      const from = full || !state.queryFilled ? end - state.retentionMs + BASE_WINDOW : end - (this.opts.overlapMs ?? 30 * 60_000);
      try {
        const rows = await this.read(slo.id, from, end, now);
        if (engine.state(slo.id) !== state) continue;
        engine.setQueryBuckets(slo.id, rows);
        state.queryFilled = true;
        state.queryReadAt = Math.floor(now / FINE_RES) * FINE_RES;
        engine.setQueryError(slo.id, undefined);
      } catch (e) {
        const message = `query API ${this.opts.url} failed for SLO ${slo.id}: ${describe(e)}`;
        if (engine.queryError(slo.id) !== message) this.opts.log(message);
        engine.setQueryError(slo.id, message);
      }
    }
  }

  /** Fills a stream-computed SLO's window from before its first ingested data (the backfill on start). */
  private async backfill(sloId: string, end: number, now: number): Promise<void> {
    const { engine } = this.opts;
    const state = engine.state(sloId)!;
    const first = engine.firstStreamBucket(sloId);
    const to = first === undefined ? end : Math.min(end, first - BASE_WINDOW);
    const from = end - state.retentionMs + BASE_WINDOW;
    if (to < from) return;
    try {
      const rows = (await this.read(sloId, from, to, now)).filter((r) => !r.fine);
      const filled = engine.fillHistory(sloId, rows);
      if (filled) this.opts.log(`SLO ${sloId}: ${filled} 5m buckets of history before ${new Date(to + BASE_WINDOW).toISOString()} read from ${this.opts.url}`);
    } catch (e) {
      this.opts.log(`SLO ${sloId}: no history from ${this.opts.url} (${describe(e)}); its windows fill from the stream`);
    }
  }

  private async read(sloId: string, from: number, to: number, now: number): Promise<Row[]> {
    const state = this.opts.engine.state(sloId)!;
    const driver = this.driverFor(this.opts.tenantLabel ? state.slo.labels[this.opts.tenantLabel] : undefined);
    const exprs = queryExpressions(state.slo);
    const groupBy = state.plan.groupBy;
    const rows: Row[] = [];
    const step = BASE_WINDOW / 1000;
    const points = pointsPerQuery(subqueryStep(state.slo));
    const live = Math.floor(now / FINE_RES) * FINE_RES;
    if (exprs.kind === 'ratio') {
      // Without counts each 5m ratio weighs one, so longer windows average them like the rules' SLO window.
      for (const s of series(await this.range(driver, exprs.errorRatio, from, to, step, points))) for (const [t, v] of s.points) rows.push({ ...group(s.labels, groupBy), end: t, total: 1, bad: v });
      for (const s of series(await driver.instantQuery(exprs.errorRatio, new Date(live)))) rows.push(...liveRows(s.labels, groupBy, live, 1, s.points[0]![1]));
      const byGroup = new Map<string, Map<number, number>>();
      for (const [w, expr] of exprs.perWindow) {
        for (const s of series(await driver.instantQuery(expr, new Date(live)))) {
          const key = group(s.labels, groupBy).key;
          if (!byGroup.has(key)) byGroup.set(key, new Map());
          if (s.points[0]) byGroup.get(key)!.set(w, s.points[0][1]);
        }
      }
      state.liveRatios = { at: live, byGroup };
      return rows;
    }
    const totals = series(await this.range(driver, exprs.total, from, to, step, points));
    const bads = new Map(series(await this.range(driver, exprs.bad, from, to, step, points)).map((s) => [group(s.labels, groupBy).key, new Map(s.points)]));
    for (const s of totals) {
      const g = group(s.labels, groupBy);
      const bad = bads.get(g.key);
      for (const [t, total] of s.points) rows.push({ ...g, end: t, total, bad: bad?.get(t) ?? 0 });
    }
    const liveTotal = series(await driver.instantQuery(exprs.total, new Date(live)));
    const liveBad = new Map(series(await driver.instantQuery(exprs.bad, new Date(live))).map((s) => [group(s.labels, groupBy).key, s.points[0]![1]]));
    for (const s of liveTotal) rows.push(...liveRows(s.labels, groupBy, live, s.points[0]![1], liveBad.get(group(s.labels, groupBy).key) ?? 0));
    return rows;
  }

  /** Range queries over long windows are split into pieces of at most `points` steps (see pointsPerQuery). */
  private async range(driver: PrometheusDriver, query: string, from: number, to: number, stepS: number, points: number): Promise<QueryResult[]> {
    const out: QueryResult[] = [];
    const span = points * stepS * 1000;
    for (let start = from; start <= to; start += span) out.push(await driver.rangeQuery(query, new Date(start), new Date(Math.min(to, start + span - stepS * 1000)), stepS));
    return out;
  }
}

/**
 * Points per range query. Prometheus answers at most 11,000 per series. VictoriaMetrics also caps
 * the points a subquery evaluates per series (-search.maxPointsPerTimeseries, 30,000 by default),
 * and a subquery evaluates base / step of them per point: a 1m-slice timeslice over a 30d window
 * in one query needs 43,200 and is refused.
 */
function pointsPerQuery(subqueryStepMs: number): number {
  return Math.max(1, Math.min(10_000, Math.floor((20_000 * subqueryStepMs) / BASE_WINDOW)));
}

/**
 * The group a returned series belongs to. Without a groupBy (raw error ratios, PromQL that keeps
 * labels of its own) every series the query returns is a group of its own, as it is a series of
 * its own in what the recording rules record.
 */
function group(labels: Record<string, string>, groupBy: readonly string[]): { key: string; labels: Record<string, string> } {
  if (groupBy.length > 0) return groupOf(labels, groupBy);
  const names = Object.keys(labels)
    .filter((n) => n !== '__name__' && labels[n] !== '')
    .sort();
  if (names.length === 0) return { key: '', labels: {} };
  return { key: JSON.stringify(names.map((n) => [n, labels[n]])), labels: Object.fromEntries(names.map((n) => [n, labels[n]!])) };
}

/** The live 5m value goes in the newest 1m bucket, with the four before it emptied, so the window sums to it. */
function liveRows(labels: Record<string, string>, groupBy: readonly string[], at: number, total: number, bad: number): Row[] {
  const g = group(labels, groupBy);
  const rows: Row[] = [{ ...g, end: at, total, bad, fine: true }];
  for (let k = 1; k < BASE_WINDOW / FINE_RES; k++) rows.push({ ...g, end: at - k * FINE_RES, total: 0, bad: 0, fine: true });
  return rows;
}

function series(results: QueryResult | QueryResult[]): Array<{ labels: Record<string, string>; points: Array<[number, number]> }> {
  const list = Array.isArray(results) ? results : [results];
  const out: Array<{ labels: Record<string, string>; points: Array<[number, number]> }> = [];
  for (const r of list) {
    for (const v of r.result as Array<{ metric: { labels: object }; values?: Array<{ time: Date; value: number }>; value?: { time: Date; value: number } }>) {
      const points: Array<[number, number]> = (v.values ?? (v.value ? [v.value] : [])).filter((p) => Number.isFinite(p.value)).map((p) => [p.time.getTime(), p.value]);
      out.push({ labels: v.metric.labels as Record<string, string>, points });
    }
  }
  return out;
}

/** prometheus-query rejects with plain objects ({ errorType, error, httpStatus? }), not Errors. */
function describe(e: unknown): string {
  const err = (e ?? {}) as { message?: string; error?: unknown; errorType?: string; httpStatus?: number; response?: { status?: number; data?: { error?: string } } };
  if (typeof err.error === 'string') return `${err.httpStatus ?? err.errorType ?? 'error'}: ${err.error}`;
  if (err.response?.data?.error) return `${err.response.status}: ${err.response.data.error}`;
  return err.message ?? String(e);
}
