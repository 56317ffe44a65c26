import { BASE_WINDOW } from '../../model/constants.js';
import { MINUTE, type Millis } from '../../model/duration.js';

/** Pyrra's four burn-rate tiers, in its order (its `severities` keys name them). */
export type PyrraTierKey = 'fastBurn' | 'mediumBurn' | 'slowBurn' | 'longTermBurn';

export interface PyrraWindow {
  key: PyrraTierKey;
  /** Our tier name, also the `slo_tier` label. */
  name: string;
  /** Pyrra's own severity word for the tier. */
  severity: 'critical' | 'warning';
  for: Millis;
  long: Millis;
  short: Millis;
  factor: number;
}

/**
 * Pyrra states every window as a fraction of the SLO window, tuned so that 28d gives
 * 1h/5m, 6h/30m, 1d/2h and 4d/6h (pyrra-dev/pyrra slo/rules.go `Windows`). The factors are
 * fixed whatever the window: the golden rules in shared/fixtures/pyrra print 14, 7, 2 and 1.
 */
const TABLE: ReadonlyArray<Omit<PyrraWindow, 'for' | 'long' | 'short'> & { forDiv: number; longDiv: number; shortDiv: number }> = [
  { key: 'fastBurn', name: 'fast-burn', severity: 'critical', forDiv: 28 * 24 * 30, longDiv: 28 * 24, shortDiv: 28 * 24 * 12, factor: 14 },
  { key: 'mediumBurn', name: 'medium-burn', severity: 'critical', forDiv: 28 * 24 * 4, longDiv: 28 * 4, shortDiv: 28 * 24 * 2, factor: 7 },
  { key: 'slowBurn', name: 'slow-burn', severity: 'warning', forDiv: 28 * 24, longDiv: 28, shortDiv: 28 * 12, factor: 2 },
  { key: 'longTermBurn', name: 'long-term-burn', severity: 'warning', forDiv: 28 * 8, longDiv: 7, shortDiv: 28 * 4, factor: 1 },
];

const NS_PER_MS = 1_000_000n;
const MINUTE_NS = BigInt(MINUTE) * NS_PER_MS;

/**
 * Go's `time.Duration(window) / n` then `.Round(time.Minute)`: integer nanoseconds, truncated,
 * then rounded half away from zero. BigInt because a year in nanoseconds exceeds 2^53.
 */
function pyrraFraction(window: Millis, divisor: number): Millis {
  const ns = (BigInt(window) * NS_PER_MS) / BigInt(divisor);
  const rest = ns % MINUTE_NS;
  const rounded = rest + rest < MINUTE_NS ? ns - rest : ns - rest + MINUTE_NS;
  return Number(rounded / NS_PER_MS);
}

/** The tiers exactly as Pyrra computes them for an SLO window, before any base-window rounding. */
export function pyrraWindows(window: Millis): PyrraWindow[] {
  return TABLE.map((t) => ({
    key: t.key,
    name: t.name,
    severity: t.severity,
    factor: t.factor,
    for: pyrraFraction(window, t.forDiv),
    long: pyrraFraction(window, t.longDiv),
    short: pyrraFraction(window, t.shortDiv),
  }));
}

/**
 * Pyrra's `for` of its absent alert: the time a total outage (100% errors) takes to push the
 * fastest tier's long window over its threshold, plus that tier's `for`, rounded to the minute
 * (28d at 99% gives 10m, at 99.5% 6m). `target` is a ratio (0.99).
 */
export function pyrraAbsentFor(window: Millis, target: number): Millis {
  const fastest = pyrraWindows(window)[0]!;
  const seconds = Math.trunc(fastest.factor * (1 - target) * (fastest.long / 1000));
  const ms = seconds * 1000 + fastest.for;
  return Math.round(ms / MINUTE) * MINUTE;
}

/** Nearest multiple of the base window, at least one base window: our windows are sums of them. */
export function toBaseWindows(ms: Millis): Millis {
  return Math.max(BASE_WINDOW, Math.round(ms / BASE_WINDOW) * BASE_WINDOW);
}
