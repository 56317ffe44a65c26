import fc from 'fast-check';
import type { DecodedSeries } from '../../src/ingest/series.js';
import { Writer } from '../../src/wire/protobuf-writer.js';
import { encodeWriteRequestV1 } from '../../src/wire/remote-write-v1.js';
import { snappyCompress } from '../../src/wire/snappy-compress.js';
import { encodeV2 } from '../helpers/protobuf-writer.js';

/**
 * Valid inputs, built with the project's own encoders (src/wire/) from arbitrary label sets and
 * samples: the round-trip properties decode them back, the mutation properties corrupt them.
 */

/** Names that have broken JavaScript decoders before: prototype keys, `in`-operator traps. */
const TRICKY_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__name__x', 'le', 'job'];

const labelName = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/) },
  { weight: 1, arbitrary: fc.constantFrom(...TRICKY_NAMES) },
);
const labelValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 90, maxLength: 200 }) },
);
const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);

export const sampleArb = fc.record({
  value: fc.double(),
  // Negative timestamps take the ten-byte int64 varint path.
  timestampMs: fc.oneof(fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }), fc.maxSafeInteger(), fc.integer({ min: -(2 ** 40), max: 0 })),
});

export const seriesArb: fc.Arbitrary<DecodedSeries> = fc
  .record({
    name: metricName,
    labels: fc.dictionary(labelName, labelValue, { maxKeys: 8 }),
    samples: fc.array(sampleArb, { maxLength: 4 }),
  })
  .map(({ name, labels, samples }) => {
    // defineProperty: a `__proto__` key must be a label, not the object's prototype.
    const all: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) if (k !== '__name__') Object.defineProperty(all, k, { value: v, enumerable: true, writable: true, configurable: true });
    all.__name__ = name;
    return { labels: all, samples };
  });

export const seriesListArb = fc.array(seriesArb, { maxLength: 6 });

/** What decoding should give back: labels with an empty value are no labels in remote-write 1.0. */
export function expectedV1(series: DecodedSeries[]): Array<{ labels: Array<[string, string]>; samples: DecodedSeries['samples'] }> {
  return series.map((s) => ({ labels: sortedLabels(s.labels).filter(([, v]) => v !== ''), samples: s.samples }));
}

export function expectedV2(series: DecodedSeries[]): Array<{ labels: Array<[string, string]>; samples: DecodedSeries['samples'] }> {
  return series.map((s) => ({ labels: sortedLabels(s.labels), samples: s.samples }));
}

/** Labels as sorted pairs: comparable whatever the object's prototype or key order. */
export function sortedLabels(labels: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]!]);
}

export function normalise(series: ReadonlyArray<DecodedSeries>): Array<{ labels: Array<[string, string]>; samples: DecodedSeries['samples'] }> {
  return series.map((s) => ({ labels: sortedLabels(s.labels), samples: s.samples }));
}

export const rw1Body = (series: DecodedSeries[]) => encodeWriteRequestV1(series);
export const rw2Body = (series: DecodedSeries[]) => encodeV2(series);

/** A snappy-compressed remote-write body of either version, as a client sends it. */
export const remoteWriteArb = fc.record({ version: fc.constantFrom<1 | 2>(1, 2), series: seriesListArb }).map(({ version, series }) => {
  const raw = version === 1 ? rw1Body(series) : rw2Body(series);
  return { version, series, raw, compressed: snappyCompress(raw) };
});

/* ---------------------------------------------------------------- OTLP */

/** A gauge metric with one data point: simple names, so the Prometheus name is the OTLP name. */
export interface OtlpGauge {
  name: string;
  attributes: Record<string, string>;
  value: number;
  timeMs: number;
}

const otlpWord = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/).filter((w) => w !== 'total' && w !== 'ratio');
const otlpName = fc.array(otlpWord, { minLength: 1, maxLength: 3 }).map((ws) => ws.join('_'));

export const otlpGaugesArb: fc.Arbitrary<OtlpGauge[]> = fc.uniqueArray(
  fc.record({
    name: otlpName,
    attributes: fc.dictionary(fc.oneof(otlpName.filter((k) => k !== 'job' && k !== 'instance'), fc.constantFrom('constructor', '__proto__', 'valueOf')), fc.string({ minLength: 1, maxLength: 16 }), { maxKeys: 5 }).map(ownKeys),
    value: fc.double({ noNaN: true }),
    timeMs: fc.integer({ min: 1, max: 4_000_000_000_000 }),
  }),
  { selector: (g) => g.name, maxLength: 5 },
);

