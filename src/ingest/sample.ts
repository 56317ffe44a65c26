import type { Reader } from './protobuf.js';

/** Limits both remote-write versions enforce, each overridable per call. */
export const DEFAULT_LIMITS = { maxSeries: 100_000, maxLabelsPerSeries: 128, maxLabelLength: 4096 };

/** `Sample { 1: double value, 2: int64 timestamp }`, the same message in remote-write 1.0 and 2.0. */
export function readSample(r: Reader, scratch?: Reader): { value: number; timestampMs: number } {
  const start = r.field();
  // A caller decoding many samples lends a reader over the same buffer rather than allocating one each.
  const m = scratch ? scratch.over(start, r.pos) : r.sub(start, r.pos);
  let value = 0;
  let timestampMs = 0;
  while (!m.done) {
    const k = m.key();
    if (k === 0x09) value = m.double();
    else if (k === 0x10) timestampMs = m.int64();
    else m.skip(k & 7);
  }
  return { value, timestampMs };
}
