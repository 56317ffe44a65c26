import fc from 'fast-check';
import { BadPayload } from '../../src/ingest/errors.js';
import { decodeOtlpMetrics } from '../../src/ingest/otlp/index.js';
import { decodeWriteRequestV1 } from '../../src/ingest/remote-write-v1.js';
import { decodeWriteRequestV2 } from '../../src/ingest/remote-write-v2.js';
import { snappyDecompress } from '../../src/ingest/snappy.js';
import { loadSlosFromTexts } from '../../src/spec/load.js';
import { snappyCompress } from '../../src/wire/snappy-compress.js';
import {
  deepOtlpJson,
  deepOtlpProtobuf,
  expectedOtlp,
  expectedV1,
  expectedV2,
  normalise,
  otlpJson,
  otlpProtobuf,
  otlpGaugesArb,
  otlpRequestArb,
  remoteWriteArb,
  rw1Body,
  rw2Body,
  seriesListArb,
} from './inputs.js';
import { mutate, mutationsArb } from './mutate.js';
import { bombArb, mutatedSpecArb, randomSpecArb, specCorpus } from './spec-inputs.js';

/**
 * The fuzz properties, shared by the test suite (a few thousand cases) and `npm run fuzz`
 * (hundreds of thousands). Each says what any input may do: give a result, or be refused with the
 * project's BadPayload (a 4xx and a reason) — never another exception, never a hang.
 */

/** Decoded output is capped at this in the properties; the server's default is 64 MiB. */
export const MAX_DECODED = 1 << 20;
/** A case slower than this counts as a hang (generous: two busy cores, GC pauses). */
export const HANG_MS = Number(process.env.FUZZ_HANG_MS ?? 2_000);

export interface FuzzProperty {
  name: string;
  /** Share of a run's cases; the test suite and the command scale the same weights. */
  weight: number;
  property: () => fc.IProperty<any> | fc.IAsyncProperty<any>;
}

/** Runs `fn`: its result, or its BadPayload; anything else (or a slow case) fails the property. */
export function refusedOrDecoded<T>(what: string, fn: () => T): { value?: T; refused?: BadPayload } {
  const t0 = performance.now();
  let out: { value?: T; refused?: BadPayload };
  try {
    out = { value: fn() };
  } catch (e) {
    if (!(e instanceof BadPayload)) throw new Error(`${what} threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`, { cause: e });
    if (e.status !== 400 && e.status !== 413) throw new Error(`${what} refused with status ${e.status}`);
    if (!e.message.trim()) throw new Error(`${what} refused without a reason`);
    out = { refused: e };
  }
  const ms = performance.now() - t0;
  if (ms > HANG_MS) throw new Error(`${what} took ${ms.toFixed(0)} ms (limit ${HANG_MS} ms)`);
  return out;
}

function equal(actual: unknown, expected: unknown, what: string): void {
  // NaN equals NaN, -0 differs from 0: the decoder must give back exactly the doubles sent.
  const a = JSON.stringify(actual, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : Object.is(v, -0) ? '-0' : v));
  const b = JSON.stringify(expected, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : Object.is(v, -0) ? '-0' : v));
  if (a !== b) throw new Error(`${what}: decoded\n  ${a.slice(0, 2000)}\nexpected\n  ${b.slice(0, 2000)}`);
}

/** The whole remote-write path after the HTTP layer: snappy, then the version's decoder. */
function decodeRemoteWrite(version: 1 | 2, compressed: Uint8Array, opts = {}) {
  const raw = snappyDecompress(compressed, MAX_DECODED);
  return version === 1 ? decodeWriteRequestV1(raw, opts) : decodeWriteRequestV2(raw, opts);
}

const bytesArb = fc.uint8Array({ maxLength: 512 });
const formatArb = fc.constantFrom<'protobuf' | 'json'>('protobuf', 'json');

