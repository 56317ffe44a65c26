import { windowStartAt } from '../model/windows.js';
import { BASE_WINDOW } from '../model/constants.js';
import type { Millis } from '../model/duration.js';
import { FINE_RES, type GroupState, type SloState } from './slo-state.js';

export interface WindowValue {
  window: Millis;
  /** Events (or slices, or samples) in the window; undefined when no bucket of it has data. */
  total?: number;
  bad?: number;
  /** bad / total; undefined without data or without events, as the rules record nothing then. */
  errorRatio?: number;
  burnRate?: number;
}

export interface GroupStatus {
  labels: Record<string, string>;
  windows: WindowValue[];
  /** 1 - burn rate over the SLO window. */
  budgetRemaining?: number;
}

/** Numbers per window in a flat evaluation: kind, total, bad, error ratio, burn rate. */
export const WINDOW_WIDTH = 5;
/** A window without data; one read live from the query API (ratio and burn rate only); one summed from buckets (total, bad, and a ratio when total > 0). */
export const NO_DATA = 0;
export const LIVE = 1;
export const SUMMED = 2;

/** The 5m window's plain sums from the 1m ring: read at once, so one array serves every group. */
const RAW = new Float64Array(3);

/** The spans of the SLO's windows, the period's being `periodSpan`: the same array while that is unchanged, so rings recognise it cheaply. */
function spansOf(state: SloState, periodSpan: number): number[] {
  const known = state.spans;
  if (known && known.period === periodSpan) return known.spans;
  const spans = state.windows.map((w) => (w === state.slo.window ? periodSpan : w));
  state.spans = { period: periodSpan, spans };
  return spans;
}

/**
 * Windows as the recording rules compute them at time `t`, written into `out` (WINDOW_WIDTH
 * numbers per window of `state.windows`, from 0): the 5m window from the last whole minutes (the
 * rules' live `increase(...[5m])`), every longer window as the sum of the aligned 5m buckets
 * ending in (t - w, t] (the rules' `sum_over_time(...[w:5m])`). Flat numbers rather than objects,
 * so that evaluating the alerts of 10,000 SLOs allocates nothing per window.
 */
export function evaluateWindows(state: SloState, g: GroupState, t: number, now: number, out: Float64Array): void {
  const { plan, slo, windows, errorBudget } = state;
  const baseTo = Math.floor(t / BASE_WINDOW) * BASE_WINDOW;
  const fineTo = Math.floor(t / FINE_RES) * FINE_RES;
  // A calendar period holds the 5m buckets since its start, as the rules' `@ end()` filter does.
  // A rolling one spans its window (windowStartAt is one window before the edge), so every span
  // is its window's own: the windows themselves are the spans, and never change.
  const spans = state.rolling ? windows : spansOf(state, Math.max(0, baseTo - windowStartAt(slo, t)));
  const sums = g.base.sumsFlat(baseTo, spans, plan.badOf);
  const live = state.liveRatios;
  const liveNow = live !== undefined && Math.abs(t - live.at) <= 3 * FINE_RES;
  for (let k = 0; k < windows.length; k++) {
    const w = windows[k]!;
    const at = k * WINDOW_WIDTH;
    let total: number;
    let bad: number;
    let samples: number;
    // The 1m buckets only cover the last few minutes; further back the aligned 5m bucket stands in.
    if (w === BASE_WINDOW && fineTo > now - 6 * FINE_RES && fineTo <= now) {
      const raw = g.fine.sumRaw(fineTo, w, RAW);
      total = raw[0]!;
      bad = plan.badOf(total, raw[1]!);
      samples = raw[2]!;
    } else {
      total = sums[3 * k]!;
      bad = sums[3 * k + 1]!;
      samples = sums[3 * k + 2]!;
    }
    if (samples === 0) {
      out[at] = NO_DATA;
      continue;
    }
    // A raw ratio's alert windows are the query over that window, read live, as the rules have them.
    if (liveNow && w !== BASE_WINDOW && w !== slo.window) {
      const ratio = live.byGroup.get(g.key)?.get(w);
      if (ratio !== undefined) {
        out[at] = LIVE;
        out[at + 3] = ratio;
        out[at + 4] = ratio / errorBudget;
        continue;
      }
    }
    out[at] = SUMMED;
    out[at + 1] = total;
    out[at + 2] = bad;
    // Not `total > 0 ? bad / total : NaN`: V8 merges the quotient with the NaN constant as a
    // tagged value and so allocates a number for every window of every SLO (about 250 bytes per
    // SLO and evaluation, young-generation collections in the middle of it); stored directly,
    // nothing is allocated.
    if (total > 0) {
      out[at + 3] = bad / total;
      out[at + 4] = bad / total / errorBudget;
    } else {
      out[at + 3] = NaN;
      out[at + 4] = NaN;
    }
  }
}

/** Whether window `k` of a flat evaluation has an error ratio (and so a burn rate). */
export function hasRatio(vals: Float64Array, k: number): boolean {
  const kind = vals[k * WINDOW_WIDTH];
  return kind === LIVE || (kind === SUMMED && vals[k * WINDOW_WIDTH + 1]! > 0);
}

let scratch = new Float64Array(16 * WINDOW_WIDTH);

/** A flat evaluation's array for `n` windows, reused: read it before the next call. */
export function windowScratch(n: number): Float64Array {
  if (scratch.length < n * WINDOW_WIDTH) scratch = new Float64Array(n * WINDOW_WIDTH);
  return scratch;
}

/** The same windows as objects, for the API's JSON. */
export function evaluateGroup(state: SloState, g: GroupState, t: number, now: number): GroupStatus {
  const { slo } = state;
  const vals = windowScratch(state.windows.length);
  evaluateWindows(state, g, t, now, vals);
  let period: WindowValue | undefined;
  const windows: WindowValue[] = state.windows.map((w, k) => {
    const at = k * WINDOW_WIDTH;
    let v: WindowValue;
    if (vals[at] === NO_DATA) v = { window: w };
    else if (vals[at] === LIVE) v = { window: w, errorRatio: vals[at + 3]!, burnRate: vals[at + 4]! };
    else {
      const ratio = hasRatio(vals, k);
      v = { window: w, total: vals[at + 1]!, bad: vals[at + 2]!, errorRatio: ratio ? vals[at + 3]! : undefined, burnRate: ratio ? vals[at + 4]! : undefined };
    }
    if (period === undefined && w === slo.window) period = v;
    return v;
  });
  return { labels: g.labels, windows, budgetRemaining: period?.burnRate === undefined ? undefined : 1 - period.burnRate };
}

export function windowOf(status: GroupStatus, w: Millis): WindowValue | undefined {
  return status.windows.find((v) => v.window === w);
}
