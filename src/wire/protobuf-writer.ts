const encoder = new TextEncoder();

/**
 * A small protobuf wire-format writer: varints, fixed64 doubles and length-delimited fields, into
 * one growing buffer. Embedded messages are written with their own Writer and added with
 * `bytes()`, which is all remote-write needs. Non-negative varints up to 2^53 take a fast path;
 * negative int64 values are written as ten-byte two's complement, as protobuf requires.
 */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  varint(v: number): this {
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) {
      this.reserve(8);
      while (v >= 0x80) {
        this.buf[this.pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.buf[this.pos++] = v;
      return this;
    }
    if (!Number.isFinite(v)) throw new RangeError(`protobuf: cannot write ${v} as a varint`);
    let n = BigInt.asUintN(64, BigInt(Math.trunc(v)));
    this.reserve(10);
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n) b |= 0x80;
      this.buf[this.pos++] = b;
    } while (n);
    return this;
  }

  key(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  double(field: number, v: number): this {
    this.key(field, 1);
    this.reserve(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  int64(field: number, v: number): this {
    return this.key(field, 0).varint(v);
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2).varint(b.length);
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  string(field: number, s: string): this {
    // ASCII (every label we write) is one byte a character; anything else is measured first.
    if (/^[\x00-\x7f]*$/.test(s)) {
      this.key(field, 2).varint(s.length);
      this.reserve(s.length);
      for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
      return this;
    }
    return this.bytes(field, encoder.encode(s));
  }

  /** A copy of the bytes written; the writer can go on writing afterwards. */
  finish(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.pos);
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}
