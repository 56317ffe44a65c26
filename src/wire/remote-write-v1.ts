import { Writer } from './protobuf-writer.js';

export interface SeriesToWrite {
  /** Every label, `__name__` included. */
  labels: Readonly<Record<string, string>>;
  /** Float samples, oldest first. */
  samples: ReadonlyArray<{ value: number; timestampMs: number }>;
}

/**
 * A `prometheus.WriteRequest` (remote-write 1.0): field 1 repeated TimeSeries { 1 Label { 1 name,
 * 2 value }, 2 Sample { 1 double value, 2 int64 timestamp } }. Labels are sorted by name, as
 * Prometheus sends them and as the specification asks; empty label values are left out, since a
 * label with an empty value is the same as no label. The body still needs snappy compression.
 */
export function encodeWriteRequestV1(series: ReadonlyArray<SeriesToWrite>): Uint8Array<ArrayBuffer> {
  const req = new Writer(64 * 1024);
  for (const s of series) {
    const message = new Writer(256);
    // The default sort compares UTF-16 code units: byte order for the ASCII names labels have.
    for (const name of Object.keys(s.labels).sort()) {
      const value = s.labels[name]!;
      if (value === '') continue;
      message.bytes(1, new Writer(64).string(1, name).string(2, value).finish());
    }
    for (const x of s.samples) message.bytes(2, new Writer(24).double(1, x.value).int64(2, x.timestampMs).finish());
    req.bytes(1, message.finish());
  }
  return req.finish();
}
