import { describe, expect, it } from 'vitest';
import { Reader } from '../src/ingest/protobuf.js';
import { decodeWriteRequestV1 } from '../src/ingest/remote-write-v1.js';
import { snappyDecompress } from '../src/ingest/snappy.js';
import { createPlatform, mulberry32, STEP_MS } from '../src/simulator/index.js';
import { Writer } from '../src/wire/protobuf-writer.js';
import { encodeWriteRequestV1, type SeriesToWrite } from '../src/wire/remote-write-v1.js';
import { maxCompressedLength, snappyCompress } from '../src/wire/snappy-compress.js';

const START = Date.UTC(2026, 0, 5, 8, 0, 0);

/** Byte equality without vitest's element-by-element diff, which takes seconds on megabytes. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

function roundTrip(input: Uint8Array): Uint8Array {
  return snappyDecompress(snappyCompress(input), input.length + 1);
}

/** Every series of the simulated platform over `steps` 15 s steps, as remote-write would send it. */
function platformSeries(steps: number): SeriesToWrite[] {
  const p = createPlatform({ startMs: START });
  const bySeries = new Map<string, { labels: Record<string, string>; samples: Array<{ value: number; timestampMs: number }> }>();
  for (let i = 0; i <= steps; i++) {
    p.advance(START + i * STEP_MS);
    for (const s of p.samples()) {
      const labels = { __name__: s.name, ...s.labels };
      const key = JSON.stringify(labels);
      if (!bySeries.has(key)) bySeries.set(key, { labels, samples: [] });
      bySeries.get(key)!.samples.push({ value: s.value, timestampMs: p.nowMs });
    }
  }
  return [...bySeries.values()];
}

describe('snappy compression', () => {
  it('round-trips random data of every size, from text-like to arbitrary bytes, across 64 KiB fragments', () => {
    const rng = mulberry32(7);
    const sizes = [1, 2, 3, 4, 5, 15, 16, 17, 63, 64, 65, 100, 1000, 65_535, 65_536, 65_537, 200_000];
    for (let trial = 0; trial < 300; trial++) sizes.push(Math.floor(rng() * 5000));
    for (const n of sizes) {
      const alphabet = 1 + Math.floor(rng() * 255);
      const repeatShare = rng();
      const input = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        // Mix fresh bytes with bytes copied from up to 3000 back, so copies of every length and offset occur.
        input[i] = i > 0 && rng() < repeatShare ? input[Math.max(0, i - 1 - Math.floor(rng() * 3000))]! : Math.floor(rng() * alphabet);
      }
      expect(sameBytes(roundTrip(input), input), `${n} bytes`).toBe(true);
    }
  });

  it('round-trips a real remote-write body of the simulated platform and shrinks it several times', () => {
    const body = encodeWriteRequestV1(platformSeries(8));
    const compressed = snappyCompress(body);
    expect(sameBytes(snappyDecompress(compressed, body.length), body)).toBe(true);
    expect(compressed.length).toBeLessThan(body.length / 4);
  });

  it('writes empty input as just its zero length, which decompresses to nothing', () => {
    expect(snappyCompress(new Uint8Array(0))).toEqual(new Uint8Array([0]));
    expect(roundTrip(new Uint8Array(0))).toEqual(new Uint8Array(0));
  });

  it('keeps incompressible data within the format bound, barely larger than the input', () => {
    const rng = mulberry32(11);
    const input = Uint8Array.from({ length: 1 << 20 }, () => Math.floor(rng() * 256));
    const compressed = snappyCompress(input);
    expect(compressed.length).toBeLessThanOrEqual(maxCompressedLength(input.length));
    expect(compressed.length).toBeLessThan(input.length * 1.001);
    expect(sameBytes(snappyDecompress(compressed, input.length), input)).toBe(true);
  });

  it('shrinks repetitive data to a small fraction: long runs, repeated phrases, far and near copies', () => {
    const run = new Uint8Array(1 << 20).fill(0x61);
    const phrase = new TextEncoder().encode('apiserver_request_total{cluster="eu-1",verb="GET"} 1234\n'.repeat(20_000));
    for (const input of [run, phrase]) {
      const compressed = snappyCompress(input);
      expect(compressed.length).toBeLessThan(input.length / 15);
      expect(sameBytes(snappyDecompress(compressed, input.length), input)).toBe(true);
    }
  });

  it('compresses at tens of megabytes a second or better', () => {
    const rng = mulberry32(3);
    const input = new Uint8Array(8 << 20);
    for (let i = 0; i < input.length; i++) input[i] = i % 7 === 0 ? Math.floor(rng() * 256) : i & 0x3f;
    const started = performance.now();
    snappyCompress(input);
    expect(performance.now() - started).toBeLessThan(800);
  });
});

describe('remote-write 1.0 encoding', () => {
  it('decodes back with our decoder to the same series, samples and all', () => {
    const series = platformSeries(4);
    const decoded = decodeWriteRequestV1(encodeWriteRequestV1(series));
    expect(decoded.series).toEqual(series);
    expect(decoded.samples).toBe(series.reduce((n, s) => n + s.samples.length, 0));
  });

  it('sends labels sorted by name, as Prometheus does, whatever order they were given in', () => {
    const body = encodeWriteRequestV1([{ labels: { zone: 'a', __name__: 'up', job: 'x', Instance: 'i' }, samples: [{ value: 1, timestampMs: START }] }]);
    expect(Object.keys(decodeWriteRequestV1(body).series[0]!.labels)).toEqual(['Instance', '__name__', 'job', 'zone']);
  });

  it('keeps special values, old and future timestamps and non-ASCII label values exact', () => {
    const series: SeriesToWrite[] = [
      {
        labels: { __name__: 'odd_values', team: 'données-€', empty_not: 'x' },
        samples: [
          { value: Number.NaN, timestampMs: -86_400_000 },
          { value: Number.POSITIVE_INFINITY, timestampMs: 0 },
          { value: -0.1, timestampMs: 2 ** 45 },
          { value: Number.MAX_VALUE, timestampMs: START },
        ],
      },
    ];
    const back = decodeWriteRequestV1(encodeWriteRequestV1(series)).series;
    expect(back).toEqual(series);
  });

  it('leaves out labels with an empty value, which Prometheus treats as absent', () => {
    const body = encodeWriteRequestV1([{ labels: { __name__: 'up', code: '' }, samples: [{ value: 1, timestampMs: START }] }]);
    expect(decodeWriteRequestV1(body).series[0]!.labels).toEqual({ __name__: 'up' });
  });

  it('writes varints the protobuf reader reads back, negative int64 included', () => {
    const values = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, -1, -START];
    const w = new Writer(1);
    for (const v of values) w.int64(2, v);
    const r = new Reader(w.finish());
    for (const v of values) {
      expect(r.varint()).toBe(0x10);
      expect(r.int64()).toBe(v);
    }
    expect(r.done).toBe(true);
  });
});
