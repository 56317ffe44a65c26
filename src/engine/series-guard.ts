import { MINUTE } from '../model/duration.js';

/** `slo serve --max-series-per-slo` when not given. */
export const DEFAULT_MAX_SERIES_PER_SLO = 10_000;
/**
 * A series not seen for this long stops counting towards its SLO's limit (as Mimir's active
 * series): pods come and go, and a limit that never forgot would end every churning SLO.
 */
export const SERIES_IDLE_MS = 60 * MINUTE;
export const MAX_SERIES_FLAG = '--max-series-per-slo';

/** One SLO's refusal in one request: which SLO and how many samples of new series were dropped. */
export interface SeriesRefusal {
  slo: string;
  samples: number;
  series: number;
}

/**
 * The cardinality guard: each SLO takes samples from at most `limit` active series. Series it
 * already admitted keep flowing; samples of new series beyond the limit are dropped and counted
 * for that SLO only, so one exploding label cannot grow the engine without bound, and other SLOs
 * reading the same series are not hurt.
 */
export class SeriesGuard {
  /** SLO id → series key → when the series last sent a sample (engine clock). */
  private readonly active = new Map<string, Map<string, number>>();
  /** SLO id → samples dropped since the start, for the health counter. */
  readonly dropped = new Map<string, number>();
  /** SLO id → when a sample was last dropped: the SLO's status warns while this is recent. */
  private readonly lastRefusal = new Map<string, number>();
  /** Refusals of the request being collected; taken by the engine after each request. */
  private pending = new Map<string, SeriesRefusal>();

  constructor(
    readonly limit: number = DEFAULT_MAX_SERIES_PER_SLO,
    /** Called the first time an SLO reaches the limit (once per SLO, for one log line). */
    private readonly onFirstRefusal?: (sloId: string, limit: number) => void,
  ) {}

  /** Whether the SLO takes samples of this series now; counts a refusal when not. */
  admits(sloId: string, key: string, samples: number, now: number): boolean {
    let set = this.active.get(sloId);
    if (!set) this.active.set(sloId, (set = new Map()));
    if (set.has(key) || set.size < this.limit) {
      set.set(key, now);
      return true;
    }
    if (!this.dropped.has(sloId)) this.onFirstRefusal?.(sloId, this.limit);
    this.dropped.set(sloId, (this.dropped.get(sloId) ?? 0) + samples);
    this.lastRefusal.set(sloId, now);
    const p = this.pending.get(sloId) ?? { slo: sloId, samples: 0, series: 0 };
    p.samples += samples;
    p.series++;
    this.pending.set(sloId, p);
    return false;
  }

  /** The refusals since the last call, one entry per SLO. */
  takeRefusals(): SeriesRefusal[] {
    if (this.pending.size === 0) return [];
    const out = [...this.pending.values()];
    this.pending = new Map();
    return out;
  }

  /** Why the SLO's numbers may be partial, while it refused series within the idle time. */
  warning(sloId: string, now: number): { field: string; reason: string } | undefined {
    const at = this.lastRefusal.get(sloId);
    if (at === undefined || now - at > SERIES_IDLE_MS) return undefined;
    return {
      field: 'series',
      reason: `more than ${this.limit} series match this SLO's selectors: samples of new series beyond the limit are dropped (${this.dropped.get(sloId) ?? 0} so far), so its SLI leaves them out; narrow the selectors or raise ${MAX_SERIES_FLAG}`,
    };
  }

  /** Forgets series idle for longer than SERIES_IDLE_MS, making room for new ones. */
  forgetIdle(now: number): void {
    for (const set of this.active.values()) for (const [key, seen] of set) if (now - seen > SERIES_IDLE_MS) set.delete(key);
  }

  /** Drops what it knows of SLOs no longer loaded. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.active.keys()) if (!ids.has(id)) this.active.delete(id);
  }
}

/**
 * The routes (and their parallel groups) of one series that the guard admits. The common case,
 * every route admitted, hands back the same arrays: no copy per series.
 */
export function admittedRoutes<R extends { state: { slo: { id: string } } }, G>(guard: SeriesGuard, routes: R[], groups: G[], key: string, samples: number, now: number): { routes: R[]; groups: G[] } {
  let keep: number[] | undefined;
  for (let i = 0; i < routes.length; i++) {
    const ok = guard.admits(routes[i]!.state.slo.id, key, samples, now);
    if (!ok) keep ??= routes.slice(0, i).map((_, j) => j);
    else keep?.push(i);
  }
  if (!keep) return { routes, groups };
  return { routes: keep.map((i) => routes[i]!), groups: keep.map((i) => groups[i]!) };
}
