import { TZDate, tz, tzOffset } from '@date-fns/tz';
// One module per function: the 'date-fns' index would load ~300 modules at start-up.
import { addDays } from 'date-fns/addDays';
import { addHours } from 'date-fns/addHours';
import { addMinutes } from 'date-fns/addMinutes';
import { format } from 'date-fns/format';
import { getDate } from 'date-fns/getDate';
import { getDaysInMonth } from 'date-fns/getDaysInMonth';
import { getISODay } from 'date-fns/getISODay';
import { parseISO } from 'date-fns/parseISO';
import { set } from 'date-fns/set';
import { startOfDay } from 'date-fns/startOfDay';
import { DAY, type Millis } from './duration.js';
import type { Slo } from './slo.js';

/** One recurring schedule: days it recurs on, local start time and length, in a time zone. */
export interface RecurringSchedule {
  /** ISO weekdays 1 (Monday) … 7 (Sunday); empty means any weekday. */
  weekdays: number[];
  /**
   * Days of the month 1 … 31, or -1 … -31 counted from the month's end (-1 is its last day);
   * empty means any day. With weekdays too, a day must match both: weekdays [7] with monthDays
   * -7 … -1 is the last Sunday of the month.
   */
  monthDays: number[];
  /** Local start, minutes after midnight. */
  startMinute: number;
  /** Elapsed time from the start, so a window across a DST change lasts exactly this long. */
  duration: Millis;
}

/**
 * Planned maintenance for an SLO or a whole service: explicit ranges and recurring schedules.
 * The engine silences the SLO's alerts during it; with `excludeFromBudget` its events count for
 * nothing, in the engine and (through the maintenance series) in the generated rules.
 */
export interface MaintenanceWindow {
  name: string;
  timeZone: string;
  /** Explicit [start, end) ranges, epoch ms. */
  ranges: Array<{ start: number; end: number }>;
  recurring: RecurringSchedule[];
  excludeFromBudget: boolean;
  /** Create Alertmanager silences for it (default true). */
  silence: boolean;
  comment: string;
}

/** A half-open [start, end) interval, epoch ms. */
export interface TimeRange {
  start: number;
  end: number;
}

/**
 * The series the engine serves on /metrics: 1 while a maintenance window of the SLO is on, else 0.
 * The generated rules of an SLO whose maintenance is excluded from its budget read it back.
 */
export const MAINTENANCE_SERIES = 'slo_maintenance';
/** `excluded`: the window leaves events out of the budget; `counted`: it only silences. */
export const MAINTENANCE_BUDGET_LABEL = 'slo_budget';

export const WEEKDAYS: Readonly<Record<string, number>> = {
  mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7,
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
};

/** Longer recurring windows are a different tool (a calendar window, or no SLO at all). */
export const MAX_RECURRING_DURATION: Millis = 31 * DAY;

/** `HH:MM` (24h) to minutes after midnight; undefined for anything else. */
export function parseClock(text: string): number | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 date or date-time in ms. With `Z` or an offset it is that instant; without, it is
 * local time in `zone` (a time skipped by a DST change moves forward by the gap, a repeated one
 * is its second occurrence, as @date-fns/tz resolves them). Undefined when it is not a real date.
 */
export function parseLocalInstant(text: string, zone: string): number | undefined {
  const t = text.trim();
  if (!ISO_RE.test(t)) return undefined;
  const ms = +parseISO(t.replace(' ', 'T'), { in: tz(zone) });
  if (!Number.isFinite(ms)) return undefined;
  return t.length > 10 && /(?:Z|[+-]\d{2}:?\d{2})$/i.test(t) ? ms : secondOccurrence(ms, zone);
}

/**
 * The later of two instants that show the same local time (the hour repeated when clocks go back);
 * any other instant unchanged. @date-fns/tz takes the later one east of UTC but the earlier one
 * west of it (New York, Santiago), so this makes every zone behave alike.
 */
