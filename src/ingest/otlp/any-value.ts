/**
 * An OTLP `AnyValue` once decoded, from either encoding, and the string it becomes as a label
 * value. The strings follow the collector's `pcommon.Value.AsString`, which Prometheus's OTLP
 * receiver uses: ints in decimal, doubles as JavaScript prints them, bytes in base64, arrays and
 * key-value lists as JSON.
 */
export type AnyRaw =
  | string
  | boolean
  | bigint
  | number
  | { bytes: string }
  | AnyRaw[]
  | { kvlist: Array<[string, AnyRaw]> }
  | null;

/** Arrays and key-value lists nest; deeper values are refused rather than recursed into. */
export const MAX_ANY_VALUE_DEPTH = 16;

export function anyValueString(v: AnyRaw): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'number') return String(v);
  return toJson(v);
}

function toJson(v: AnyRaw): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if ('bytes' in v) return JSON.stringify(v.bytes);
  return `{${v.kvlist.map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
}
