import { CALENDAR_UNITS, isKnownTimeZone, type CalendarUnit, type CalendarWindow } from '../model/calendar.js';
import type { DocContext } from './context.js';
import type { Path } from './yaml-source.js';

/** `{unit, timeZone}` checked: a known unit and a zone the runtime knows (default UTC). */
export function calendarField(ctx: DocContext, at: Path, raw: { unit?: unknown; timeZone?: unknown }): CalendarWindow | undefined {
  const unit = raw.unit as CalendarUnit;
  if (!CALENDAR_UNITS.includes(unit)) {
    ctx.error([...at, 'unit'], `${JSON.stringify(raw.unit)} is not a calendar unit`, `use one of ${CALENDAR_UNITS.join(', ')}`);
    return undefined;
  }
  const timeZone = raw.timeZone === undefined ? 'UTC' : String(raw.timeZone);
  if (!isKnownTimeZone(timeZone)) {
    ctx.error([...at, 'timeZone'], `${JSON.stringify(timeZone)} is not a time zone this runtime knows`, 'use an IANA name such as Europe/Berlin, America/New_York or UTC');
    return undefined;
  }
  return { unit, timeZone };
}
