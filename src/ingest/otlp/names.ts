/**
 * OTLP names as Prometheus's OTLP receiver writes them under its default translation strategy,
 * `UnderscoreEscapingWithSuffixes`: invalid characters become `_`, the unit becomes a suffix,
 * monotonic sums end in `_total` and unit-"1" gauges in `_ratio`. An SLI written against the names
 * Prometheus shows therefore selects the same series when the engine ingests OTLP itself.
 */

/**
 * What the name rules need to know about a metric. Histograms, summaries and up-down counters
 * (non-monotonic sums) only take the unit suffix; `counter` (a monotonic sum) also takes `_total`
 * and `gauge` takes `_ratio` when its unit is "1".
 */
export type OtlpMetricKind = 'counter' | 'updowncounter' | 'gauge' | 'histogram' | 'summary';

/** UCUM units in OTLP → the Prometheus base-unit words. Units not listed pass through as written. */
const UNITS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

/** The denominator of `X/Y` units, in the singular: `By/s` → `bytes_per_second`. */
const PER_UNITS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

/** Runs of characters outside `[a-zA-Z0-9:]`, a whole code point at a time. */
const NAME_SEPARATORS = /[^a-zA-Z0-9:]+/u;

/**
 * The Prometheus name of an OTLP metric, e.g. `http.server.request.duration` in `s` as a histogram
 * → `http_server_request_duration_seconds` (the decoder adds `_bucket`, `_count`, `_sum`).
 * Returns "" when nothing valid remains (a name of only punctuation); such metrics are refused.
 */
export function otlpMetricName(name: string, unit: string, kind: OtlpMetricKind): string {
  let tokens = name.split(NAME_SEPARATORS).filter((t) => t !== '');
  const [main, per] = unitSuffixes(unit);
  tokens = addUnitTokens(tokens, cleanUnit(main), cleanUnit(per));
  if (kind === 'counter') tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
  if (kind === 'gauge' && unit === '1') tokens = [...tokens.filter((t) => t !== 'ratio'), 'ratio'];
  let out = tokens.join('_');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return /^_*$/.test(out) ? '' : out;
}

/** Main and per-unit suffixes before clean-up; `{…}` annotations (e.g. `{request}`) give none. */
function unitSuffixes(unit: string): [string, string] {
  const slash = unit.indexOf('/');
  const mainUnit = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const perUnit = slash < 0 ? '' : unit.slice(slash + 1).trim();
  const main = mainUnit !== '' && !/[{}]/.test(mainUnit) ? (UNITS[mainUnit] ?? mainUnit) : '';
  const perWord = perUnit !== '' && !/[{}]/.test(perUnit) ? (PER_UNITS[perUnit] ?? perUnit) : '';
  return [main, perWord === '' ? '' : `per_${perWord}`];
}

/** Invalid characters → `_`, repeated underscores collapsed, no leading underscore. */
function cleanUnit(unit: string): string {
  return unit.replace(/[^a-zA-Z0-9:]/gu, '_').replace(/__+/g, '_').replace(/^_/, '');
}

/** Appends the unit words unless the name already holds them (`…_seconds` stays as it is). */
function addUnitTokens(tokens: string[], main: string, per: string): string[] {
  if (tokens.includes(main)) main = '';
  if (per === 'per_') per = '';
  else {
    per = per.replace(/_$/, '');
    if (tokens.includes(per)) per = '';
  }
  if (per !== '') main = main.replace(/_$/, '');
  const out = [...tokens];
  if (main !== '') out.push(main);
  if (per !== '') out.push(per);
  return out;
}

/**
 * The Prometheus label name of an attribute key: characters outside `[a-zA-Z0-9_]` become `_`;
 * a leading digit gets `key_` and a single leading underscore `key` (`__reserved` stays).
 * Returns "" for a key that has no valid name (empty, or only punctuation).
 */
export function otlpLabelName(key: string): string {
  if (key === '') return '';
  let out = key.replace(/[^a-zA-Z0-9_]/gu, '_');
  if (/^[0-9]/.test(out)) out = `key_${out}`;
  else if (out.startsWith('_') && !out.startsWith('__')) out = `key${out}`;
  return out !== key && /^_+$/.test(out) ? '' : out;
}

/**
 * A float as Go's `strconv.FormatFloat(v, 'f', -1, 64)` writes it, which is how Prometheus's OTLP
 * receiver writes `le` and `quantile`: shortest round-trip digits, never an exponent (`0.005`,
 * `1000000`, `0.0000001`), and `+Inf`/`-Inf`/`NaN`.
 */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const sign = s.startsWith('-') ? '-' : '';
  const mantissa = s.slice(sign.length, e);
  const exponent = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
