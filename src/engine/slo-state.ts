import { LONGEST_LENGTH } from '../model/calendar.js';
import { BASE_WINDOW } from '../model/constants.js';
import { MINUTE } from '../model/duration.js';
import type { Slo } from '../model/slo.js';
import { sloWindows } from '../model/windows.js';
import { planSli, type SliPlan } from './plan.js';
import { BucketRing } from './ring.js';

/** The live 5m window is summed from 1m buckets, so it trails the data by under a minute. */
export const FINE_RES = MINUTE;
const FINE_SLOTS = 12;

/** Numbers per tier in `SloState.tierPlan`: index of the long window, of the short one (-1 when missing), factor. */
export const TIER_WIDTH = 3;

/** One series of an SLO after `sum by (groupBy)`: what one recorded series of the rules holds. */
export interface GroupState {
  key: string;
  labels: Record<string, string>;
  base: BucketRing;
  fine: BucketRing;
  /** The alert shapes conditions.ts made for this group (its GroupShapes), and the alert rules they were made for. */
  shapes: unknown;
  shapesOf: object | undefined;
}

export class SloState {
  readonly plan: SliPlan;
  readonly windows: number[];
  private readonly groupMap = new Map<string, GroupState>();
  /**
   * The same groups in the same order as an array, for the alert path, which walks them for
   * every SLO at every evaluation: a map's iterator allocates an object and a result per step.
   * Groups come and go only through `group` and `dropGroup`, which keep both in step.
   */
  private readonly list: GroupState[] = [];
  /** Query mode: whether the backfill of the whole window has run. */
  queryFilled = false;
  /** Query mode: why the last read failed; the SLO shows no data until it succeeds again. */
  queryError?: string;
  /** Ingest: end of the newest 1m bucket that received data, so the page can tell live from stale. */
  lastDataMs?: number;
  /** Query mode: the time of the last successful read, whose values the live windows show. */
  queryReadAt?: number;
  /** Query mode, raw ratios: each alert window's ratio as the rules evaluate it, read at `at`, by group key. */
  liveRatios?: { at: number; byGroup: Map<string, Map<number, number>> };
  /**
   * Where each alert tier's windows sit in `windows`, and its factor (TIER_WIDTH numbers per
   * tier, in the order of `slo.alerting.tiers`): the alert path reads them for every SLO at every
   * evaluation, and one array of numbers is a cache line or two where the tier objects and a
   * search through `windows` are several.
   */
  readonly tierPlan: number[];
  /** Where the 5m window and the SLO window sit in `windows` (-1 when missing). */
  readonly baseAt: number;
  readonly periodAt: number;
  /**
   * What the alert path reads of the SLO itself, copied here: the SLO's own objects (`slo`,
   * `slo.sli`, `slo.alerting`) are three more reads of memory per SLO and evaluation, rarely in
   * cache with 10,000 SLOs. `rolling`: no calendar, so the period always spans `slo.window`.
   */
  readonly errorBudget: number;
  readonly rolling: boolean;
  readonly rawRatio: boolean;
  /** `slo.alerting.minEvents` where it applies (not to raw ratios, which have no event counts). */
  readonly minEvents: number | undefined;
  /** The window spans evaluate.ts last asked the rings for (see spansOf there). */
  spans?: { period: number; spans: number[] };
  private readonly baseSlots: number;

  constructor(readonly slo: Slo) {
    this.plan = planSli(slo);
    this.windows = sloWindows(slo);
    this.baseAt = this.windows.indexOf(BASE_WINDOW);
    this.periodAt = this.windows.indexOf(slo.window);
    this.errorBudget = slo.errorBudget;
    this.rolling = !slo.calendar;
    this.rawRatio = slo.sli.kind === 'rawErrorRatio';
    this.minEvents = this.rawRatio ? undefined : slo.alerting.minEvents;
    this.tierPlan = slo.alerting.tiers.flatMap((tier) => [this.windows.indexOf(tier.longWindow), this.windows.indexOf(tier.shortWindow), tier.factor]);
    // One slot more than the longest window, so the bucket being filled never evicts one in use.
    const longest = slo.calendar ? Math.max(LONGEST_LENGTH[slo.calendar.unit], ...this.windows) : Math.max(...this.windows);
    this.baseSlots = Math.ceil(longest / BASE_WINDOW) + 2;
  }

  /**
   * Takes over what an earlier load of the same SLI and window knew: its buckets, and what the
   * query source and the stream last did, so a reload neither empties windows nor reads the
   * whole history from the query API again.
   */
  adopt(old: SloState): this {
    for (const [key, g] of old.groups) {
      const had = this.groupMap.get(key);
      this.groupMap.set(key, g);
      if (had) this.list[this.list.indexOf(had)] = g;
      else this.list.push(g);
    }
    this.queryFilled = old.queryFilled;
    this.queryError = old.queryError;
    this.queryReadAt = old.queryReadAt;
    this.liveRatios = old.liveRatios;
    this.lastDataMs = old.lastDataMs;
    return this;
  }

  get groups(): ReadonlyMap<string, GroupState> {
    return this.groupMap;
  }

  get groupList(): readonly GroupState[] {
    return this.list;
  }

  /** Forgets a group (no bucket of it left in any window). */
  dropGroup(key: string): void {
    const g = this.groupMap.get(key);
    if (!g) return;
    this.groupMap.delete(key);
    this.list.splice(this.list.indexOf(g), 1);
  }

  group(key: string, labels: Record<string, string>): GroupState {
    let g = this.groupMap.get(key);
    if (!g) {
      g = { key, labels, base: new BucketRing(BASE_WINDOW, this.baseSlots), fine: new BucketRing(FINE_RES, FINE_SLOTS), shapes: undefined, shapesOf: undefined };
      this.groupMap.set(key, g);
      this.list.push(g);
    }
    return g;
  }

  /**
   * One bucket's sums into the group's ring of its resolution, whether from a live write or the
   * store. A bucket with samples moves the newest minute known to hold one: a 1m bucket's end, or
   * the first minute of a 5m one.
   */
  addBucket(g: GroupState, res: number, end: number, total: number, num: number, samples: number): void {
    (res === BASE_WINDOW ? g.base : g.fine).add(end, total, num, samples);
    if (samples > 0) this.lastDataMs = Math.max(this.lastDataMs ?? 0, res === FINE_RES ? end : end - BASE_WINDOW + FINE_RES);
  }

  /** How far back a sample may land and still count. */
  get retentionMs(): number {
    return (this.baseSlots - 1) * BASE_WINDOW;
  }
}

/** `sum by (a, b)` identity of a series: the values of the group-by labels, in order. */
export function groupOf(labels: Record<string, string>, groupBy: readonly string[]): { key: string; labels: Record<string, string> } {
  if (groupBy.length === 0) return { key: '', labels: {} };
  const out: Record<string, string> = {};
  const parts: string[] = [];
  for (const name of groupBy) {
    const v = labels[name] ?? '';
    parts.push(v);
    if (v !== '') out[name] = v;
  }
  return { key: JSON.stringify(parts), labels: out };
}
