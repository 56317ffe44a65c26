import { BASE_WINDOW } from '../model/constants.js';
import { serviceDashboardUid } from '../model/dashboard-ids.js';
import { DAY, formatDuration } from '../model/duration.js';
import { idLabels, namingOf, RECORDS } from '../model/naming.js';
import { formatNumber } from '../model/numbers.js';
import { periodText, sloWindows, windowText } from '../model/windows.js';
import { localPeriodStartExpr, localTimeExpr, longestPeriodMs, periodStartExpr } from '../promql/calendar.js';
import type { Slo } from '../model/slo.js';
import { rangeEndingShort } from '../promql/range.js';
import { withoutMaintenance } from './maintenance.js';
import { ownSelector } from './own-selector.js';
import { baseExpressions, rawErrorRatio } from './sli-expressions.js';
import { alignedExpr, alignedName, sumOfAligned } from './tiles.js';
import type { RecordingRule, RenderOptions } from './types.js';

const BASE = formatDuration(BASE_WINDOW);

/** Labels every series of an SLO carries: identity, then the SLO's own, then global extras. */
export function seriesLabels(slo: Slo, opts: RenderOptions): Record<string, string> {
  return { ...opts.extraLabels, ...slo.labels, ...idLabels(slo) };
}

export { ownSelector } from './own-selector.js';

/**
 * Only the base windows since the calendar period began: a subquery step is kept when the base
 * sample it reads was recorded after the period's start as recorded at evaluation time (`@ end()`).
 * Base windows and period starts both sit on the 5m grid, so no base window straddles a start.
 */
function sumSincePeriodStart(slo: Slo, own: (m: string) => string, metric: string, fn = 'sum_over_time'): string {
  const since = `timestamp(${own(metric)}) > scalar(${own(RECORDS.calendarStart)} @ end())`;
  return `${fn}((${own(metric)} and (${since}))[${rangeEndingShort(longestPeriodMs(slo.calendar!))}:${BASE}])`;
}

/** Local time, local period start and the period's start instant, in that order (each reads the one before). */
function calendarRules(slo: Slo, own: (m: string) => string, labels: Record<string, string>): RecordingRule[] {
  const cal = slo.calendar!;
  const local = own(RECORDS.calendarLocalTime);
  const localStart = own(RECORDS.calendarLocalStart);
  return [
    { record: RECORDS.calendarLocalTime, expr: localTimeExpr(cal), labels },
    { record: RECORDS.calendarLocalStart, expr: localPeriodStartExpr(cal, local), labels },
    { record: RECORDS.calendarStart, expr: periodStartExpr(cal, localStart, local), labels },
  ];
}

/**
 * The SLI group: base counts read from raw series once, every longer window summed from them,
 * then ratios and burn rates. A window without events records nothing rather than NaN.
 */
