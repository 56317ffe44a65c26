/**
 * Decoded label sets of remote-write 1.0 series, keyed by the exact bytes of their labels.
 * Prometheus sends every series again each scrape with byte-identical labels, so a hit replaces
 * decoding a dozen label strings with one hash and one comparison of the bytes, and hands out
 * the same (frozen) labels object every time, which lets the engine cache its routing per object.
 *
 * Direct-mapped, one entry per slot, a collision replaces the entry: memory stays bounded whatever
 * is sent, and a miss only costs the ordinary decode. An entry is a pure function of its bytes
 * under the limits it was decoded with, so the table is cleared when the limits change.
 */
const SLOTS = 1 << 14;
const MASK = SLOTS - 1;
/** Label sections longer than this are decoded each time: rare, and not worth the memory. */
const MAX_BYTES = 2048;

const slotBytes: Array<DataView | undefined> = new Array(SLOTS);
const slotLabels: Array<Readonly<Record<string, string>> | undefined> = new Array(SLOTS);
let limitsKey = '';

/** Forgets everything when the limits differ from those the entries were decoded under. */
export function useLimits(maxLabelsPerSeries: number, maxLabelLength: number): void {
  const key = `${maxLabelsPerSeries}/${maxLabelLength}`;
  if (key === limitsKey) return;
  limitsKey = key;
  slotBytes.fill(undefined);
  slotLabels.fill(undefined);
}

/** A hash of `buf[start, end)`, four bytes at a time (FNV-style multiply, then a final mix). */
function hash(buf: Uint8Array, view: DataView, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) h = Math.imul(h ^ view.getInt32(i, true), 0x01000193);
  for (; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Whether `buf[start, end)` holds exactly `bytes`, compared four bytes at a time. */
function same(view: DataView, start: number, end: number, bytes: DataView): boolean {
  const n = end - start;
  if (bytes.byteLength !== n) return false;
  let i = 0;
  for (; i + 4 <= n; i += 4) if (view.getInt32(start + i, true) !== bytes.getInt32(i, true)) return false;
  for (; i < n; i++) if (view.getUint8(start + i) !== bytes.getUint8(i)) return false;
  return true;
}

/** The slot `buf[start, end)` maps to; -1 when too long to cache. */
export function slotOf(buf: Uint8Array, view: DataView, start: number, end: number): number {
  return end - start > MAX_BYTES ? -1 : hash(buf, view, start, end) & MASK;
}

/** The labels decoded before from exactly these bytes, if the slot still holds them. */
export function cachedLabels(slot: number, view: DataView, start: number, end: number): Readonly<Record<string, string>> | undefined {
  const bytes = slotBytes[slot];
  return bytes !== undefined && same(view, start, end, bytes) ? slotLabels[slot] : undefined;
}

/** Remembers labels decoded from `buf[start, end)`; they are frozen, since every hit shares them. */
export function remember(slot: number, buf: Uint8Array, start: number, end: number, labels: Record<string, string>): void {
  const copy = buf.slice(start, end);
  slotBytes[slot] = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  slotLabels[slot] = Object.freeze(labels);
}
