import { describe, expect, it } from 'vitest';
import { decodeWriteRequestV1 } from '../src/ingest/remote-write-v1.js';
import { ARENA_BYTES, cacheStats, slotOf } from '../src/ingest/series-cache.js';
import { Writer } from '../src/wire/protobuf-writer.js';

const label = (name: string, value: string) => new Writer().string(1, name).string(2, value).finish();
const sample = (value: number, ts: number) => new Writer().double(1, value).int64(2, ts).finish();
function series(labels: Uint8Array[], samples: Uint8Array[], after: Uint8Array[] = []): Uint8Array {
  const w = new Writer();
  for (const l of labels) w.bytes(1, l);
  for (const s of samples) w.bytes(2, s);
  for (const l of after) w.bytes(1, l);
  return w.finish();
}
const request = (...ts: Uint8Array[]) => ts.reduce((w, t) => w.bytes(1, t), new Writer()).finish();
const keep = (n: string) => n === 'kept_total';
const upLabels = [label('__name__', 'kept_total'), label('job', 'api'), label('zone', 'a')];

describe('label sets of series sent before come from a cache keyed by their bytes', () => {
  it('decodes a resent series to the same labels and its own new samples, sharing one frozen labels object', () => {
    const first = decodeWriteRequestV1(request(series(upLabels, [sample(1, 1000)])), { keep }).series[0]!;
    const again = decodeWriteRequestV1(request(series(upLabels, [sample(2, 2000), sample(3, 3000)])), { keep }).series[0]!;
    expect(again.labels).toEqual({ __name__: 'kept_total', job: 'api', zone: 'a' });
    expect(again.samples).toEqual([
      { value: 2, timestampMs: 2000 },
      { value: 3, timestampMs: 3000 },
    ]);
    expect(again.labels).toBe(first.labels);
    expect(Object.isFrozen(again.labels)).toBe(true);
  });

  it('still reads a label that follows the samples, and never takes such a series as the labels of its leading bytes', () => {
    const lead = [label('__name__', 'kept_total'), label('job', 'late')];
    const late = decodeWriteRequestV1(request(series(lead, [sample(2, 2000)], [label('pod', 'p1')])), { keep }).series[0]!;
    expect(late.labels).toEqual({ __name__: 'kept_total', job: 'late', pod: 'p1' });
    const plain = decodeWriteRequestV1(request(series(lead, [sample(3, 3000)])), { keep }).series[0]!;
    expect(plain.labels).toEqual({ __name__: 'kept_total', job: 'late' });
    const lateAgain = decodeWriteRequestV1(request(series(lead, [sample(4, 4000)], [label('pod', 'p2')])), { keep }).series[0]!;
    expect(lateAgain.labels).toEqual({ __name__: 'kept_total', job: 'late', pod: 'p2' });
  });

  it('applies smaller limits to a series cached under larger ones', () => {
    const body = request(series([label('__name__', 'kept_total'), label('job', 'x'.repeat(50))], [sample(1, 1000)]));
    expect(decodeWriteRequestV1(body, { keep }).series).toHaveLength(1);
    expect(() => decodeWriteRequestV1(body, { keep, maxLabelLength: 20 })).toThrow(/longer than 20 characters/);
    expect(() => decodeWriteRequestV1(body, { keep, maxLabelsPerSeries: 1 })).toThrow(/more than 1 labels/);
  });

  it('refuses a malformed sample of a cached series with the error of a full decode', () => {
    const good = series(upLabels, [sample(1, 1000)]);
    decodeWriteRequestV1(request(good), { keep });
    const truncatedSample = new Writer().bytes(1, upLabels[0]!).bytes(1, upLabels[1]!).bytes(1, upLabels[2]!).finish();
    // A sample field whose double is cut short: 0x12 len=3, 0x09 + 2 bytes.
    const bad = new Uint8Array([...truncatedSample, 0x12, 0x03, 0x09, 0x00, 0x00]);
    expect(() => decodeWriteRequestV1(request(bad), { keep })).toThrow(/truncated double/);
    expect(() => decodeWriteRequestV1(request(bad))).toThrow(/truncated double/);
  });

  it('decodes every series alike without a keep filter, cached or not', () => {
    const body = request(series(upLabels, [sample(1, 1000)]), series([label('__name__', 'other'), label('a', 'b')], [sample(2, 2000)]));
    const a = decodeWriteRequestV1(body).series;
    const b = decodeWriteRequestV1(body).series;
    expect(b).toEqual(a);
    expect(b.map((s) => s.labels)).toEqual([{ __name__: 'kept_total', job: 'api', zone: 'a' }, { __name__: 'other', a: 'b' }]);
  });
});