export function sliRecordingRules(slo: Slo, opts: RenderOptions): RecordingRule[] {
  const naming = namingOf(slo);
  const labels = seriesLabels(slo, opts);
  const own = ownSelector(slo);
  const windows = sloWindows(slo);
  // One label object per window, shared by that window's rules (nothing mutates rule labels).
  const byWindow = new Map<string, Record<string, string>>();
  const withWindow = (w: string) => {
    let l = byWindow.get(w);
    if (!l) byWindow.set(w, (l = { ...labels, [naming.windowLabel]: w }));
    return l;
  };
  const rules: RecordingRule[] = slo.calendar ? calendarRules(slo, own, labels) : [];
  const sum = (metric: string, w: number) =>
    slo.calendar && w === slo.window ? sumSincePeriodStart(slo, own, metric) : sumOfAligned(own(alignedName(metric)), w);
  // Only windows summed from the aligned base series need it (a calendar period alone reads the base).
  const needsAligned = windows.some((w) => w !== BASE_WINDOW && !(slo.calendar && w === slo.window));
  const base = withoutMaintenance(slo, baseExpressions({ sli: slo.sli, ownSelector: own, addedLabels: [...Object.keys(labels), naming.windowLabel].sort() }));
  if (base) {
    rules.push({ record: RECORDS.totalEvents(BASE), expr: base.total, labels: withWindow(BASE) });
    rules.push({ record: RECORDS.badEvents(BASE), expr: base.bad, labels: withWindow(BASE) });
    if (needsAligned) {
      for (const metric of [RECORDS.totalEvents(BASE), RECORDS.badEvents(BASE)]) {
        rules.push({ record: alignedName(metric), expr: alignedExpr(own(metric)), labels: withWindow(BASE) });
      }
    }
    for (const w of windows) {
      if (w === BASE_WINDOW) continue;
      const text = windowText(slo, w);
      rules.push({ record: RECORDS.totalEvents(text), expr: sum(RECORDS.totalEvents(BASE), w), labels: withWindow(text) });
      rules.push({ record: RECORDS.badEvents(text), expr: sum(RECORDS.badEvents(BASE), w), labels: withWindow(text) });
    }
    for (const w of windows) {
      const text = windowText(slo, w);
      rules.push({
        record: RECORDS.errorRatio(text),
        expr: `${own(RECORDS.badEvents(text))}\n/\n(${own(RECORDS.totalEvents(text))} > 0)`,
        labels: withWindow(text),
      });
    }
  } else if (slo.sli.kind === 'rawErrorRatio') {
    for (const w of windows) {
      const text = windowText(slo, w);
      // Without event counts the SLO window can only be a time average of base-window ratios,
      // one per clock-aligned base window (the aligned copy, as for counts).
      const aligned = alignedName(RECORDS.errorRatio(BASE));
      const periodFromAligned = w === slo.window && w !== BASE_WINDOW && !slo.calendar;
      if (periodFromAligned) rules.push({ record: aligned, expr: alignedExpr(own(RECORDS.errorRatio(BASE))), labels: withWindow(BASE) });
      const expr = periodFromAligned
        ? `avg_over_time(${own(aligned)}[${rangeEndingShort(w)}])`
        : w === slo.window && w !== BASE_WINDOW
          ? sumSincePeriodStart(slo, own, RECORDS.errorRatio(BASE), 'avg_over_time')
          : rawErrorRatio(slo.sli, w);
      rules.push({ record: RECORDS.errorRatio(text), expr, labels: withWindow(text) });
    }
  }
  for (const w of windows) {
    const text = windowText(slo, w);
    rules.push({ record: RECORDS.burnRate(text), expr: `${own(RECORDS.errorRatio(text))} / ${formatNumber(slo.errorBudget)}`, labels: withWindow(text) });
  }
  return rules;
}

/** Objective, budget, period, current and period burn, budget remaining and an info series. */
export function metaRecordingRules(slo: Slo, opts: RenderOptions, version: string): RecordingRule[] {
  const naming = namingOf(slo);
  const labels = seriesLabels(slo, opts);
  const own = ownSelector(slo);
  const period = periodText(slo);
  const dropWindow = (metric: string) => `max without (${naming.windowLabel}) (${own(metric)})`;
  // The dashboard uid lets fleet tables link each SLO to its service dashboard.
  const dashboard = { slo_dashboard: serviceDashboardUid(slo.service) };
  const info: Record<string, string> =
    slo.convention === 'sloth'
      ? {
          sloth_mode: { 'sloth-k8s': 'cli-gen-k8s', 'sloth-openslo': 'cli-gen-openslo' }[slo.source.format as string] ?? 'cli-gen-prom',
          sloth_objective: slo.objectivePercent,
          sloth_spec: { 'sloth-k8s': 'sloth.slok.dev/v1', 'sloth-openslo': 'openslo/v1alpha' }[slo.source.format as string] ?? 'prometheus/v1',
          sloth_version: `slo-engine-${version}`,
          ...dashboard,
        }
      : { slo_objective: slo.objectivePercent, slo_period: period, ...(slo.calendar ? { slo_time_zone: slo.calendar.timeZone } : {}), slo_sli_kind: slo.sli.kind, ...(slo.catalog ? { slo_catalog: slo.catalog.name } : {}), ...dashboard };
  return [
    { record: RECORDS.objective, expr: `vector(${formatNumber(slo.objective)})`, labels },
    { record: RECORDS.errorBudget, expr: `vector(${formatNumber(slo.errorBudget)})`, labels },
    { record: RECORDS.periodDays, expr: `vector(${formatNumber(slo.window / DAY)})`, labels },
    { record: RECORDS.currentBurnRate, expr: dropWindow(RECORDS.burnRate(BASE)), labels },
    { record: RECORDS.periodBurnRate, expr: dropWindow(RECORDS.burnRate(period)), labels },
    { record: RECORDS.budgetRemaining, expr: `1 - ${own(RECORDS.periodBurnRate)}`, labels },
    { record: naming.infoMetric, expr: 'vector(1)', labels: { ...labels, ...info } },
  ];
}
