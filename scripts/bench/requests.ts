import { createPlatform, STEP_MS } from '../../src/simulator/index.js';
import { encodeWriteRequestV1, type SeriesToWrite } from '../../src/wire/remote-write-v1.js';
import { snappyCompress } from '../../src/wire/snappy-compress.js';

/** One pre-encoded remote-write 1.0 request: snappy-compressed body and how many samples it holds. */
export interface WriteRequest {
  body: Uint8Array;
  samples: number;
}

export interface RequestSet {
  /** One ordered list per shard: a series always goes to the same shard, as Prometheus shards. */
  shards: WriteRequest[][];
  samples: number;
  series: number;
  compressedBytes: number;
  oldestMs: number;
  newestMs: number;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The simulated platform over `hours` in 15 s steps, shifted so its newest sample is `newestMs`,
 * cut as Prometheus remote-write 1.0 cuts it: series hashed onto `shards` shards, each shard's
 * samples in time order, one sample per TimeSeries, `perRequest` samples per request.
 */
export function buildRequests(opts: { hours: number; newestMs: number; shards: number; perRequest: number }): RequestSet {
  const steps = Math.round((opts.hours * 3_600_000) / STEP_MS);
  const startMs = opts.newestMs - steps * STEP_MS;
  const platform = createPlatform({ startMs, seed: 1 });
  const shards: WriteRequest[][] = Array.from({ length: opts.shards }, () => []);
  const pending: SeriesToWrite[][] = Array.from({ length: opts.shards }, () => []);
  const shardOf = new Map<string, number>();
  const cut = (i: number) => {
    const list = pending[i]!;
    if (list.length === 0) return;
    shards[i]!.push({ body: snappyCompress(encodeWriteRequestV1(list)), samples: list.length });
    pending[i] = [];
  };
  let samples = 0;
  for (let step = 1; step <= steps; step++) {
    const t = startMs + step * STEP_MS;
    platform.advance(t);
    for (const s of platform.samples()) {
      const labels = { ...s.labels, __name__: s.name };
      const key = s.name + JSON.stringify(s.labels);
      let shard = shardOf.get(key);
      if (shard === undefined) shardOf.set(key, (shard = fnv1a(key) % opts.shards));
      pending[shard]!.push({ labels, samples: [{ value: s.value, timestampMs: t }] });
      samples++;
      if (pending[shard]!.length >= opts.perRequest) cut(shard);
    }
  }
  for (let i = 0; i < opts.shards; i++) cut(i);
  const all = shards.flat();
  return {
    shards,
    samples,
    series: shardOf.size,
    compressedBytes: all.reduce((n, r) => n + r.body.length, 0),
    oldestMs: startMs + STEP_MS,
    newestMs: startMs + steps * STEP_MS,
  };
}
