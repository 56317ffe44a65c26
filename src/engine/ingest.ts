import { BASE_WINDOW } from '../model/constants.js';
import type { DecodedSeries } from '../ingest/series.js';
import { ChangeSet, type SeriesPoint } from '../store/changes.js';
import { excludedAt } from './maintenance.js';
import { compare, type Input } from './plan.js';
import { BucketRing } from './ring.js';
import { admittedRoutes, type SeriesGuard } from './series-guard.js';
import { FINE_RES, groupOf, type SloState } from './slo-state.js';

/** Prometheus's default lookback: a slice boundary further than this from the last sample has no value. */
const LOOKBACK = 5 * 60_000;
/** Samples further ahead of the engine's clock than this are refused: a clock that far off is a bug. */
export const DEFAULT_MAX_FUTURE = 10 * 60_000;

interface Route {
  state: SloState;
  input: Input;
}

type Group = { key: string; labels: Record<string, string> };

/** Where a series' samples go: its routes, its identity and, per route, its group. */
interface Routing {
  routes: Route[];
  key: string;
  groups: Group[];
}

const UNROUTED: Routing = { routes: [], key: '', groups: [] };

/** Metric name → the SLO inputs that read it. Everything not in here is skipped at decode time. */
export class MatchIndex {
  private readonly byMetric = new Map<string, Route[]>();

  /** `keyPrefix` sets apart the series of one tenant from the same labels sent by another. */
  constructor(states: Iterable<SloState>, private readonly keyPrefix = '') {
    for (const state of states) {
      if (state.plan.mode !== 'ingest') continue;
      for (const input of state.plan.inputs) {
        const list = this.byMetric.get(input.metric) ?? [];
        list.push({ state, input });
        this.byMetric.set(input.metric, list);
      }
    }
  }

  /**
   * Routing of frozen label sets (the decoder hands out one frozen object per series it has seen
   * before), computed once: they cannot change, and this index is replaced when the SLOs do.
   */
  private readonly routed = new WeakMap<Record<string, string>, Routing>();
  /**
   * Route lists and their groups, one copy per distinct outcome: most series of a metric select
   * the same inputs and groups, and a copy per series would cost more than the series itself.
   */
  private readonly shared = new Map<string, { routes: Route[]; groups: Group[] }>();

  readonly keep = (metric: string): boolean => this.byMetric.has(metric);

  routing(labels: Record<string, string>): Routing {
    const frozen = Object.isFrozen(labels);
    if (frozen) {
      const known = this.routed.get(labels);
      if (known) return known;
    }
    const routes = this.routes(labels);
    const r = routes.length === 0 ? UNROUTED : { ...this.share(routes, labels), key: seriesKey(labels, this.keyPrefix) };
    if (frozen) this.routed.set(labels, r);
    return r;
  }

  private share(routes: Route[], labels: Record<string, string>): { routes: Route[]; groups: Group[] } {
    const groups = routes.map((x) => groupOf(labels, x.state.plan.groupBy));
    // The routes are a subset of the metric's list, in its order: their positions name them.
    const list = this.byMetric.get(labels.__name__ ?? '')!;
    const id = `${labels.__name__}\u0000${routes.map((x, i) => `${list.indexOf(x)}\u0001${groups[i]!.key}`).join('\u0000')}`;
    let s = this.shared.get(id);
    if (!s) this.shared.set(id, (s = { routes, groups }));
    return s;
  }

  routes(labels: Record<string, string>): Route[] {
    const list = this.byMetric.get(labels.__name__ ?? '');
    if (!list) return [];
    return list.filter((r) => r.input.test(labels));
  }

  get metrics(): string[] {
    return [...this.byMetric.keys()].sort();
  }
}

/**
 * Canonical identity of a series: its labels sorted by name. Built with one join, which gives a
 * flat string: a `+=` chain leaves a tree of a dozen rope nodes behind every key the engine keeps,
 * about 300 bytes a series.
 */
export function seriesKey(labels: Record<string, string>, prefix = ''): string {
  const names = Object.keys(labels).sort();
  const parts: string[] = [prefix];
  for (const n of names) parts.push(n, '\u0001', labels[n]!, '\u0002');
  return parts.join('');
}

