import { describe, expect, it } from 'vitest';
import { decodeWriteRequestV1 } from '../src/ingest/remote-write-v1.js';
import { Writer } from '../src/wire/protobuf-writer.js';
import { encodeWriteRequestV1 } from '../src/wire/remote-write-v1.js';

const label = (name: string, value: string) => new Writer().string(1, name).string(2, value).finish();
const sample = new Writer().double(1, 1).int64(2, 1000).finish();
function series(labels: Uint8Array[], extra: (w: Writer) => void = () => {}): Uint8Array {
  const w = new Writer();
  for (const l of labels) w.bytes(1, l);
  w.bytes(2, sample);
  extra(w);
  return w.finish();
}
const request = (...ts: Uint8Array[]) => ts.reduce((w, t) => w.bytes(1, t), new Writer()).finish();
const keepNone = () => false;

/** What decoding gives, or the error it throws, as a comparable value. */
function outcome(body: Uint8Array, opts: Parameters<typeof decodeWriteRequestV1>[1]): unknown {
  try {
    return decodeWriteRequestV1(body, opts);
  } catch (e) {
    return { error: (e as Error).message, status: (e as { status?: number }).status };
  }
}

describe('skipping unselected series at their metric name', () => {
  it('skips a series of an unselected metric and keeps a selected one with every label', () => {
    const body = encodeWriteRequestV1([
      { labels: { __name__: 'skipped_total', job: 'a' }, samples: [{ value: 1, timestampMs: 1 }] },
      { labels: { __name__: 'kept_total', job: 'b', zone: 'é' }, samples: [{ value: 2, timestampMs: 2 }] },
    ]);
    const r = decodeWriteRequestV1(body, { keep: (n) => n === 'kept_total' });
    expect(r.skipped).toBe(1);
    expect(r.series).toEqual([{ labels: { __name__: 'kept_total', job: 'b', zone: 'é' }, samples: [{ value: 2, timestampMs: 2 }] }]);
  });

  it('finds the name after other labels, as an unsorted encoder sends it', () => {
    const body = request(series([label('Zone', 'x'), label('__name__', 'm')]));
    expect(decodeWriteRequestV1(body, { keep: keepNone })).toMatchObject({ series: [], skipped: 1 });
    expect(decodeWriteRequestV1(body, { keep: (n) => n === 'm' }).series[0]!.labels).toEqual({ Zone: 'x', __name__: 'm' });
    // Ten characters in twenty bytes: within a ten-character limit.
    const wide = request(series([label('A', 'ü'.repeat(10)), label('__name__', 'm')]));
    expect(decodeWriteRequestV1(wide, { keep: keepNone, maxLabelLength: 10 })).toMatchObject({ series: [], skipped: 1 });
  });

  it('gives the same errors as the full decoder for labels before the name that break the limits', () => {
    const cases = [
      request(series([label('A', 'x'.repeat(20)), label('__name__', 'm')])),
      request(series([label('A', 'ü'.repeat(11)), label('__name__', 'm')])),
      request(series([label('A', '1'), label('B', '2'), label('__name__', 'm')])),
      request(series([label('__name__', 'm'.repeat(20))])),
      request(series([label('A', '1')])),
      request(series([new Uint8Array([0x0a, 0x02, 0xc3, 0x28]), label('__name__', 'm')])),
      request(series([label('__name__', 'm')]).subarray(0, 5)),
    ];
    for (const body of cases) {
      const limits = { maxLabelsPerSeries: 2, maxLabelLength: 10 };
      const expected = outcome(body, limits);
      expect(expected).toHaveProperty('error');
      expect(outcome(body, { ...limits, keep: keepNone })).toEqual(expected);
    }
  });

  it('refuses a TimeSeries whose length field runs past the request, as before', () => {
    const body = request(series([label('__name__', 'm')]));
    const lying = body.slice();
    lying[1] = lying[1]! + 5;
    expect(outcome(lying, { keep: keepNone })).toEqual({ error: 'protobuf: length-delimited field runs past its message', status: 400 });
  });

  it('refuses a name that is not UTF-8 even when its series would be skipped', () => {
    const body = request(series([new Uint8Array([0x0a, 0x08, ...new TextEncoder().encode('__name__'), 0x12, 0x02, 0xc3, 0x28])]));
    expect(outcome(body, { keep: keepNone })).toMatchObject({ error: 'protobuf: a string is not valid UTF-8' });
  });
});
