/**
 * A tiny protobuf encoder for tests. Prometheus 2.42 only sends remote-write 1.0, so 2.0
 * requests are built here from the series a real Prometheus sent.
 */
export class Writer {
  private readonly parts: number[] = [];

  varint(v: number): this {
    let n = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n) b |= 0x80;
      this.parts.push(b);
    } while (n);
    return this;
  }

  key(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  double(field: number, v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.key(field, 1);
    for (const x of b) this.parts.push(x);
    return this;
  }

  int64(field: number, v: number): this {
    return this.key(field, 0).varint(v);
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2).varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** An `io.prometheus.write.v2.Request` holding these series, labels sorted, strings interned. */
export function encodeV2(series: Array<{ labels: Record<string, string>; samples: Array<{ value: number; timestampMs: number }> }>): Uint8Array {
  const symbols = new Map<string, number>([['', 0]]);
  const ref = (s: string) => {
    if (!symbols.has(s)) symbols.set(s, symbols.size);
    return symbols.get(s)!;
  };
  const encoded = series.map((s) => {
    const refs = new Writer();
    for (const name of Object.keys(s.labels).sort()) refs.varint(ref(name)).varint(ref(s.labels[name]!));
    const ts = new Writer().bytes(1, refs.finish());
    for (const x of s.samples) ts.bytes(2, new Writer().double(1, x.value).int64(2, x.timestampMs).finish());
    return ts.finish();
  });
  const req = new Writer();
  for (const s of symbols.keys()) req.string(4, s);
  for (const e of encoded) req.bytes(5, e);
  return req.finish();
}
