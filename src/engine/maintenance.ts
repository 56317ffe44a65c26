import { DAY } from '../model/duration.js';
import { budgetExclusions, excludesFromBudget, inMaintenance, MAINTENANCE_BUDGET_LABEL, mergedRanges, occurrences, type TimeRange } from '../model/maintenance.js';
import { idLabels } from '../model/naming.js';
import type { Slo } from '../model/slo.js';
import { seriesLabels } from '../rules/recording.js';
import type { RenderOptions } from '../rules/types.js';

/** How far ahead silences are created by default: a day's notice in Alertmanager's UI. */
export const DEFAULT_SILENCE_LOOKAHEAD = DAY;

/** Days of excluded ranges kept per SLO; samples mostly arrive for the last day or two. */
const CACHED_DAYS = 64;

/** The excluded ranges of one SLO, computed per UTC day on first use. */
class Exclusions {
  private readonly days = new Map<number, TimeRange[]>();

  constructor(private readonly slo: Slo) {}

  has(t: number): boolean {
    const day = Math.floor(t / DAY);
    let ranges = this.days.get(day);
    if (!ranges) {
      if (this.days.size >= CACHED_DAYS) this.days.clear();
      ranges = mergedRanges(budgetExclusions(this.slo), day * DAY, (day + 1) * DAY);
      this.days.set(day, ranges);
    }
    for (const r of ranges) if (t >= r.start && t < r.end) return true;
    return false;
  }
}

/** null: the SLO has no window excluded from its budget (the common case, checked once). */
const bySlo = new WeakMap<Slo, Exclusions | null>();

/**
 * Whether events stamped `t` are left out of the SLO's budget: inside a maintenance window with
 * excludeFromBudget. Called per sample; an SLO without maintenance costs one property read.
 */
export function excludedAt(slo: Slo, t: number): boolean {
  if (!slo.maintenance) return false;
  let ex = bySlo.get(slo);
  if (ex === undefined) {
    ex = budgetExclusions(slo).length ? new Exclusions(slo) : null;
    bySlo.set(slo, ex);
  }
  return ex !== null && ex.has(t);
}

/** One silence the engine wants in every Alertmanager: an occurrence of a window, for one SLO. */
export interface PlannedSilence {
  /** Stable identity, written into the comment: `<slo id>/<window>/<start>/<end>` (ISO instants). */
  key: string;
  sloId: string;
  matchers: Record<string, string>;
  startsAt: number;
  endsAt: number;
  comment: string;
}

/**
 * The silences that should exist at `now`: every occurrence, of every window with silence on,
 * that is under way or starts within `lookaheadMs`, for each SLO it concerns.
 */
export function plannedSilences(slos: readonly Slo[], now: number, lookaheadMs: number): PlannedSilence[] {
  const out: PlannedSilence[] = [];
  for (const slo of slos) {
    for (const w of slo.maintenance ?? []) {
      if (!w.silence) continue;
      for (const o of occurrences(w, now, now + lookaheadMs)) {
        // Encoded so that the key stays one word (no spaces, no `/` or `]`) whatever a Sloth name holds.
        const key = `${encodeURIComponent(slo.id)}/${encodeURIComponent(w.name)}/${new Date(o.start).toISOString()}/${new Date(o.end).toISOString()}`;
        const why = w.comment ? `: ${w.comment}` : '';
        const budget = excludesFromBudget(slo, w) ? ' (left out of the error budget)' : '';
        out.push({
          key,
          sloId: slo.id,
          matchers: idLabels(slo),
          startsAt: o.start,
          endsAt: o.end,
          comment: `Planned maintenance ${w.name} of ${slo.service}${why}${budget}`,
        });
      }
    }
  }
  return out;
}

/**
 * `slo_maintenance` samples of one SLO at `now`: one series per kind of window it has
 * (`slo_budget="excluded"` or `"counted"`), 1 while a window of that kind is on. SLOs without
 * maintenance have none.
 */
export function maintenanceSamples(slo: Slo, render: RenderOptions, now: number): Array<{ labels: Record<string, string>; value: number }> {
  const windows = slo.maintenance ?? [];
  if (!windows.length) return [];
  const labels = seriesLabels(slo, render);
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const kind of ['excluded', 'counted'] as const) {
    const of = windows.filter((w) => excludesFromBudget(slo, w) === (kind === 'excluded'));
    if (of.length) out.push({ labels: { ...labels, [MAINTENANCE_BUDGET_LABEL]: kind }, value: inMaintenance(of, now) ? 1 : 0 });
  }
  return out;
}

/**
 * The silence plan for the notifier: what should exist now, and which keys are this engine's to
 * expire when no longer wanted (those of SLOs it has loaded).
 */
export function silencePlan(slos: readonly Slo[], now: number, lookaheadMs: number): { silences: PlannedSilence[]; owns: (key: string) => boolean } {
  const ids = new Set(slos.map((s) => s.id));
  return { silences: plannedSilences(slos, now, lookaheadMs), owns: (key) => ids.has(decodeURIComponent(key.slice(0, key.indexOf('/')))) };
}
