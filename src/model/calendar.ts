import { TZDate, tzOffset } from '@date-fns/tz';
// One module per function: the 'date-fns' index would load ~300 modules at start-up.
import { addMonths } from 'date-fns/addMonths';
import { addQuarters } from 'date-fns/addQuarters';
import { addWeeks } from 'date-fns/addWeeks';
import { addYears } from 'date-fns/addYears';
import { startOfISOWeek } from 'date-fns/startOfISOWeek';
import { startOfMonth } from 'date-fns/startOfMonth';
import { startOfQuarter } from 'date-fns/startOfQuarter';
import { startOfYear } from 'date-fns/startOfYear';
import { DAY, type Millis } from './duration.js';

export type CalendarUnit = 'week' | 'month' | 'quarter' | 'year';

/** A budget that resets at each calendar boundary (ISO week from Monday, month, quarter, year) in a time zone. */
export interface CalendarWindow {
  unit: CalendarUnit;
  /** IANA time-zone name, e.g. Europe/Berlin; UTC when the spec names none. */
  timeZone: string;
}

export const CALENDAR_UNITS: readonly CalendarUnit[] = ['week', 'month', 'quarter', 'year'];

/** Nominal length: what factors and projections scale with. */
export const NOMINAL_LENGTH: Record<CalendarUnit, Millis> = { week: 7 * DAY, month: 30 * DAY, quarter: 90 * DAY, year: 365 * DAY };

/** The longest period a unit can have, DST included: how far back sums must reach. */
export const LONGEST_LENGTH: Record<CalendarUnit, Millis> = { week: 7 * DAY + 3_600_000, month: 31 * DAY + 3_600_000, quarter: 92 * DAY + 3_600_000, year: 366 * DAY + 3_600_000 };

const START = { week: startOfISOWeek, month: startOfMonth, quarter: startOfQuarter, year: startOfYear } as const;
const ADD = { week: addWeeks, month: addMonths, quarter: addQuarters, year: addYears } as const;

/** True when the runtime knows the zone (Intl), so a typo fails at validation, not at 3 a.m. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Start of the period containing `at` (epoch ms). */
export function periodStart(cal: CalendarWindow, at: number): number {
  return +START[cal.unit](new TZDate(at, cal.timeZone));
}

/** The zone's offset from UTC at `at`, in seconds. */
export function utcOffsetSeconds(timeZone: string, at: number): number {
  return tzOffset(timeZone, new Date(at)) * 60;
}

/** Start of the period after the one containing `at`. */
export function periodEnd(cal: CalendarWindow, at: number): number {
  return +ADD[cal.unit](START[cal.unit](new TZDate(at, cal.timeZone)), 1);
}

/** Words for titles: "this month", "this ISO week". */
export function periodWords(cal: CalendarWindow): string {
  return cal.unit === 'week' ? 'this week' : `this ${cal.unit}`;
}

/** Window-label text of the period series: `month`, `week`, … (never a duration, so never confused with a rolling window). */
export function calendarLabel(cal: CalendarWindow): string {
  return cal.unit;
}

/** First and last year whose daylight-saving changes the generated rules encode. */
export const OFFSET_YEARS = { from: 2024, to: 2040 } as const;

export interface OffsetSteps {
  /** UTC offset in seconds before the first step. */
  base: number;
  /** Each change of the offset: the UTC instant (seconds) and the change in seconds. */
  steps: Array<{ at: number; delta: number }>;
}

const offsetCache = new Map<string, OffsetSteps>();

/**
 * The zone's UTC offset as steps over OFFSET_YEARS, found with @date-fns/tz: a daily scan, then
 * a binary search to the minute for each change. Cached per zone (it costs a few thousand calls).
 */
export function offsetSteps(zone: string): OffsetSteps {
  const cached = offsetCache.get(zone);
  if (cached) return cached;
  const offsetAt = (ms: number) => tzOffset(zone, new Date(ms)) * 60;
  const from = Date.UTC(OFFSET_YEARS.from, 0, 1);
  const to = Date.UTC(OFFSET_YEARS.to + 1, 0, 1);
  const base = offsetAt(from);
  const steps: OffsetSteps['steps'] = [];
  let prev = base;
  for (let day = from + DAY; day <= to; day += DAY) {
    const now = offsetAt(day);
    if (now === prev) continue;
    let lo = day - DAY;
    let hi = day;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetAt(mid) === prev) lo = mid;
      else hi = mid;
    }
    steps.push({ at: hi / 1000, delta: now - prev });
    prev = now;
  }
  const out = { base, steps };
  offsetCache.set(zone, out);
  return out;
}
