import { DAY, formatDuration, type Millis } from '../model/duration.js';

/** Durations as people write SLO windows: whole days in days (28d, 7d), not weeks (4w, 1w). */
export function durationText(ms: Millis): string {
  return ms % DAY === 0 ? `${ms / DAY}d` : formatDuration(ms);
}
