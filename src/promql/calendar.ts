import { LONGEST_LENGTH, offsetSteps, type CalendarWindow } from '../model/calendar.js';
import { formatNumber } from '../model/numbers.js';

const DAY_S = 86_400;

/**
 * The zone's UTC offset in seconds at the instant `x` (a PromQL expression of Unix seconds), as a
 * sum of daylight-saving steps computed by date-fns. PromQL's date functions know only UTC, so
 * the zone's rules are carried into the expression itself.
 */
export function offsetAt(zone: string, x: string): string {
  const { base, steps } = offsetSteps(zone);
  if (steps.length === 0) return formatNumber(base);
  const terms = steps.map((s) => `${s.delta < 0 ? '-' : '+'} (${x} >= bool ${s.at}) * ${Math.abs(s.delta)}`);
  return `(\n  ${base}\n  ${terms.join('\n  ')}\n)`;
}

/** Wall-clock time in the zone, as Unix seconds read as if it were UTC (what PromQL's date functions expect). */
export function localTimeExpr(cal: CalendarWindow): string {
  return `vector(time() + ${offsetAt(cal.timeZone, 'time()')})`;
}

/** Local wall-clock start of the period containing local time `l` (a selector), read as UTC. */
export function localPeriodStartExpr(cal: CalendarWindow, l: string): string {
  const day = `(${l} - ${l} % ${DAY_S})`;
  const month = `(${day} - (day_of_month(${l}) - 1) * ${DAY_S})`;
  switch (cal.unit) {
    case 'week':
      // day_of_week counts from Sunday; ISO weeks begin on Monday.
      return `${day} - ((day_of_week(${l}) + 6) % 7) * ${DAY_S}`;
    case 'month':
      return month;
    case 'year':
      return `${day} - (day_of_year(${l}) - 1) * ${DAY_S}`;
    case 'quarter': {
      // Step back over the earlier months of the quarter, each by its own length.
      const k = `((month(${l}) - 1) % 3)`;
      const prev1 = `days_in_month(${month} - ${DAY_S})`;
      const prev2 = `days_in_month(${month} - ${DAY_S} - ${prev1} * ${DAY_S})`;
      return `${month}\n- (${k} >= bool 1) * ${prev1} * ${DAY_S}\n- (${k} >= bool 2) * ${prev2} * ${DAY_S}`;
    }
  }
}

/**
 * The period's start in Unix seconds from its local start `s` and local time `l`: the local
 * start minus the offset in force at that instant (found from a first guess with today's offset).
 */
export function periodStartExpr(cal: CalendarWindow, s: string, l: string): string {
  return `${s} - ${offsetAt(cal.timeZone, `(${s} - (${l} - time()))`)}`;
}

/** A range long enough for the longest period of the unit. */
export function longestPeriodMs(cal: CalendarWindow): number {
  return LONGEST_LENGTH[cal.unit];
}
