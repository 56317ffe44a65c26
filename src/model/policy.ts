import { DAY, HOUR, MINUTE, type Millis } from './duration.js';
import { tidy } from './numbers.js';
import { BASE_WINDOW } from './constants.js';
import type { AlertTier, Severity, Slo } from './slo.js';

/**
 * The SRE Workbook's multi-window, multi-burn-rate tiers, stated as budget shares so that they
 * scale to any SLO window: page on 2% of the budget in 1h and 5% in 6h, ticket on 10% in 1d and
 * 10% in 3d. At 30d this gives the Workbook's factors 14.4, 6, 3 and 1.
 */
export interface TierTemplate {
  name: string;
  severity: Severity;
  longWindow: Millis;
  shortWindow: Millis;
  budgetShare: number;
}

export const DEFAULT_TIERS: readonly TierTemplate[] = [
  { name: 'page-fast', severity: 'page', longWindow: HOUR, shortWindow: 5 * MINUTE, budgetShare: 0.02 },
  { name: 'page-slow', severity: 'page', longWindow: 6 * HOUR, shortWindow: 30 * MINUTE, budgetShare: 0.05 },
  { name: 'ticket-fast', severity: 'ticket', longWindow: DAY, shortWindow: 2 * HOUR, budgetShare: 0.1 },
  { name: 'ticket-slow', severity: 'ticket', longWindow: 3 * DAY, shortWindow: 6 * HOUR, budgetShare: 0.1 },
];

/** Burn-rate factor that spends `budgetShare` of a `sloWindow` budget within `longWindow`. */
export function factorFor(budgetShare: number, sloWindow: Millis, longWindow: Millis): number {
  return tidy((budgetShare * sloWindow) / longWindow);
}

/** Budget share spent by the time a `factor` burn has filled `longWindow`. */
export function budgetShareFor(factor: number, sloWindow: Millis, longWindow: Millis): number {
  return tidy((factor * longWindow) / sloWindow);
}

/** Time to spend the whole budget at a constant burn rate. */
export function exhaustionTime(factor: number, sloWindow: Millis): Millis {
  return sloWindow / factor;
}

export function tierFromTemplate(t: TierTemplate, sloWindow: Millis): AlertTier {
  return {
    name: t.name,
    severity: t.severity,
    longWindow: t.longWindow,
    shortWindow: t.shortWindow,
    budgetShare: t.budgetShare,
    factor: factorFor(t.budgetShare, sloWindow, t.longWindow),
    for: 0,
    labels: {},
    annotations: {},
  };
}

export function defaultTiers(sloWindow: Millis): AlertTier[] {
  return DEFAULT_TIERS.map((t) => tierFromTemplate(t, sloWindow));
}

/** The short window the Workbook recommends for a long window: one twelfth. */
export function defaultShortWindow(longWindow: Millis): Millis {
  return Math.max(MINUTE, Math.round(longWindow / 12 / MINUTE) * MINUTE);
}

/** Every window the rules and the engine must compute: each tier's pair, the base and the SLO window. */
export function windowsOf(tiers: readonly AlertTier[], baseWindow: Millis, sloWindow: Millis): Millis[] {
  const set = new Set<Millis>([baseWindow, sloWindow]);
  for (const t of tiers) {
    set.add(t.longWindow);
    set.add(t.shortWindow);
  }
  return [...set].sort((a, b) => a - b);
}

/** The window whose burn rate says when the budget runs out: the fastest paging tier's long window, else 5m. */
export function projectionWindow(slo: Pick<Slo, 'alerting'>): Millis {
  const pages = slo.alerting.tiers.filter((t) => t.severity === 'page').map((t) => t.longWindow);
  return pages.length ? Math.min(...pages) : BASE_WINDOW;
}

/** Seconds until `remaining` budget is spent at `burn`: 0 once spent, undefined without a burn to project. */
export function budgetLastsSeconds(remaining: number | undefined, burn: number | undefined, sloWindow: Millis): number | undefined {
  if (remaining === undefined || burn === undefined || burn <= 0) return undefined;
  return remaining <= 0 ? 0 : (remaining * sloWindow) / burn / 1000;
}
