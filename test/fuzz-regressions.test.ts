import { describe, expect, it } from 'vitest';
import { decodeOtlpMetrics } from '../src/ingest/otlp/index.js';
import { decodeWriteRequestV1 } from '../src/ingest/remote-write-v1.js';
import { decodeWriteRequestV2 } from '../src/ingest/remote-write-v2.js';
import { snappyDecompress } from '../src/ingest/snappy.js';
import { loadSlosFromTexts } from '../src/spec/load.js';
import { encodeWriteRequestV1 } from '../src/wire/remote-write-v1.js';
import { encodeV2 } from './helpers/protobuf-writer.js';
import { otlpJson, otlpProtobuf } from './fuzz/inputs.js';

/** The minimal counterexamples the fuzzer found, kept as ordinary tests. */

/** A labels object holding `__proto__` as a label, as a decoder must return it. */
function withProto(name: string, proto: string): Record<string, string> {
  const labels: Record<string, string> = { __name__: name };
  Object.defineProperty(labels, '__proto__', { value: proto, enumerable: true, writable: true, configurable: true });
  return labels;
}

describe('inputs the fuzzer found', () => {
  it('keeps a label named __proto__ in remote-write 1.0 and 2.0 instead of setting the prototype', () => {
    const series = [{ labels: withProto('a', 'x'), samples: [{ value: 1, timestampMs: 1 }] }];
    for (const decoded of [decodeWriteRequestV1(encodeWriteRequestV1(series)), decodeWriteRequestV1(encodeWriteRequestV1(series)), decodeWriteRequestV2(encodeV2(series))]) {
      expect(Object.hasOwn(decoded.series[0]!.labels, '__proto__')).toBe(true);
      expect(Object.entries(decoded.series[0]!.labels).sort()).toEqual([['__name__', 'a'], ['__proto__', 'x']]);
      expect(Object.getPrototypeOf(decoded.series[0]!.labels)).toBe(Object.prototype);
    }
  });

  it('maps OTLP attributes named constructor and __proto__ to labels of their own values', () => {
    const attributes: Record<string, string> = { constructor: 'c' };
    Object.defineProperty(attributes, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true });
    const gauges = [{ name: 'a', attributes, value: 1, timeMs: 1 }];
    for (const [format, body] of [['protobuf', otlpProtobuf(gauges)], ['json', otlpJson(gauges)]] as const) {
      const labels = decodeOtlpMetrics(body, format).series[0]!.labels;
      // Before the fix: constructor became "function Object() { [native code] };c" and __proto__ vanished.
      expect(Object.entries(labels).sort()).toEqual([['__name__', 'a'], ['__proto__', 'p'], ['constructor', 'c']]);
    }
  });

  it('refuses a 10-byte snappy body declaring 4 GiB at once, naming the limit', () => {
    const body = Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x10, 0, 1, 2, 3, 4]);
    const t0 = performance.now();
    expect(() => snappyDecompress(body, 64 << 20)).toThrow(/4294967296 bytes, over the 67108864-byte limit/);
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('refuses YAML flow collections nested 1000 deep with a clear error instead of overflowing the stack', () => {
    const r = loadSlosFromTexts([{ file: 'deep.yaml', text: `${'['.repeat(1000)}${']'.repeat(1000)}` }]);
    expect(r.problems).toEqual([expect.objectContaining({ file: 'deep.yaml', line: 1, severity: 'error', message: expect.stringMatching(/nest more than 64 levels/) })]);
  });

  it('refuses YAML mappings nested 2800 deep by indentation with a clear error', () => {
    const text = Array.from({ length: 2800 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
    const r = loadSlosFromTexts([{ file: 'deep.yaml', text }]);
    expect(r.problems).toEqual([expect.objectContaining({ file: 'deep.yaml', severity: 'error', message: expect.stringMatching(/nest/) })]);
  });

  it('refuses a 100 000-key YAML file in well under a second (it took minutes: a quadratic duplicate-key check)', () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `k${i}: v`).join('\n');
    const t0 = performance.now();
    const r = loadSlosFromTexts([{ file: 'big.yaml', text }]);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(r.problems[0]).toMatchObject({ file: 'big.yaml', severity: 'error', message: expect.stringMatching(/more than 250000 YAML tokens/) });
  });

  it('still reports a key that appears twice in one mapping, at its line', () => {
    const r = loadSlosFromTexts([{ file: 'dup.yaml', text: 'apiVersion: slo.caas.dev/v1\nkind: SLO\nkind: SLO\n' }]);
    expect(r.problems).toEqual([expect.objectContaining({ file: 'dup.yaml', line: 3, severity: 'error', message: expect.stringMatching(/keys must be unique \("kind" appears twice\)/) })]);
  });
});

describe('YAML keys the fuzzer found', () => {
  it('refuses a mapping key that is itself a list, at its line, instead of stringifying it with a warning', () => {
    const r = loadSlosFromTexts([{ file: 'key.yaml', text: 'apiVersion: slo.caas.dev/v1\n[ spec: 1 ]: x\n' }]);
    expect(r.problems).toEqual([expect.objectContaining({ file: 'key.yaml', line: 2, severity: 'error', message: 'a mapping key is itself a list or mapping' })]);
  });
});