describe('the label-set cache is bounded in bytes, whatever label sets are sent', () => {
  const big = (k: number) => [label('__name__', 'kept_total'), label('pod', `pod-${k}`), label('note', 'n'.repeat(200))];

  it('keeps its label bytes within one arena after far more distinct series than fit, and still decodes every series right', () => {
    const fits = Math.floor(ARENA_BYTES / 230);
    const out: Array<Readonly<Record<string, string>>> = [];
    for (let k = 0; k < fits * 3; k++) {
      const s = decodeWriteRequestV1(request(series(big(k), [sample(1, 1000)])), { keep }).series[0]!;
      expect(s.labels.pod).toBe(`pod-${k}`);
      out.push(s.labels);
      expect(cacheStats().arenaBytes).toBeLessThanOrEqual(ARENA_BYTES);
    }
    expect(cacheStats().entries).toBeGreaterThan(0);
    // The latest series are still cached (compaction kept them): sent again, most come back as the same object.
    let same = 0;
    for (let k = fits * 3 - 100; k < fits * 3; k++) {
      const again = decodeWriteRequestV1(request(series(big(k), [sample(2, 2000)])), { keep }).series[0]!;
      expect(again.labels).toEqual({ __name__: 'kept_total', pod: `pod-${k}`, note: 'n'.repeat(200) });
      if (again.labels === out[k]) same++;
    }
    expect(same).toBeGreaterThan(90);
  });

  it('moves live entries over the holes of replaced ones, so series sent all along keep their cached labels across compactions', () => {
    const steadyLabels = (i: number) => upLabels.concat(label('steady', String(i)));
    const slotOfLabels = (ls: Uint8Array[]) => {
      const b = series(ls, []);
      return slotOf(b, new DataView(b.buffer, b.byteOffset, b.byteLength), 0, b.length);
    };
    const steadySlots = new Set([0, 1, 2].map((i) => slotOfLabels(steadyLabels(i))));
    // Series that all fall in 1,024 slots (none a steady one's): each replaces another, so the
    // arena fills with holes while few entries are live, which is when it compacts.
    const churn: Uint8Array[][] = [];
    for (let k = 0; churn.length < Math.ceil((ARENA_BYTES * 1.2) / 230); k++) {
      const ls = big(2e6 + k);
      const slot = slotOfLabels(ls);
      if (slot < 1024 && !steadySlots.has(slot)) churn.push(ls);
    }
    const steady = [0, 1, 2].map((i) => decodeWriteRequestV1(request(series(steadyLabels(i), [sample(1, 1000)])), { keep }).series[0]!.labels);
    const entries = cacheStats().entries;
    let compacted = false;
    for (const ls of churn) {
      const before = cacheStats().arenaBytes;
      decodeWriteRequestV1(request(series(ls, [sample(1, 1000)])), { keep });
      if (cacheStats().arenaBytes < before) compacted = true;
    }
    expect(compacted).toBe(true);
    expect(cacheStats().entries).toBeLessThanOrEqual(entries + 1024);
    for (const [i, l] of steady.entries()) {
      const again = decodeWriteRequestV1(request(series(steadyLabels(i), [sample(2, 2000)])), { keep }).series[0]!;
      expect(again.labels).toBe(l);
    }
  });
});
