import { BASE_WINDOW } from '../model/constants.js';
import { formatDuration, MINUTE } from '../model/duration.js';
import { rangeEndingShort } from '../promql/range.js';

/** The SLI group's evaluation interval: a divisor of the base window. */
export const SLI_INTERVAL = MINUTE;

/**
 * The base count recorded once per clock-aligned base window, at the SLI group's first
 * evaluation after the boundary: `slo:events_total:increase5m` becomes
 * `slo:events_total:increase5m_aligned`.
 */
export function alignedName(baseRecord: string): string {
  return `${baseRecord}_aligned`;
}

/**
 * Keeps the base series only at the group's first evaluation after a base-window boundary: the
 * group runs every minute at a fixed offset below a minute, so exactly one evaluation per 5
 * minutes has `time() mod 5m` below the interval. The series then holds one sample per base
 * window (Prometheus marks it stale in between, and range functions skip stale markers).
 */
export function alignedExpr(baseSelector: string): string {
  return `${baseSelector} and on() (vector(time()) % ${BASE_WINDOW / 1000} < ${SLI_INTERVAL / 1000})`;
}

/**
 * The sum of the aligned base windows inside `window`, a plain range read with no subquery: the
 * rule runs in the same group as the aligned series, so at every evaluation the range (one
 * second short of the window, as Prometheus 2 includes both ends) holds exactly the base windows
 * ending at the last boundary the group has passed, which is the last 5m boundary at or before
 * the evaluation time (the engine's window).
 */
export function sumOfAligned(alignedSelector: string, window: number): string {
  return `sum_over_time(${alignedSelector}[${rangeEndingShort(window)}])`;
}

export const SLI_INTERVAL_TEXT = formatDuration(SLI_INTERVAL);
