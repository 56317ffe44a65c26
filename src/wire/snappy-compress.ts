/**
 * Snappy block-format compression (the format Prometheus remote-write bodies use; not the framed
 * stream format). Written from the format description: a varint of the uncompressed length, then
 * literal and copy elements. Input is taken in 64 KiB fragments, each with its own hash table of
 * 4-byte sequences, so every copy offset fits the two-byte copy element; the scan skips ahead
 * faster the longer it finds nothing, so incompressible data costs little time.
 */

/** Fragment size: copy offsets stay under 65536, the reach of a two-byte offset. */
const FRAGMENT = 1 << 16;
const MAX_TABLE_BITS = 14;
/** Fragments shorter than this are written as one literal: too short to find matches worth it. */
const MIN_MATCHABLE = 16;

/** The largest body `snappyCompress` can return for `n` input bytes (the format's usual bound). */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

export function snappyCompress(input: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(maxCompressedLength(input.length));
  let o = 0;
  for (let n = input.length; ; n = Math.floor(n / 128)) {
    if (n < 0x80) {
      out[o++] = n;
      break;
    }
    out[o++] = (n % 128) | 0x80;
  }
  const table = new Uint16Array(1 << MAX_TABLE_BITS);
  for (let start = 0; start < input.length; start += FRAGMENT) {
    o = compressFragment(input, start, Math.min(start + FRAGMENT, input.length), out, o, table);
  }
  return out.slice(0, o);
}

function load32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function compressFragment(src: Uint8Array, start: number, end: number, out: Uint8Array, o: number, table: Uint16Array): number {
  if (end - start < MIN_MATCHABLE) return emitLiteral(src, start, end, out, o);
  let bits = 8;
  while (bits < MAX_TABLE_BITS && 1 << bits < end - start) bits++;
  const shift = 32 - bits;
  table.fill(0, 0, 1 << bits);
  const hash = (v: number) => Math.imul(v, 0x1e35a7bd) >>> shift;

  // The last position a 4-byte load may start at.
  const ipLimit = end - 4;
  let nextEmit = start;
  let ip = start + 1;
  let nextHash = hash(load32(src, ip));

  outer: for (;;) {
    // Look for a 4-byte sequence seen before in this fragment. Entries hold positions relative to
    // the fragment's start; an empty entry (0) points at the start, which is simply compared too.
    let skip = 32;
    let nextIp = ip;
    let candidate: number;
    do {
      ip = nextIp;
      const h = nextHash;
      nextIp = ip + (skip++ >> 5);
      if (nextIp > ipLimit) break outer;
      nextHash = hash(load32(src, nextIp));
      candidate = start + table[h]!;
      table[h] = ip - start;
    } while (load32(src, ip) !== load32(src, candidate));

    o = emitLiteral(src, nextEmit, ip, out, o);
    // Emit the match, and keep emitting while the position right after it matches too.
    do {
      const base = ip;
      let len = 4;
      while (ip + len < end && src[candidate + len] === src[ip + len]) len++;
      ip += len;
      o = emitCopy(out, o, base - candidate, len);
      nextEmit = ip;
      if (ip >= ipLimit) break outer;
      table[hash(load32(src, ip - 1))] = ip - 1 - start;
      const h = hash(load32(src, ip));
      candidate = start + table[h]!;
      table[h] = ip - start;
    } while (load32(src, ip) === load32(src, candidate));
    ip++;
    nextHash = hash(load32(src, ip));
  }
  return nextEmit < end ? emitLiteral(src, nextEmit, end, out, o) : o;
}

function emitLiteral(src: Uint8Array, from: number, to: number, out: Uint8Array, o: number): number {
  const n = to - from - 1;
  if (n < 0) return o;
  if (n < 60) out[o++] = n << 2;
  else if (n < 0x100) {
    out[o++] = 60 << 2;
    out[o++] = n;
  } else if (n < 0x10000) {
    out[o++] = 61 << 2;
    out[o++] = n & 0xff;
    out[o++] = n >>> 8;
  } else if (n < 0x1000000) {
    out[o++] = 62 << 2;
    out[o++] = n & 0xff;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = n >>> 16;
  } else {
    out[o++] = 63 << 2;
    out[o++] = n & 0xff;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = (n >>> 16) & 0xff;
    out[o++] = n >>> 24;
  }
  if (to - from < 16) for (let i = from; i < to; i++) out[o++] = src[i]!;
  else {
    out.set(src.subarray(from, to), o);
    o += to - from;
  }
  return o;
}

/** A copy of `len` (>= 4) bytes from `offset` back, as copy elements of at most 64 bytes each. */
function emitCopy(out: Uint8Array, o: number, offset: number, len: number): number {
  while (len >= 68) {
    o = emitCopy2(out, o, offset, 64);
    len -= 64;
  }
  // Leave at least 4 bytes for the last element, which a one-byte-offset copy needs.
  if (len > 64) {
    o = emitCopy2(out, o, offset, 60);
    len -= 60;
  }
  if (len < 12 && offset < 2048) {
    out[o++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[o++] = offset & 0xff;
    return o;
  }
  return emitCopy2(out, o, offset, len);
}

function emitCopy2(out: Uint8Array, o: number, offset: number, len: number): number {
  out[o++] = 2 | ((len - 1) << 2);
  out[o++] = offset & 0xff;
  out[o++] = offset >>> 8;
  return o;
}