/**
 * Adds the effect of decoded series to `changes`. Counters become increases between consecutive
 * samples, a drop counting as a reset from zero, as `increase()` does; each increase lands in
 * the bucket of the later sample. `lastPoint` reads the committed state; points of this change
 * set take precedence.
 */
export function collectChanges(
  series: readonly DecodedSeries[],
  index: MatchIndex,
  lastPoint: (key: string) => SeriesPoint | undefined,
  nowMs: number,
  changes: ChangeSet,
  maxFutureMs: number = DEFAULT_MAX_FUTURE,
  guard?: SeriesGuard,
): void {
  for (const s of series) {
    const routing = index.routing(s.labels);
    const key = routing.key;
    let { routes, groups } = routing;
    if (routes.length === 0) continue;
    if (guard) {
      // A series no SLO admits leaves no point behind: it stays new, and stays refused.
      ({ routes, groups } = admittedRoutes(guard, routes, groups, key, s.samples.length, nowMs));
      if (routes.length === 0) continue;
    }
    const last = changes.series.get(key) ?? lastPoint(key);
    // The previous sample as two numbers, not an object per sample: at tens of thousands of
    // samples a second those objects were most of what each request left for the collector.
    let has = last !== undefined;
    let prevTs = last?.ts ?? 0;
    let prevV = last?.v ?? NaN;
    let moved = false;
    for (const { value: v, timestampMs: ts } of s.samples) {
      if (has && ts <= prevTs) {
        changes.duplicates++;
        continue;
      }
      if (ts > nowMs + maxFutureMs) {
        changes.outOfBounds++;
        continue;
      }
      // A NaN is Prometheus's staleness marker: the series ended, and no increase spans the gap.
      const stale = Number.isNaN(v);
      if (!stale && !Number.isFinite(v)) {
        changes.outOfBounds++;
        continue;
      }
      const joined = !stale && has && !Number.isNaN(prevV) && ts - prevTs < LOOKBACK;
      const increase = stale ? undefined : s.delta ? v : !joined ? undefined : v >= prevV ? v - prevV : v;
      let landed = false;
      let counter = false;
      for (let i = 0; i < routes.length; i++) {
        const { state, input } = routes[i]!;
        const g = groups[i]!;
        const role = input.role;
        if (role.kind === 'counter') {
          counter = true;
          if (increase === undefined) continue;
          const d = role.sign * increase;
          landed = (role.into === 'total' ? put(changes, state, g, nowMs, ts, d, 0, 1) : put(changes, state, g, nowMs, ts, 0, d, 0)) || landed;
        } else if (role.kind === 'gauge') {
          if (!stale) landed = put(changes, state, g, nowMs, ts, 1, v, 1) || landed;
        } else if (has && !Number.isNaN(prevV)) {
          // Each slice boundary in [prev.ts, ts) takes the previous sample's value, as an instant
          // query would, up to a staleness marker too.
          const good = compare(prevV, role.op, role.threshold) ? 1 : 0;
          const end = Math.min(ts - 1, prevTs + LOOKBACK - 1);
          for (let at = Math.ceil(prevTs / role.sliceMs) * role.sliceMs; at <= end; at += role.sliceMs) landed = put(changes, state, g, nowMs, at, 1, good, 1) || landed;
        }
      }
      if (!stale && !landed && increase !== undefined && counter) changes.outOfBounds++;
      else changes.accepted++;
      has = moved = true;
      prevTs = ts;
      prevV = v;
    }
    if (moved) changes.series.set(key, { ts: prevTs, v: prevV });
    else if (last) changes.series.set(key, last);
  }
}

/** One sample's contribution to its group's 5m bucket, and to the 1m one while that is recent. */
function put(changes: ChangeSet, state: SloState, g: Group, nowMs: number, at: number, total: number, num: number, samples: number): boolean {
  const end = BucketRing.endOf(at, BASE_WINDOW);
  if (end <= nowMs - state.retentionMs) return false;
  // Maintenance left out of the budget: no events, but the SLI still has data (no no-data alert).
  if (excludedAt(state.slo, at)) total = num = 0;
  changes.add(state.slo.id, g.key, g.labels, BASE_WINDOW, end, total, num, samples);
  const fineEnd = BucketRing.endOf(at, FINE_RES);
  if (fineEnd > nowMs - 10 * FINE_RES) changes.add(state.slo.id, g.key, g.labels, FINE_RES, fineEnd, total, num, samples);
  return true;
}
