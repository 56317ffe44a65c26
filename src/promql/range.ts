import { formatCompound, type Millis } from '../model/duration.js';

/**
 * A range that ends one second short of `ms`. Prometheus 2 includes both ends of a range, so a
 * full range would count the sample (or subquery step) on the boundary in two adjacent windows;
 * one second less gives the same pieces on Prometheus 2 and 3.
 */
export function rangeEndingShort(ms: Millis): string {
  return formatCompound(ms - 1000);
}
