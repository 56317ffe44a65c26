import { utf8String } from './strings.js';

/** `__name__` as bytes. */
const NAME = [0x5f, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x5f, 0x5f];

/** Where the last `length()` varint ended. */
let after = 0;

/** A length varint at `pos`; -1 when truncated or too long to be a length (the caller gives up). */
function length(buf: Uint8Array, pos: number, end: number): number {
  let n = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) return -1;
    const b = buf[pos++]!;
    n |= (b & 0x7f) << shift;
    if (b < 0x80) {
      after = pos;
      return n;
    }
  }
  return -1;
}

/** Whether `buf[start, end)` is ASCII: then it is valid UTF-8 and its string length is its byte length. */
function ascii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

/**
 * The metric name of a remote-write 1.0 `TimeSeries` at `buf[start, end)`, found without decoding
 * the series: its labels are walked as bytes up to `__name__`, whose value alone becomes a string.
 * Returns undefined whenever the series is not in the plain shape every known encoder writes
 * (labels first, each { 1 name, 2 value } once), or anything before the name would fail the
 * checks the full decoder makes: the caller then decodes the series in full, which refuses
 * malformed input with the same errors as ever. So a series skipped here is one the full decoder
 * would also have skipped, at the same label, without an error.
 */
export function scanMetricName(buf: Uint8Array, start: number, end: number, maxLabels: number, maxLength: number): string | undefined {
  let pos = start;
  let count = 0;
  while (pos < end) {
    // Field 1, wire type 2: a Label. Anything else before `__name__` takes the full decoder.
    if (buf[pos] !== 0x0a) return undefined;
    const len = length(buf, pos + 1, end);
    if (len < 0) return undefined;
    const ls = after;
    const le = ls + len;
    if (le > end || ++count > maxLabels) return undefined;
    let p = ls;
    let ns = p;
    let ne = p;
    let vs = p;
    let ve = p;
    if (p < le && buf[p] === 0x0a) {
      const n = length(buf, p + 1, le);
      if (n < 0) return undefined;
      ns = after;
      ne = ns + n;
      if (ne > le) return undefined;
      p = ne;
    }
    if (p < le && buf[p] === 0x12) {
      const n = length(buf, p + 1, le);
      if (n < 0) return undefined;
      vs = after;
      ve = vs + n;
      if (ve > le) return undefined;
      p = ve;
    }
    if (p !== le) return undefined;
    if (ne - ns === 8 && buf[ns] === 0x5f && isName(buf, ns)) {
      if (8 > maxLength || ve - vs > 4 * maxLength) return undefined;
      const value = utf8String(buf, vs, ve);
      return value.length > maxLength ? undefined : value;
    }
    // A label before the name: the full decoder would have decoded and length-checked it.
    if (ne - ns > maxLength || ve - vs > maxLength || !ascii(buf, ns, ne) || !ascii(buf, vs, ve)) return undefined;
    pos = le;
  }
  return undefined;
}

function isName(buf: Uint8Array, at: number): boolean {
  for (let i = 1; i < 8; i++) if (buf[at + i] !== NAME[i]) return false;
  return true;
}
