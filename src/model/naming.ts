import type { Convention, Slo } from './slo.js';

/**
 * Names of the generated series. Rules write them, the engine serves them on /metrics under the
 * same names, dashboards read them. Sloth-format input keeps Sloth's identity labels so that
 * Sloth's public dashboards and existing Alertmanager routes keep working.
 */
export interface Naming {
  convention: Convention;
  idLabel: string;
  serviceLabel: string;
  nameLabel: string;
  windowLabel: string;
  severityLabel: string;
  infoMetric: string;
}

export const NAMINGS: Record<Convention, Naming> = {
  native: {
    convention: 'native',
    idLabel: 'slo_id',
    serviceLabel: 'slo_service',
    nameLabel: 'slo_name',
    windowLabel: 'slo_window',
    severityLabel: 'severity',
    infoMetric: 'slo_info',
  },
  sloth: {
    convention: 'sloth',
    idLabel: 'sloth_id',
    serviceLabel: 'sloth_service',
    nameLabel: 'sloth_slo',
    windowLabel: 'sloth_window',
    severityLabel: 'sloth_severity',
    infoMetric: 'sloth_slo_info',
  },
};

/** Labels the alerts add to say which tier and window pair fired. */
export const TIER_LABELS = { tier: 'slo_tier', long: 'long', short: 'short', exhaustion: 'exhaustion' } as const;

export const RESERVED_LABELS: ReadonlySet<string> = new Set([
  ...Object.values(NAMINGS).flatMap((n) => [n.idLabel, n.serviceLabel, n.nameLabel, n.windowLabel]),
  ...Object.values(TIER_LABELS),
  'alertname',
  '__name__',
]);

/** `5m` stays `increase5m`; a calendar period reads `increase_month`. */
function suffix(window: string): string {
  return /^[0-9]/.test(window) ? window : `_${window}`;
}

/** Recorded series names, shared by every convention. */
export const RECORDS = {
  badEvents: (w: string) => `slo:events_bad:increase${suffix(w)}`,
  totalEvents: (w: string) => `slo:events_total:increase${suffix(w)}`,
  errorRatio: (w: string) => `slo:sli_error:ratio_rate${suffix(w)}`,
  burnRate: (w: string) => `slo:burn_rate:ratio_rate${suffix(w)}`,
  calendarLocalTime: 'slo:calendar_local_time:seconds',
  calendarLocalStart: 'slo:calendar_local_period_start:seconds',
  calendarStart: 'slo:calendar_period_start:timestamp_seconds',
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  periodDays: 'slo:time_period:days',
  currentBurnRate: 'slo:current_burn_rate:ratio',
  periodBurnRate: 'slo:period_burn_rate:ratio',
  budgetRemaining: 'slo:period_error_budget_remaining:ratio',
} as const;

export function namingOf(slo: Pick<Slo, 'convention'>): Naming {
  return NAMINGS[slo.convention];
}

/** The identity labels every series of an SLO carries. */
export function idLabels(slo: Pick<Slo, 'convention' | 'id' | 'service' | 'name'>): Record<string, string> {
  const n = namingOf(slo);
  return { [n.idLabel]: slo.id, [n.serviceLabel]: slo.service, [n.nameLabel]: slo.name };
}
