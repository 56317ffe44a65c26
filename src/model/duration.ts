/** Durations are milliseconds; text uses Prometheus' syntax (`5m`, `1h30m`, `4w`). */
export type Millis = number;

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];
const UNIT_MS = new Map<string, number>([['y', 365 * 24 * 3600_000], ...UNITS]);

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

export const MINUTE = 60_000;
export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

/** Parses a Prometheus duration; returns undefined for anything else (including zero). */
export function parseDuration(text: string): Millis | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m || text.trim() === '') return undefined;
  let total = 0;
  ORDER.forEach((unit, i) => {
    const v = m[i + 1];
    if (v !== undefined) total += Number(v) * (UNIT_MS.get(unit) ?? 0);
  });
  return total > 0 ? total : undefined;
}

/**
 * Formats with the largest single unit that divides exactly (28d -> `4w`, 30d -> `30d`,
 * 90m -> `90m`), as Sloth does for rule names; compound only when no single unit fits.
 */
export function formatDuration(ms: Millis): string {
  for (const [unit, size] of UNITS) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return formatCompound(ms);
}

/** Compound form (`29m59s`, `2d19h12m`), valid PromQL range syntax. */
export function formatCompound(ms: Millis): string {
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    if (unit === 'w') continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out || '0s';
}

/** Human reading of a duration for annotations, rounded to the minute: 50h is `2d2h`. */
export function humanDuration(ms: Millis): string {
  const rounded = Math.round(ms / MINUTE) * MINUTE;
  return rounded === 0 ? formatCompound(ms) : formatCompound(rounded);
}

/**
 * An instant given as Unix seconds or an RFC 3339 date with `Z` or an offset, in ms; undefined
 * otherwise. A date without an offset would be read in the local time zone, so it is refused.
 */
export function parseInstant(text: string): Millis | undefined {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : /(Z|[+-]\d\d:\d\d)$/i.test(text) ? Date.parse(text) : NaN;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined;
}
