import { calendarLabel, periodStart } from './calendar.js';
import { BASE_WINDOW } from './constants.js';
import { formatDuration, type Millis } from './duration.js';
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

/**
 * A window's text in series names and labels. A calendar SLO's period is named by its unit
 * (`month`), never by a duration, so it cannot be mistaken for a rolling window.
 */
export function windowText(slo: Pick<Slo, 'window' | 'calendar'>, w: Millis): string {
  return slo.calendar && w === slo.window ? calendarLabel(slo.calendar) : formatDuration(w);
}

/** The period's text: `30d`, or `month` for a calendar month. */
export function periodText(slo: Pick<Slo, 'window' | 'calendar'>): string {
  return windowText(slo, slo.window);
}

/** The period in words for titles and messages: `30d`, `calendar month (Europe/Berlin)`. */
export function periodWords(slo: Pick<Slo, 'window' | 'calendar'>): string {
  return slo.calendar ? `calendar ${slo.calendar.unit} (${slo.calendar.timeZone})` : formatDuration(slo.window);
}

/**
 * Where the SLO window counted at `t` begins: the calendar period's start, or one window before
 * the last 5m edge. The engine's sums, the history and the burn-down all start here.
 */
export function windowStartAt(slo: Pick<Slo, 'window' | 'calendar'>, t: number): number {
  return slo.calendar ? periodStart(slo.calendar, t) : Math.floor(t / BASE_WINDOW) * BASE_WINDOW - slo.window;
}