function secondOccurrence(ms: number, zone: string): number {
  const shift = tzOffset(zone, new Date(ms)) - tzOffset(zone, addHours(ms, 3));
  if (shift <= 0) return ms;
  const later = +addMinutes(ms, shift);
  const wall = (at: number) => format(new TZDate(at, zone), 'yyyy-MM-dd HH:mm:ss.SSS');
  return wall(later) === wall(ms) ? later : ms;
}

function dayMatches(r: RecurringSchedule, day: Date): boolean {
  if (r.weekdays.length && !r.weekdays.includes(getISODay(day))) return false;
  if (!r.monthDays.length) return true;
  const d = getDate(day);
  const fromEnd = d - getDaysInMonth(day) - 1;
  return r.monthDays.includes(d) || r.monthDays.includes(fromEnd);
}

/** Occurrences of one schedule overlapping [from, to), in start order. */
export function recurringOccurrences(r: RecurringSchedule, zone: string, from: number, to: number): TimeRange[] {
  const out: TimeRange[] = [];
  // An occurrence that began up to `duration` before `from` may still be on.
  let day = startOfDay(new TZDate(from - r.duration, zone));
  while (+day < to) {
    if (dayMatches(r, day)) {
      const start = secondOccurrence(+set(day, { hours: Math.floor(r.startMinute / 60), minutes: r.startMinute % 60, seconds: 0, milliseconds: 0 }), zone);
      const end = start + r.duration;
      if (end > from && start < to) out.push({ start, end });
    }
    // Through startOfDay again: in zones whose DST change skips midnight, days start at 01:00.
    day = startOfDay(addDays(day, 1));
  }
  return out;
}

/** Every occurrence of a window (its explicit ranges and its schedules) overlapping [from, to), in start order. */
export function occurrences(w: MaintenanceWindow, from: number, to: number): TimeRange[] {
  const out = w.ranges.filter((r) => r.end > from && r.start < to).map((r) => ({ ...r }));
  for (const r of w.recurring) out.push(...recurringOccurrences(r, w.timeZone, from, to));
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** The union of the windows' occurrences overlapping [from, to), as disjoint ranges in order. */
export function mergedRanges(windows: readonly MaintenanceWindow[], from: number, to: number): TimeRange[] {
  const all = windows.flatMap((w) => occurrences(w, from, to)).sort((a, b) => a.start - b.start);
  const out: TimeRange[] = [];
  for (const r of all) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** Whether any of the windows is on at `t`. */
export function inMaintenance(windows: readonly MaintenanceWindow[], t: number): boolean {
  return windows.some((w) => occurrences(w, t, t + 1).length > 0);
}

/**
 * Whether a window leaves the SLO's events out of its budget. Raw error-ratio SLIs have no
 * events to leave out, so for them a window only silences.
 */
export function excludesFromBudget(slo: Pick<Slo, 'sli'>, w: MaintenanceWindow): boolean {
  return w.excludeFromBudget && slo.sli.kind !== 'rawErrorRatio';
}

/** The SLO's windows whose events count for nothing; empty for most SLOs. */
export function budgetExclusions(slo: Pick<Slo, 'sli' | 'maintenance'>): MaintenanceWindow[] {
  return (slo.maintenance ?? []).filter((w) => excludesFromBudget(slo, w));
}

/** What an on-call engineer needs to know now: the window under way (and until when) or the next one within `aheadMs`. */
export function maintenanceNow(
  windows: readonly MaintenanceWindow[],
  now: number,
  aheadMs: number,
): { active?: { name: string; end: number; excludeFromBudget: boolean }; next?: { name: string; start: number; end: number } } {
  const out: ReturnType<typeof maintenanceNow> = {};
  for (const w of windows) {
    for (const r of occurrences(w, now, now + aheadMs)) {
      if (r.start <= now && r.end > now) {
        if (!out.active || r.end > out.active.end) out.active = { name: w.name, end: r.end, excludeFromBudget: w.excludeFromBudget };
      } else if (r.start > now && (!out.next || r.start < out.next.start)) out.next = { name: w.name, start: r.start, end: r.end };
    }
  }
  return out;
}
