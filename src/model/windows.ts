import { BASE_WINDOW } from './constants.js';
import type { Millis } from './duration.js';
import { defaultTiers, windowsOf } from './policy.js';
import type { Slo } from './slo.js';

/**
 * Windows an SLO's series exist for. An SLO without alerts still gets the default tiers'
 * windows, so that dashboards can show its burn rates.
 */
export function sloWindows(slo: Pick<Slo, 'alerting' | 'window'>): Millis[] {
  const tiers = slo.alerting.tiers.length ? slo.alerting.tiers : defaultTiers(slo.window);
  return windowsOf(tiers, BASE_WINDOW, slo.window).filter((w) => w <= slo.window);
}
