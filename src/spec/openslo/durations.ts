import { DAY, HOUR, MINUTE, type Millis } from '../../model/duration.js';
import { show } from '../errors.js';
import { error, type Loc } from './objects.js';

/** OpenSLO duration shorthand units; months, quarters and years have OpenSLO's nominal lengths. */
export const SHORTHAND_MS = { m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY, M: 30 * DAY, Q: 90 * DAY, Y: 365 * DAY } as const;
export type ShorthandUnit = keyof typeof SHORTHAND_MS;

const SHORTHAND_RE = /^(\d+)([mhdwMQY])$/;
const HINT = 'write a whole number and one unit: m (minutes), h, d, w, M (months), Q (quarters) or Y, e.g. 5m, 1h, 28d or 1M';

export function parseShorthand(text: unknown): { value: number; unit: ShorthandUnit } | undefined {
  if (typeof text !== 'string') return undefined;
  const m = SHORTHAND_RE.exec(text.trim());
  return m ? { value: Number(m[1]), unit: m[2] as ShorthandUnit } : undefined;
}

/**
 * A duration field in milliseconds. `bareMinutes`: OpenSLO's timeSliceWindow may be a plain
 * number of minutes. Zero only where the field allows it (alertAfter).
 */
export function durationAt(loc: Loc, raw: unknown, opts: { bareMinutes?: boolean; allowZero?: boolean } = {}): Millis | undefined {
  if (opts.bareMinutes && typeof raw === 'number' && Number.isInteger(raw) && raw > 0) return raw * MINUTE;
  const d = parseShorthand(raw);
  if (!d) {
    error(loc, `${show(raw)} is not an OpenSLO duration`, HINT);
    return undefined;
  }
  const ms = d.value * SHORTHAND_MS[d.unit];
  if (ms === 0 && !opts.allowZero) {
    error(loc, 'the duration must be longer than zero', HINT);
    return undefined;
  }
  return ms;
}

/** The shorthand for a whole number of minutes, in the largest unit that divides it (weeks at most); undefined otherwise. */
export function toShorthand(ms: Millis): string | undefined {
  if (ms <= 0 || ms % MINUTE !== 0) return ms === 0 ? '0m' : undefined;
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    if (ms % SHORTHAND_MS[unit] === 0) return `${ms / SHORTHAND_MS[unit]}${unit}`;
  }
  return undefined;
}
