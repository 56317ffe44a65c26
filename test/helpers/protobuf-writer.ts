import { Writer } from '../../src/wire/protobuf-writer.js';

/**
 * Protobuf encoding for tests. The Writer lives in src/wire/ (the simulator's remote-writer uses
 * it); Prometheus 2.42 only sends remote-write 1.0, so 2.0 requests are built here from the series
 * a real Prometheus sent.
 */
export { Writer };

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
