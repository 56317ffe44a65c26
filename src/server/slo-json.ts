import { BASE_WINDOW } from '../model/constants.js';
import { serviceDashboardPath } from '../model/dashboard-ids.js';
import { DAY, formatDuration } from '../model/duration.js';
import { excludesFromBudget, maintenanceNow } from '../model/maintenance.js';
import { periodText, windowStartAt, windowText } from '../model/windows.js';
import { budgetLastsSeconds, projectionWindow } from '../model/policy.js';
import type { Slo } from '../model/slo.js';
import type { ActiveAlert } from '../engine/alert-state.js';
import type { SloStatus } from '../engine/engine.js';
import { windowOf, type GroupStatus } from '../engine/evaluate.js';
import type { SloState } from '../engine/slo-state.js';

const STALE_AFTER = 10 * 60_000;

/** The maintenance under way (alerts silenced, perhaps events left out) and the next within a day. */
function maintenanceJson(slo: Slo, now: number) {
  const m = maintenanceNow(slo.maintenance ?? [], now, DAY);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    active: m.active ? { name: m.active.name, until: iso(m.active.end), excludedFromBudget: excludesFromBudget(slo, slo.maintenance!.find((w) => w.name === m.active!.name)!) } : null,
    next: m.next ? { name: m.next.name, start: iso(m.next.start), end: iso(m.next.end) } : null,
  };
}

export interface JsonOptions {
  grafanaUrl: string;
}

function groupJson(slo: Slo, g: GroupStatus) {
  const windows: Record<string, unknown> = {};
  for (const w of g.windows) {
    windows[windowText(slo, w.window)] = {
      total: w.total ?? null,
      bad: w.bad ?? null,
      errorRatio: w.errorRatio ?? null,
      sli: w.errorRatio === undefined ? null : 1 - w.errorRatio,
      burnRate: w.burnRate ?? null,
    };
  }
  const exhaustionSeconds = budgetLastsSeconds(g.budgetRemaining, windowOf(g, projectionWindow(slo))?.burnRate, slo.window);
  return { labels: g.labels, windows, budgetRemaining: g.budgetRemaining ?? null, exhaustionSeconds: exhaustionSeconds ?? null };
}

/** ok, burning (a tier firing), exhausted, no-data or unavailable: the one word a list sorts by. */
function overall(status: SloStatus, alerts: readonly ActiveAlert[]): string {
  if (status.source === 'unavailable') return 'unavailable';
  if (status.groups.length === 0) return 'no-data';
  if (alerts.some((a) => a.state === 'firing' && a.labels.alertname === status.slo.alerting.name)) return 'burning';
  if (status.groups.some((g) => g.budgetRemaining !== undefined && g.budgetRemaining <= 0)) return 'exhausted';
  return 'ok';
}

function alertJson(a: ActiveAlert) {
  return {
    alertname: a.labels.alertname,
    tier: a.labels.slo_tier ?? null,
    severity: a.labels.severity ?? a.labels.sloth_severity ?? null,
    state: a.state,
    activeAt: new Date(a.activeAt).toISOString(),
    firedAt: a.firedAt === undefined ? null : new Date(a.firedAt).toISOString(),
    resolvedAt: a.resolvedAt === undefined ? null : new Date(a.resolvedAt).toISOString(),
    value: a.value,
    labels: a.labels,
    annotations: a.annotations,
  };
}

export function alertsOf(slo: Slo, alerts: readonly ActiveAlert[]): ActiveAlert[] {
  return alerts.filter((a) => a.slo === slo.id);
}

export function sloSummaryJson(status: SloStatus, alerts: readonly ActiveAlert[], opts: JsonOptions, now: number = Date.now()) {
  const slo = status.slo;
  const mine = alertsOf(slo, alerts);
  return {
    id: slo.id,
    service: slo.service,
    name: slo.name,
    description: slo.description,
    labels: slo.labels,
    objective: slo.objective,
    objectivePercent: slo.objectivePercent,
    errorBudget: slo.errorBudget,
    window: periodText(slo),
    calendar: slo.calendar ?? null,
    maintenance: maintenanceJson(slo, now),
    sliKind: slo.sli.kind,
    source: status.source,
    reason: status.reason ?? null,
    readAt: status.readAt === undefined ? null : new Date(status.readAt).toISOString(),
    lastDataAt: status.lastDataAt === undefined ? null : new Date(status.lastDataAt).toISOString(),
    // Nothing new for ten minutes (two 5m windows): the numbers shown are old, whatever they say.
    stale: status.source !== 'unavailable' && (status.lastDataAt === undefined || now - status.lastDataAt > STALE_AFTER),
    status: overall(status, mine),
    // Limits the engine applied to this SLO (the cardinality guard): each names its field, the limit and the flag.
    warnings: status.warnings ?? [],
    groups: status.groups.map((g) => groupJson(slo, g)),
    alerts: mine.map(alertJson),
    tiers: slo.alerting.tiers.map((t) => ({
      name: t.name,
      severity: t.severity,
      longWindow: formatDuration(t.longWindow),
      shortWindow: formatDuration(t.shortWindow),
      factor: t.factor,
      budgetShare: t.budgetShare,
      for: t.for > 0 ? formatDuration(t.for) : '0s',
    })),
    links: {
      dashboard: `${opts.grafanaUrl.replace(/\/+$/, '')}${serviceDashboardPath(slo.service, slo.name)}`,
      runbook: slo.alerting.runbookUrl ?? null,
    },
  };
}

/**
 * Budget left after each 5m bucket of the SLO window, measured against the whole window's
 * events, as the dashboards' burn-down draws it: 1 - bad(start, t] / (budget x total(start, end]).
 */
export function burndown(state: SloState, t: number): Array<{ labels: Record<string, string>; points: Array<[number, number]> }> {
  const end = Math.floor(t / BASE_WINDOW) * BASE_WINDOW;
  const start = windowStartAt(state.slo, t);
  return [...state.groups.values()].map((g) => {
    const buckets = g.base.entries().filter((b) => b.end > start && b.end <= end);
    const total = buckets.reduce((n, b) => n + b.total, 0);
    let bad = 0;
    const points: Array<[number, number]> = [];
    for (const b of buckets) {
      bad += state.plan.badOf(b.total, b.num);
      if (total > 0) points.push([b.end / 1000, 1 - bad / (state.slo.errorBudget * total)]);
    }
    return { labels: g.labels, points };
  });
}