export const PROPERTIES: FuzzProperty[] = [
  {
    name: 'snappy: random bytes decompress or are refused',
    weight: 3,
    property: () => fc.property(bytesArb, (b) => void refusedOrDecoded('snappyDecompress', () => snappyDecompress(b, MAX_DECODED))),
  },
  {
    name: 'snappy: a declared length over the limit is refused before allocating',
    weight: 1,
    property: () =>
      fc.property(fc.double({ min: MAX_DECODED + 1, max: 2 ** 35 - 1, noNaN: true }), fc.uint8Array({ maxLength: 9 }), (declared, tail) => {
        const n = Math.floor(declared);
        const pre: number[] = [];
        for (let v = n; ; v = Math.floor(v / 128)) {
          if (v < 128) {
            pre.push(v);
            break;
          }
          pre.push((v % 128) | 128);
        }
        const t0 = performance.now();
        const heap0 = process.memoryUsage().arrayBuffers;
        const { refused } = refusedOrDecoded('snappyDecompress', () => snappyDecompress(Uint8Array.from([...pre, ...tail]), MAX_DECODED));
        if (refused?.status !== 413 || !/over the \d+-byte limit/.test(refused.message)) throw new Error(`declared ${n} bytes: expected a 413 naming the limit, got ${refused?.message ?? 'a result'}`);
        // Far under what allocating and filling even the 1 MiB limit would take; GC pauses aside.
        if (performance.now() - t0 > 250) throw new Error(`refusing a ${n}-byte declaration took ${(performance.now() - t0).toFixed(1)} ms`);
        if (process.memoryUsage().arrayBuffers - heap0 > MAX_DECODED) throw new Error(`refusing a ${n}-byte declaration allocated memory`);
      }),
  },
  {
    name: 'remote-write: random bytes decode or are refused, in both versions',
    weight: 4,
    property: () =>
      fc.property(bytesArb, (b) => {
        refusedOrDecoded('decodeWriteRequestV1', () => decodeWriteRequestV1(b));
        refusedOrDecoded('decodeWriteRequestV2', () => decodeWriteRequestV2(b));
      }),
  },
  {
    name: 'remote-write: a valid request round-trips through snappy and the decoder, twice',
    weight: 4,
    property: () =>
      fc.property(remoteWriteArb, ({ version, series, compressed }) => {
        const expected = version === 1 ? expectedV1(series) : expectedV2(series);
        // Twice: the second decode of a v1 body takes its labels from the series cache.
        for (const pass of [1, 2]) {
          const { value, refused } = refusedOrDecoded('decodeRemoteWrite', () => decodeRemoteWrite(version, compressed));
          if (refused) throw new Error(`a valid v${version} request was refused: ${refused.message}`);
          equal(normalise(value!.series), expected, `v${version} pass ${pass}`);
        }
      }),
  },
  {
    name: 'remote-write: keep() selects exactly the series of the metrics it accepts',
    weight: 2,
    property: () =>
      fc.property(fc.constantFrom<1 | 2>(1, 2), seriesListArb, fc.func(fc.boolean()), (version, series, wanted) => {
        const keep = (name: string) => wanted(name);
        const raw = version === 1 ? rw1Body(series) : rw2Body(series);
        const { value, refused } = refusedOrDecoded('decode with keep', () => (version === 1 ? decodeWriteRequestV1(raw, { keep }) : decodeWriteRequestV2(raw, { keep })));
        if (refused) throw new Error(`a valid v${version} request was refused: ${refused.message}`);
        const all = version === 1 ? expectedV1(series) : expectedV2(series);
        equal(normalise(value!.series), all.filter((s) => keep(s.labels.find(([k]) => k === '__name__')![1])), `v${version} with keep`);
        if (value!.skipped !== series.length - value!.series.length) throw new Error(`skipped ${value!.skipped} of ${series.length}, kept ${value!.series.length}`);
      }),
  },
  {
    name: 'remote-write: limits on series, labels and label length hold or the request is refused',
    weight: 2,
    property: () =>
      fc.property(
        remoteWriteArb,
        fc.record({ maxSeries: fc.integer({ min: 0, max: 6 }), maxLabelsPerSeries: fc.integer({ min: 1, max: 9 }), maxLabelLength: fc.integer({ min: 1, max: 120 }) }),
        ({ version, compressed }, limits) => {
          const { value, refused } = refusedOrDecoded('decode with limits', () => decodeRemoteWrite(version, compressed, limits));
          if (refused) return;
          if (value!.series.length > limits.maxSeries) throw new Error(`${value!.series.length} series over maxSeries ${limits.maxSeries}`);
          for (const s of value!.series) {
            const entries = Object.entries(s.labels);
            if (entries.length > limits.maxLabelsPerSeries) throw new Error(`${entries.length} labels over ${limits.maxLabelsPerSeries}`);
            for (const [k, v] of entries) if (k.length > limits.maxLabelLength || v.length > limits.maxLabelLength) throw new Error(`label ${k} over ${limits.maxLabelLength} characters`);
          }
        },
      ),
  },
  {
    name: 'remote-write: mutated valid requests decode or are refused, compressed or not',
    weight: 8,
    property: () =>
      fc.property(remoteWriteArb, mutationsArb, fc.boolean(), ({ version, raw, compressed }, mutations, beforeSnappy) => {
        if (beforeSnappy) refusedOrDecoded(`mutated v${version}`, () => decodeRemoteWrite(version, snappyCompress(mutate(raw, mutations))));
        else refusedOrDecoded(`mutated snappy v${version}`, () => decodeRemoteWrite(version, mutate(compressed, mutations)));
      }),
  },
  {
    name: 'OTLP: random bytes decode or are refused, as protobuf and as JSON',
    weight: 3,
    property: () =>
      fc.property(fc.oneof(bytesArb, fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s))), (b) => {
        refusedOrDecoded('decodeOtlpMetrics protobuf', () => decodeOtlpMetrics(b, 'protobuf'));
        refusedOrDecoded('decodeOtlpMetrics json', () => decodeOtlpMetrics(b, 'json'));
      }),
  },
  {
    name: 'OTLP: valid gauges round-trip, the same from protobuf and from JSON',
    weight: 3,
    property: () =>
      fc.property(otlpGaugesArb, (gauges) => {
        const expected = expectedOtlp(gauges);
        for (const [format, body] of [['protobuf', otlpProtobuf(gauges)], ['json', otlpJson(gauges)]] as const) {
          const { value, refused } = refusedOrDecoded(`decodeOtlpMetrics ${format}`, () => decodeOtlpMetrics(body, format));
          if (refused) throw new Error(`a valid OTLP/${format} request was refused: ${refused.message}`);
          if (value!.rejectedDataPoints) throw new Error(`OTLP/${format}: ${value!.errorMessage}`);
          equal(normalise(value!.series), expected, `OTLP/${format}`);
        }
      }),
  },
  {
    name: 'OTLP: mutated valid requests decode or are refused',
    weight: 6,
    property: () =>
      fc.property(otlpRequestArb, mutationsArb, ({ format, body }, mutations) => {
        refusedOrDecoded(`mutated OTLP/${format}`, () => decodeOtlpMetrics(mutate(body, mutations), format));
      }),
  },
  {
    name: 'OTLP: attribute values and JSON nested past the limit are refused quickly',
    weight: 0.1,
    property: () =>
      fc.property(fc.integer({ min: 18, max: 20_000 }), fc.constantFrom('protobuf', 'json array', 'json anyvalue'), (depth, shape) => {
        if (shape === 'protobuf' && depth > 5_000) depth = 5_000; // each level adds bytes to every enclosing length
        const body = shape === 'protobuf' ? deepOtlpProtobuf(depth) : deepOtlpJson(depth, shape === 'json array' ? 'array' : 'anyvalue');
        const { refused } = refusedOrDecoded(`OTLP ${shape} nested ${depth} deep`, () => decodeOtlpMetrics(body, shape === 'protobuf' ? 'protobuf' : 'json'));
        if (!refused) throw new Error(`OTLP ${shape} nested ${depth} levels deep was accepted`);
      }),
  },
  {
    name: 'spec loader: mutated valid specs load or report file, line and field',
    weight: 2,
    property: () => fc.property(fc.array(mutatedSpecArb, { minLength: 1, maxLength: 2 }), (sources) => void loadsOrExplains(sources)),
  },
  {
    name: 'spec loader: random YAML-ish text loads or reports file, line and field',
    weight: 1,
    property: () => fc.property(randomSpecArb, (source) => void loadsOrExplains([source])),
  },
  {
    name: 'spec loader: YAML bombs are refused quickly with a clear error',
    weight: 0.05,
    property: () =>
      fc.property(bombArb, ({ kind, text }) => {
        const t0 = performance.now();
        const r = loadsOrExplains([{ file: 'bomb.yaml', text }]);
        const ms = performance.now() - t0;
        const error = r.problems.find((p) => p.severity === 'error');
        if (!error || r.slos.length) throw new Error(`a ${kind} bomb was not refused`);
        if (!/alias|nest|tokens|byte-limit|limit/i.test(error.message)) throw new Error(`a ${kind} bomb was refused without saying why: ${error.message}`);
        if (ms > 1_000) throw new Error(`refusing a ${kind} bomb took ${ms.toFixed(0)} ms`);
      }),
  },
];

