import { BadPayload } from './errors.js';
import { utf8String } from './strings.js';

/**
 * A minimal protobuf wire-format reader over one buffer: varints, fixed64 doubles and
 * length-delimited fields, each bounds-checked. Hand-written rather than generated so that the
 * ingest path can skip unwanted messages by their length without decoding them.
 */
export class Reader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    public end = buf.length,
    view?: DataView,
  ) {
    this.pos = start;
    // Sub-readers share their parent's view: one per sample and label would be most of the allocation.
    this.view = view ?? new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Varints up to 2^53; larger values (never valid lengths or timestamps here) are refused. */
  varint(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    // Keys and short lengths are one byte: skip the general loop for them.
    if (pos < end) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++, scale *= 128) {
      if (pos >= end) throw new BadPayload('protobuf: truncated varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        // Seven bytes hold at most 49 bits, always safe; a tenth byte is a negative int64 (see int64).
        if (i >= 7 && i < 9 && !Number.isSafeInteger(result)) throw new BadPayload('protobuf: varint too large');
        return result;
      }
    }
    throw new BadPayload('protobuf: varint longer than 10 bytes');
  }

  /**
   * A field key (field number << 3 | wire type). Field numbers stop at 2^29 - 1, so a key past 32
   * bits is malformed; refusing it keeps `key >>> 3` from wrapping it onto a real field.
   */
  key(): number {
    const k = this.varint();
    if (k > 0xffffffff) throw new BadPayload(`protobuf: field key ${k} at byte ${this.pos} is past 32 bits; field numbers end at 2^29 - 1`);
    return k;
  }

  /** A signed int64 varint (two's complement), e.g. a timestamp before 1970. */
  int64(): number {
    const start = this.pos;
    const v = this.varint();
    // Ten-byte varints are negative numbers; recompute them exactly with BigInt.
    if (this.pos - start < 10) return v;
    let big = 0n;
    for (let i = 0; i < 10; i++) big |= BigInt(this.buf[start + i]! & 0x7f) << BigInt(7 * i);
    return Number(BigInt.asIntN(64, big));
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new BadPayload('protobuf: truncated double');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A fixed32 field (wire type 5), unsigned. */
  fixed32(): number {
    if (this.pos + 4 > this.end) throw new BadPayload('protobuf: truncated fixed32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A fixed64 field (wire type 1), unsigned; values past 2^53 round to the nearest double. */
  fixed64(): number {
    if (this.pos + 8 > this.end) throw new BadPayload('protobuf: truncated fixed64');
    const v = this.view.getUint32(this.pos, true) + this.view.getUint32(this.pos + 4, true) * 2 ** 32;
    this.pos += 8;
    return v;
  }

  /** An sfixed64 field (wire type 1), two's complement; values past ±2^53 round to the nearest double. */
  sfixed64(): number {
    if (this.pos + 8 > this.end) throw new BadPayload('protobuf: truncated sfixed64');
    const v = this.view.getUint32(this.pos, true) + this.view.getInt32(this.pos + 4, true) * 2 ** 32;
    this.pos += 8;
    return v;
  }

  /** A varint of up to 64 bits, exactly (e.g. an int64 attribute value past 2^53). */
  bigVarint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new BadPayload('protobuf: truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new BadPayload('protobuf: varint longer than 10 bytes');
  }

  /**
   * A packed repeated fixed64 or double field: eight bytes per element, so the element count comes
   * from the bytes actually present, never from a declared count.
   */
  packed64(kind: 'fixed64' | 'double'): number[] {
    const [start, end] = this.bytes();
    if ((end - start) % 8) throw new BadPayload(`protobuf: a packed ${kind} field is ${end - start} bytes long, not a multiple of 8`);
    const out: number[] = new Array((end - start) / 8);
    for (let p = start, i = 0; p < end; p += 8, i++) {
      out[i] = kind === 'double' ? this.view.getFloat64(p, true) : this.view.getUint32(p, true) + this.view.getUint32(p + 4, true) * 2 ** 32;
    }
    return out;
  }

  /** Bounds of a length-delimited field; the reader moves past it. */
  bytes(): [number, number] {
    const start = this.field();
    return [start, this.pos];
  }

  /** `bytes()` without the pair, for hot loops: where the field starts; it ends at `pos`. */
  field(): number {
    const n = this.varint();
    const start = this.pos;
    if (start + n > this.end) throw new BadPayload('protobuf: length-delimited field runs past its message');
    this.pos = start + n;
    return start;
  }

  /** A reader over the bytes of an embedded message, e.g. the bounds `bytes()` returned. */
  sub(start: number, end: number): Reader {
    return new Reader(this.buf, start, end, this.view);
  }

  /** Points this reader at other bounds of its buffer: one scratch reader instead of a `sub` per message. */
  over(start: number, end: number): this {
    this.pos = start;
    this.end = end;
    return this;
  }

  string(): string {
    const [s, e] = this.bytes();
    return utf8String(this.buf, s, e);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        if (this.pos + 8 > this.end) throw new BadPayload('protobuf: truncated fixed64');
        this.pos += 8;
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        if (this.pos + 4 > this.end) throw new BadPayload('protobuf: truncated fixed32');
        this.pos += 4;
        return;
      default:
        throw new BadPayload(`protobuf: unsupported wire type ${wireType}`);
    }
  }
}
