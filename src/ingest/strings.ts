import { BadPayload } from './errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Strings this long or shorter are interned; longer ones are rare and decoded each time. */
const MAX_INTERNED = 96;
const SLOTS = 1 << 14;
const MASK = SLOTS - 1;

/**
 * A direct-mapped cache from UTF-8 bytes to their decoded string. Remote-write sends the same
 * label names and values in every request (each series again every scrape), so a hit saves
 * building a string, and repeated strings are one object, cheaper as Map keys downstream.
 * A slot holds one entry and a collision replaces it: the memory is bounded whatever is sent.
 */
const slotBytes: Array<Uint8Array | undefined> = new Array(SLOTS);
const slotStrings: string[] = new Array(SLOTS);

/** FNV-1a over the bytes, mixed with the length. */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h >>> 0;
}

/** Whether `buf[start, end)` holds exactly `bytes`. */
export function bytesEqual(buf: Uint8Array, start: number, end: number, bytes: Uint8Array): boolean {
  const n = end - start;
  if (bytes.length !== n) return false;
  for (let i = 0; i < n; i++) if (buf[start + i] !== bytes[i]) return false;
  return true;
}

/** Decodes UTF-8 exactly as TextDecoder with `fatal` does; invalid bytes are a BadPayload. */
function decode(buf: Uint8Array, start: number, end: number): string {
  // Label names and values are short and ASCII almost always; TextDecoder costs more than they do.
  if (end - start <= 64) {
    let out = '';
    let ascii = true;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      out += String.fromCharCode(c);
    }
    if (ascii) return out;
  }
  try {
    return decoder.decode(buf.subarray(start, end));
  } catch {
    throw new BadPayload('protobuf: a string is not valid UTF-8');
  }
}

/** The string `buf[start, end)` holds, from the cache when these bytes were seen before. */
export function utf8String(buf: Uint8Array, start: number, end: number): string {
  if (end - start > MAX_INTERNED) return decode(buf, start, end);
  const slot = hashBytes(buf, start, end) & MASK;
  const cached = slotBytes[slot];
  if (cached !== undefined && bytesEqual(buf, start, end, cached)) return slotStrings[slot]!;
  // Decode first: bytes that are not UTF-8 throw and are never cached.
  const s = decode(buf, start, end);
  slotBytes[slot] = buf.slice(start, end);
  slotStrings[slot] = s;
  return s;
}