/** The loader's contract on any input: no exception; every problem names a file, a line and a field. */
function loadsOrExplains(sources: Array<{ file: string; text: string }>) {
  const t0 = performance.now();
  let r: ReturnType<typeof loadSlosFromTexts>;
  try {
    r = loadSlosFromTexts(sources);
  } catch (e) {
    throw new Error(`the loader threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`, { cause: e });
  }
  const ms = performance.now() - t0;
  if (ms > HANG_MS) throw new Error(`loading took ${ms.toFixed(0)} ms`);
  const files = new Set(sources.map((s) => s.file));
  for (const p of r.problems) {
    if (!files.has(p.file)) throw new Error(`a problem names file ${JSON.stringify(p.file)}, not one of those loaded: ${p.message}`);
    if (!Number.isInteger(p.line) || p.line < 1) throw new Error(`a problem has line ${p.line}: ${p.message}`);
    if (typeof p.field !== 'string') throw new Error(`a problem has no field: ${p.message}`);
    if (!p.message.trim()) throw new Error(`a problem in ${p.file}:${p.line} has no message`);
  }
  if (r.slos.length && r.problems.some((p) => p.severity === 'error')) throw new Error('SLOs were returned alongside errors');
  return r;
}

/** The corpus is read in place; a test checks it is not empty, so a moved folder cannot pass silently. */
export const corpusSize = () => specCorpus().length;
