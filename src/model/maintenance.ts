import type { Millis } from './duration.js';

/** One recurring schedule: days it recurs on, local start time and length, in a time zone. */
export interface RecurringSchedule {
  /** ISO weekdays 1 (Monday) … 7 (Sunday); empty means every day unless `monthDays` is set. */
  weekdays: number[];
  /** Days of the month 1 … 31. */
  monthDays: number[];
  /** Local start, minutes after midnight. */
  startMinute: number;
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
