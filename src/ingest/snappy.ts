import { BadPayload } from './errors.js';

/**
 * Snappy block-format decompression (what Prometheus remote-write uses, not the framed format).
 * The declared length is checked against `maxBytes` before anything is allocated, and every
 * literal and copy is bounds-checked, so a lying or hostile body is refused, never trusted.
 */
export function snappyDecompress(input: Uint8Array, maxBytes: number): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length || shift > 28) throw new BadPayload('snappy: bad length preamble');
    const b = input[pos++]!;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > maxBytes) throw new BadPayload(`snappy: body decompresses to ${length} bytes, over the ${maxBytes}-byte limit`, 413);
  const out = new Uint8Array(length);
  const words = new DataView(out.buffer);
  let o = 0;
  while (pos < input.length) {
    const tag = input[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const bytes = n - 59;
        if (pos + bytes > input.length) throw new BadPayload('snappy: truncated literal length');
        n = 0;
        for (let i = 0; i < bytes; i++) n += input[pos + i]! * 2 ** (8 * i);
        pos += bytes;
      }
      n += 1;
      if (pos + n > input.length || o + n > length) throw new BadPayload('snappy: literal runs past the end');
      // A subarray per literal costs more than copying the few bytes most literals hold.
      if (n > 32) out.set(input.subarray(pos, pos + n), o);
      else for (let i = 0; i < n; i++) out[o + i] = input[pos + i]!;
      pos += n;
      o += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      if (pos + 1 > input.length) throw new BadPayload('snappy: truncated copy');
      n = 4 + ((tag >> 2) & 7);
      offset = ((tag >> 5) << 8) | input[pos++]!;
    } else if (kind === 2) {
      if (pos + 2 > input.length) throw new BadPayload('snappy: truncated copy');
      n = 1 + (tag >> 2);
      offset = input[pos]! | (input[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > input.length) throw new BadPayload('snappy: truncated copy');
      n = 1 + (tag >> 2);
      offset = (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16)) + input[pos + 3]! * 2 ** 24;
      pos += 4;
    }
    if (offset === 0 || offset > o || o + n > length) throw new BadPayload('snappy: copy outside the decompressed data');
    // Copies are 1-64 bytes, too short for a copyWithin call to pay: four bytes at a time, forward,
    // which is also right for overlapping copies (offset < n repeats the pattern) once offset >= 4.
    let i = 0;
    if (offset >= 4) for (; i + 4 <= n; i += 4) words.setInt32(o + i, words.getInt32(o + i - offset, true), true);
    for (; i < n; i++) out[o + i] = out[o + i - offset]!;
    o += n;
  }
  if (o !== length) throw new BadPayload(`snappy: ${o} bytes decoded, ${length} declared`);
  return out;
}