/** A copy whose `__proto__` key, if any, is an own property (fast-check builds it so; spreads would not). */
function ownKeys(o: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(o)) Object.defineProperty(out, k, { value: o[k], enumerable: true, writable: true, configurable: true });
  return out;
}

/** The series a Prometheus OTLP receiver makes of these gauges. */
export function expectedOtlp(gauges: OtlpGauge[]): ReturnType<typeof normalise> {
  return gauges.map((g) => ({ labels: [...sortedLabels(g.attributes), ['__name__', g.name] as [string, string]].sort((x, y) => (x[0] < y[0] ? -1 : 1)), samples: [{ value: g.value, timestampMs: g.timeMs }] }));
}

export function otlpJson(gauges: OtlpGauge[]): Uint8Array {
  const request = {
    resourceMetrics: [
      {
        resource: { attributes: [] },
        scopeMetrics: [
          {
            metrics: gauges.map((g) => ({
              name: g.name,
              gauge: {
                dataPoints: [
                  {
                    attributes: Object.entries(g.attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
                    timeUnixNano: String(BigInt(g.timeMs) * 1_000_000n),
                    // Infinities, and -0 (JSON.stringify writes 0), travel as strings in OTLP/JSON.
                    asDouble: Object.is(g.value, -0) ? '-0' : Number.isFinite(g.value) ? g.value : String(g.value),
                  },
                ],
              },
            })),
          },
        ],
      },
    ],
  };
  return new TextEncoder().encode(JSON.stringify(request));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A fixed64 field, which the Writer does not write: the key, then eight little-endian bytes. */
function fixed64(field: number, v: bigint): Uint8Array {
  const b = new Uint8Array(9);
  b[0] = (field << 3) | 1;
  new DataView(b.buffer).setBigUint64(1, v, true);
  return b;
}

export function otlpProtobuf(gauges: OtlpGauge[]): Uint8Array {
  const scope = new Writer();
  for (const g of gauges) {
    const attrs = new Writer();
    for (const [key, value] of Object.entries(g.attributes)) attrs.bytes(7, new Writer().string(1, key).bytes(2, new Writer().string(1, value).finish()).finish());
    const point = concat(attrs.finish(), fixed64(3, BigInt(g.timeMs) * 1_000_000n), new Writer().double(4, g.value).finish());
    const metric = new Writer().string(1, g.name).bytes(5, new Writer().bytes(1, point).finish());
    scope.bytes(2, metric.finish());
  }
  const rm = new Writer().bytes(1, new Uint8Array()).bytes(2, scope.finish());
  return new Writer().bytes(1, rm.finish()).finish();
}

export const otlpRequestArb = fc.record({ format: fc.constantFrom<'protobuf' | 'json'>('protobuf', 'json'), gauges: otlpGaugesArb }).map(({ format, gauges }) => ({
  format,
  gauges,
  body: format === 'json' ? otlpJson(gauges) : otlpProtobuf(gauges),
}));

/** JSON nested `depth` levels deep, as arrays or as AnyValue arrays/kvlists in an attribute. */
export function deepOtlpJson(depth: number, shape: 'array' | 'anyvalue'): Uint8Array {
  if (shape === 'array') return new TextEncoder().encode(`{"resourceMetrics":${'['.repeat(depth)}${']'.repeat(depth)}}`);
  const open = '{"arrayValue":{"values":['.repeat(depth);
  const close = ']}}'.repeat(depth);
  return new TextEncoder().encode(`{"resourceMetrics":[{"resource":{"attributes":[{"key":"k","value":${open}{"stringValue":"x"}${close}}]}}]}`);
}

/** Protobuf AnyValue arrays nested `depth` levels deep in a resource attribute. */
export function deepOtlpProtobuf(depth: number): Uint8Array {
  let value = new Writer().string(1, 'x').finish();
  for (let i = 0; i < depth; i++) value = new Writer().bytes(5, new Writer().bytes(1, value).finish()).finish();
  const kv = new Writer().string(1, 'k').bytes(2, value).finish();
  const rm = new Writer().bytes(1, new Writer().bytes(1, kv).finish()).finish();
  return new Writer().bytes(1, rm).finish();
}
