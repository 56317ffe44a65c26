import { TZDate } from '@date-fns/tz';
// One module per function: the 'date-fns' index would load ~300 modules at start-up.
import { format } from 'date-fns/format';
import { isKnownTimeZone, NOMINAL_LENGTH, periodStart, type CalendarUnit, type CalendarWindow } from '../../model/calendar.js';
import type { Millis } from '../../model/duration.js';
import { show } from '../errors.js';
import { durationAt, parseShorthand } from './durations.js';
import { error, field, warn, type Loc, type Raw } from './objects.js';

const CALENDAR_UNITS: Record<string, CalendarUnit> = { '1w': 'week', '1M': 'month', '1Q': 'quarter', '1Y': 'year' };
const CALENDAR_TEXT: Record<CalendarUnit, string> = { week: '1w', month: '1M', quarter: '1Q', year: '1Y' };

/** The duration OpenSLO writes for a calendar unit. */
export function calendarDuration(unit: CalendarUnit): string {
  return CALENDAR_TEXT[unit];
}

/** A boundary of every calendar unit (a Monday, 1 January): what the writer puts in startTime. */
export const BOUNDARY_START_TIME = '2024-01-01 00:00:00';

const START_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * `timeWindow[0]`: a rolling window, or a calendar one whose periods begin at the calendar
 * boundaries of its time zone (ISO weeks from Monday, months, quarters, years).
 */
export function readTimeWindow(loc: Loc, raw: Raw): { window: Millis; calendar?: CalendarWindow } | undefined {
  const calendar = raw.calendar as Raw | undefined;
  const rolling = raw.isRolling === true || (raw.isRolling === undefined && calendar === undefined);
  if (rolling) {
    if (calendar) warn(field(loc, 'calendar'), 'isRolling is true, so calendar is ignored', 'remove calendar, or set isRolling: false for a calendar window');
    const window = durationAt(field(loc, 'duration'), raw.duration);
    return window === undefined ? undefined : { window };
  }
  const unit = calendarUnit(field(loc, 'duration'), raw.duration);
  const timeZone = (calendar?.timeZone as string | undefined) ?? 'UTC';
  if (!calendar) warn(loc, 'a calendar window without calendar: periods start at the calendar boundaries in UTC', 'add calendar: {timeZone: <IANA zone>}');
  if (!isKnownTimeZone(timeZone)) {
    error(field(loc, 'calendar', 'timeZone'), `unknown time zone ${show(timeZone)}`, 'use an IANA zone name such as Europe/Berlin, America/New_York or UTC');
    return undefined;
  }
  if (!unit) return undefined;
  const cal: CalendarWindow = { unit, timeZone };
  if (calendar?.startTime !== undefined) checkStartTime(field(loc, 'calendar', 'startTime'), String(calendar.startTime), cal);
  return { window: NOMINAL_LENGTH[unit], calendar: cal };
}

function calendarUnit(loc: Loc, raw: unknown): CalendarUnit | undefined {
  const d = parseShorthand(raw);
  if (d && d.value === 1 && d.unit === 'm') {
    // OpenSLO's own timeslices example writes 1m for a calendar month (OpenSLO/OpenSLO#267).
    warn(loc, '1m is one minute in OpenSLO; as a calendar window it is read as one month', 'write 1M for a calendar month');
    return 'month';
  }
  const unit = typeof raw === 'string' ? CALENDAR_UNITS[raw.trim()] : undefined;
  if (!unit) error(loc, `${show(raw)} is not a calendar period`, 'a calendar window is 1w (ISO week), 1M (month), 1Q (quarter) or 1Y (year); for other lengths use isRolling: true');
  return unit;
}

/** Periods start at calendar boundaries; a startTime elsewhere is read as the start of its period, with a warning. */
function checkStartTime(loc: Loc, text: string, cal: CalendarWindow): void {
  const m = START_RE.exec(text.trim());
  if (!m) {
    error(loc, `${show(text)} is not a local date and time`, 'write it as 2024-01-01 00:00:00 (no zone: timeZone gives it)');
    return;
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const at = +new TZDate(y, mo - 1, d, h, mi, s, cal.timeZone);
  if (Number.isNaN(at)) {
    error(loc, `${show(text)} is not a valid date`);
    return;
  }
  const start = periodStart(cal, at);
  if (start !== at) {
    const local = format(new TZDate(start, cal.timeZone), 'yyyy-MM-dd HH:mm:ss');
    warn(loc, `startTime ${text} is not at the start of a ${cal.unit} in ${cal.timeZone}: periods begin at calendar boundaries, so this one is read as starting ${local}`,
      `write startTime: ${local}, or use a rolling window for periods that start elsewhere`);
  }
}
