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

/**
 * Windows as the recording rules compute them at time `t`: the 5m window from the last whole
 * minutes (the rules' live `increase(...[5m])`), every longer window as the sum of the aligned
 * 5m buckets ending in (t - w, t] (the rules' `sum_over_time(...[w:5m])`).
 */
export function evaluateGroup(state: SloState, g: GroupState, t: number, now: number): GroupStatus {
  const { plan, slo } = state;
  const baseTo = Math.floor(t / BASE_WINDOW) * BASE_WINDOW;
  const fineTo = Math.floor(t / FINE_RES) * FINE_RES;
  // A calendar period holds the 5m buckets since its start, as the rules' `@ end()` filter does.
  const periodSpan = Math.max(0, baseTo - windowStartAt(slo, t));
  const spans = state.windows.map((w) => (w === slo.window ? periodSpan : w));
  const sums = g.base.sums(baseTo, spans, plan.badOf);
  const windows: WindowValue[] = state.windows.map((w, k) => {
    let total: number;
    let bad: number;
    let samples: number;
    // The 1m buckets only cover the last few minutes; further back the aligned 5m bucket stands in.
    if (w === BASE_WINDOW && fineTo > now - 6 * FINE_RES && fineTo <= now) {
      const raw = g.fine.sumRaw(fineTo, w);
      total = raw.total;
      bad = plan.badOf(raw.total, raw.num);
      samples = raw.samples;
    } else {
      ({ total, bad, samples } = sums[k]!);
    }
    if (samples === 0) return { window: w };
    // A raw ratio's alert windows are the query over that window, read live, as the rules have them.
    const live = state.liveRatios;
    if (live && w !== BASE_WINDOW && w !== slo.window && Math.abs(t - live.at) <= 3 * FINE_RES) {
      const ratio = live.byGroup.get(g.key)?.get(w);
      if (ratio !== undefined) return { window: w, errorRatio: ratio, burnRate: ratio / slo.errorBudget };
    }
    const errorRatio = total > 0 ? bad / total : undefined;
    return { window: w, total, bad, errorRatio, burnRate: errorRatio === undefined ? undefined : errorRatio / slo.errorBudget };
  });
  const period = windows.find((v) => v.window === slo.window);
  return { labels: g.labels, windows, budgetRemaining: period?.burnRate === undefined ? undefined : 1 - period.burnRate };
}

export function windowOf(status: GroupStatus, w: Millis): WindowValue | undefined {
  return status.windows.find((v) => v.window === w);
}
