import { BASE_WINDOW } from '../model/constants.js';
import type { DecodedSeries } from '../ingest/series.js';
import { ChangeSet, type SeriesPoint } from '../store/changes.js';
import { excludedAt } from './maintenance.js';
import { compare, type Input } from './plan.js';
import { BucketRing } from './ring.js';
import { FINE_RES, groupOf, type SloState } from './slo-state.js';

/** Prometheus's default lookback: a slice boundary further than this from the last sample has no value. */
const LOOKBACK = 5 * 60_000;
/** Samples further ahead of the engine's clock than this are refused: a clock that far off is a bug. */
export const DEFAULT_MAX_FUTURE = 10 * 60_000;

interface Route {
  state: SloState;
  input: Input;
}

/** Where a series' samples go: its routes, its identity and, per route, its group. */
interface Routing {
  routes: Route[];
  key: string;
  groups: Array<{ key: string; labels: Record<string, string> }>;
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

  readonly keep = (metric: string): boolean => this.byMetric.has(metric);

  routing(labels: Record<string, string>): Routing {
    const frozen = Object.isFrozen(labels);
    if (frozen) {
      const known = this.routed.get(labels);
      if (known) return known;
    }
    const routes = this.routes(labels);
    const r = routes.length === 0 ? UNROUTED : { routes, key: this.keyPrefix + seriesKey(labels), groups: routes.map((x) => groupOf(labels, x.state.plan.groupBy)) };
    if (frozen) this.routed.set(labels, r);
    return r;
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

/** Canonical identity of a series: its labels sorted by name. */
export function seriesKey(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  let out = '';
  for (const n of names) out += `${n}\u0001${labels[n]}\u0002`;
  return out;
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
): void {
  for (const s of series) {
    const { routes, key, groups } = index.routing(s.labels);
    if (routes.length === 0) continue;
    let prev = changes.series.get(key) ?? lastPoint(key);
    for (const { value: v, timestampMs: ts } of s.samples) {
      if (prev && ts <= prev.ts) {
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
      const joined = !stale && prev !== undefined && !Number.isNaN(prev.v) && ts - prev.ts < LOOKBACK;
      const increase = stale ? undefined : s.delta ? v : !joined ? undefined : v >= prev!.v ? v - prev!.v : v;
      let landed = false;
      for (let i = 0; i < routes.length; i++) {
        const { state, input } = routes[i]!;
        const g = groups[i]!;
        const put = (at: number, total: number, num: number, samples: number): boolean => {
          const end = BucketRing.endOf(at, BASE_WINDOW);
          if (end <= nowMs - state.retentionMs) return false;
          // Maintenance left out of the budget: no events, but the SLI still has data (no no-data alert).
          if (excludedAt(state.slo, at)) total = num = 0;
          changes.add(state.slo.id, g.key, g.labels, BASE_WINDOW, end, total, num, samples);
          const fineEnd = BucketRing.endOf(at, FINE_RES);
          if (fineEnd > nowMs - 10 * FINE_RES) changes.add(state.slo.id, g.key, g.labels, FINE_RES, fineEnd, total, num, samples);
          return true;
        };
        const role = input.role;
        if (role.kind === 'counter') {
          if (increase === undefined) continue;
          const d = role.sign * increase;
          landed = (role.into === 'total' ? put(ts, d, 0, 1) : put(ts, 0, d, 0)) || landed;
        } else if (role.kind === 'gauge') {
          if (!stale) landed = put(ts, 1, v, 1) || landed;
        } else if (prev && !Number.isNaN(prev.v)) {
          // Each slice boundary in [prev.ts, ts) takes the previous sample's value, as an instant
          // query would, up to a staleness marker too.
          const good = compare(prev.v, role.op, role.threshold) ? 1 : 0;
          const last = Math.min(ts - 1, prev.ts + LOOKBACK - 1);
          for (let at = Math.ceil(prev.ts / role.sliceMs) * role.sliceMs; at <= last; at += role.sliceMs) landed = put(at, 1, good, 1) || landed;
        }
      }
      if (!stale && !landed && increase !== undefined && routes.some((r) => r.input.role.kind === 'counter')) changes.outOfBounds++;
      else changes.accepted++;
      prev = { ts, v };
    }
    if (prev) changes.series.set(key, prev);
  }
}
