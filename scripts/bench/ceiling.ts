import { decodeWriteRequestV1 } from '../../src/ingest/remote-write-v1.js';
import { snappyDecompress } from '../../src/ingest/snappy.js';
import type { RequestSet } from './requests.js';

const MAX_DECODED = 64 * 1024 * 1024;

/**
 * The work every receiver must do at least: snappy decompression and protobuf decoding of every
 * request, in-process, no HTTP, no matching, no storage. With `keep`, series of other metrics
 * are skipped at their name as the engine's decoder does. Returns samples per second.
 */
export function decodeRate(set: RequestSet, keep?: (metric: string) => boolean): number {
  const requests = set.shards.flat();
  let samples = 0;
  const started = performance.now();
  for (const r of requests) {
    const decoded = decodeWriteRequestV1(snappyDecompress(r.body, MAX_DECODED), keep ? { keep } : {});
    // Count what was read: every sample of the request, decoded or skipped at its name.
    samples += keep ? r.samples : decoded.samples;
  }
  const seconds = (performance.now() - started) / 1000;
  if (!keep && samples !== set.samples) throw new Error(`decoded ${samples} samples, expected ${set.samples}`);
  return samples / seconds;
}
