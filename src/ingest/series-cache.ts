/**
 * Decoded label sets of remote-write 1.0 series, keyed by the exact bytes of their labels.
 * Prometheus sends every series again each scrape with byte-identical labels, so a hit replaces
 * decoding a dozen label strings with one hash and one comparison of the bytes, and hands out
 * the same (frozen) labels object every time, which lets the engine cache its routing per object.
 *
 * Direct-mapped, one entry per slot, a collision replaces the entry: memory stays bounded whatever
 * is sent, and a miss only costs the ordinary decode. An entry is a pure function of its bytes
 * under the limits it was decoded with, so the table is cleared when the limits change.
 *
 * The keys' bytes live in one arena of ARENA_BYTES, not in a buffer each: an ArrayBuffer per
 * entry cost some 300 bytes of V8 and malloc bookkeeping on top of its ~70 bytes of labels, more
 * than the engine's own state per series. The cache's memory is thus bounded in bytes (the arena,
 * two small tables, and the labels objects it keeps alive), whatever the label sets' sizes.
 */
const SLOTS = 1 << 14;
const MASK = SLOTS - 1;
/** Label sections longer than this are decoded each time: rare, and not worth the memory. */
const MAX_BYTES = 2048;
/** Each entry in the arena: its slot and length (2 bytes each), then its bytes. */
const HEADER = 4;
export const ARENA_BYTES = 1 << 21;

const arena = new Uint8Array(ARENA_BYTES);
const arenaView = new DataView(arena.buffer);
/** End of the last entry written; entries are appended, replaced ones stay as holes until a compaction. */
let used = 0;
/** Where each slot's bytes start in the arena (after the header); -1 when empty. */
const slotStart = new Int32Array(SLOTS).fill(-1);
const slotLength = new Uint16Array(SLOTS);
const slotLabels: Array<Readonly<Record<string, string>> | undefined> = new Array(SLOTS);
let limitsKey = '';

function clear(): void {
  slotStart.fill(-1);
  slotLabels.fill(undefined);
  used = 0;
}

/** Forgets everything when the limits differ from those the entries were decoded under. */
export function useLimits(maxLabelsPerSeries: number, maxLabelLength: number): void {
  const key = `${maxLabelsPerSeries}/${maxLabelLength}`;
  if (key === limitsKey) return;
  limitsKey = key;
  clear();
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

/** Whether `view[start, end)` holds exactly the `n` arena bytes at `at`, compared four bytes at a time. */
function same(view: DataView, start: number, end: number, at: number, n: number): boolean {
  if (end - start !== n) return false;
  let i = 0;
  for (; i + 4 <= n; i += 4) if (view.getInt32(start + i, true) !== arenaView.getInt32(at + i, true)) return false;
  for (; i < n; i++) if (view.getUint8(start + i) !== arena[at + i]) return false;
  return true;
}

/** The slot `buf[start, end)` maps to; -1 when too long to cache. */
export function slotOf(buf: Uint8Array, view: DataView, start: number, end: number): number {
  return end - start > MAX_BYTES ? -1 : hash(buf, view, start, end) & MASK;
}

/** The labels decoded before from exactly these bytes, if the slot still holds them. */
export function cachedLabels(slot: number, view: DataView, start: number, end: number): Readonly<Record<string, string>> | undefined {
  const at = slotStart[slot]!;
  return at >= 0 && same(view, start, end, at, slotLength[slot]!) ? slotLabels[slot] : undefined;
}

/**
 * Moves the live entries to the front of the arena, in order, over the holes replaced ones left;
 * each entry's header names its slot, so one pass finds which are still live.
 */
function compact(): void {
  let read = 0;
  let write = 0;
  while (read < used) {
    const slot = arenaView.getUint16(read, true);
    const n = arenaView.getUint16(read + 2, true);
    const size = HEADER + n;
    if (slotStart[slot] === read + HEADER) {
      if (write !== read) arena.copyWithin(write, read, read + size);
      slotStart[slot] = write + HEADER;
      write += size;
    }
    read += size;
  }
  used = write;
}

/** Remembers labels decoded from `buf[start, end)`; they are frozen, since every hit shares them. */
export function remember(slot: number, buf: Uint8Array, start: number, end: number, labels: Record<string, string>): void {
  const n = end - start;
  slotStart[slot] = -1; // the entry it replaces is a hole from now on
  if (used + HEADER + n > ARENA_BYTES) {
    compact();
    // Nearly full of live entries: more distinct label bytes are sent than the arena holds.
    // Starting over beats compacting again at nearly every miss; the series sent again refill it.
    if (used + HEADER + n > ARENA_BYTES * 0.75) clear();
  }
  arenaView.setUint16(used, slot, true);
  arenaView.setUint16(used + 2, n, true);
  arena.set(buf.subarray(start, end), used + HEADER);
  slotStart[slot] = used + HEADER;
  slotLength[slot] = n;
  slotLabels[slot] = Object.freeze(labels);
  used += HEADER + n;
}

/** What the cache holds: entries, and arena bytes in use (holes included). */
export function cacheStats(): { entries: number; arenaBytes: number } {
  let entries = 0;
  for (let s = 0; s < SLOTS; s++) if (slotStart[s]! >= 0) entries++;
  return { entries, arenaBytes: used };
}
