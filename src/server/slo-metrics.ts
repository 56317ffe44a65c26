import { windowText } from '../model/windows.js';
import { MAINTENANCE_SERIES } from '../model/maintenance.js';
import { periodStart, utcOffsetSeconds } from '../model/calendar.js';
import { RECORDS } from '../model/naming.js';
import type { Slo } from '../model/slo.js';
import { metaRecordingRules, sliRecordingRules } from '../rules/recording.js';
import type { RenderOptions } from '../rules/types.js';
import type { ActiveAlert } from '../engine/alert-state.js';
import type { SloStatus } from '../engine/engine.js';
import { maintenanceSamples } from '../engine/maintenance.js';
import { windowOf, type GroupStatus } from '../engine/evaluate.js';
import { Exposition } from './exposition.js';

type Pick = (g: GroupStatus) => number | undefined;

/** What each recorded series of the rules holds, read from a group's status. */
function pickers(status: SloStatus): Map<string, Pick> {
  const out = new Map<string, Pick>();
  for (const w of status.windows) {
    const text = windowText(status.slo, w);
    out.set(RECORDS.totalEvents(text), (g) => windowOf(g, w)?.total);
    out.set(RECORDS.badEvents(text), (g) => windowOf(g, w)?.bad);
    out.set(RECORDS.errorRatio(text), (g) => windowOf(g, w)?.errorRatio);
    out.set(RECORDS.burnRate(text), (g) => windowOf(g, w)?.burnRate);
  }
  const slo = status.slo;
  out.set(RECORDS.currentBurnRate, (g) => g.windows[0]?.burnRate);
  out.set(RECORDS.periodBurnRate, (g) => windowOf(g, slo.window)?.burnRate);
  out.set(RECORDS.budgetRemaining, (g) => g.budgetRemaining);
  return out;
}

const CONSTANT = new Set<string>([RECORDS.objective, RECORDS.errorBudget, RECORDS.periodDays, RECORDS.calendarLocalTime, RECORDS.calendarLocalStart, RECORDS.calendarStart]);

/** Values of the series that do not depend on the data: the SLO's constants and, for a calendar SLO, where its period began. */
function constants(slo: Slo, now: number): Record<string, number> {
  const out: Record<string, number> = { [RECORDS.objective]: slo.objective, [RECORDS.errorBudget]: slo.errorBudget, [RECORDS.periodDays]: slo.window / 86_400_000 };
  if (slo.calendar) {
    const start = periodStart(slo.calendar, now);
    // Wall-clock seconds read as UTC, as the rules' PromQL records them.
    out[RECORDS.calendarLocalTime] = now / 1000 + utcOffsetSeconds(slo.calendar.timeZone, now);
    out[RECORDS.calendarLocalStart] = start / 1000 + utcOffsetSeconds(slo.calendar.timeZone, start);
    out[RECORDS.calendarStart] = start / 1000;
  }
  return out;
}

/**
 * The SLO series under the recording rules' own names and labels, so a Prometheus scraping the
 * engine serves the generated dashboards and alerts exactly as if it ran the rules.
 */
export function sloExposition(statuses: readonly SloStatus[], alerts: readonly ActiveAlert[], render: RenderOptions, version: string, now: number = Date.now()): string {
  const out = new Exposition();
  for (const status of statuses) {
    if (status.source === 'unavailable') continue;
    const slo = status.slo;
    const pick = pickers(status);
    const meta = metaRecordingRules(slo, render, version);
    const fixed = constants(slo, now);
    for (const rule of [...sliRecordingRules(slo, render), ...meta]) {
      if (CONSTANT.has(rule.record)) {
        out.add(rule.record, rule.labels, fixed[rule.record]!);
        continue;
      }
      const f = pick.get(rule.record);
      if (!f) {
        out.add(rule.record, rule.labels, 1); // the info series
        continue;
      }
      for (const g of status.groups) {
        const v = f(g);
        if (v !== undefined) out.add(rule.record, { ...g.labels, ...rule.labels }, v);
      }
    }
  }
  // Planned maintenance: the generated rules of SLOs that leave it out of their budget read it back.
  for (const status of statuses) for (const m of maintenanceSamples(status.slo, render, now)) out.add(MAINTENANCE_SERIES, m.labels, m.value);
  for (const a of alerts) {
    if (a.state === 'inactive') continue;
    out.add('ALERTS', { ...a.labels, alertstate: a.state }, 1);
  }
  return out.text();
}
