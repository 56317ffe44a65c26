import fc from 'fast-check';
import type { FuzzProperty } from './properties.js';

/** One seed per run, from FUZZ_SEED when replaying a failure; fast-check prints it with the path. */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ (process.pid << 16)) | 0;

/** Cases for a property out of a run's total, by weight; at least `min`. */
export function casesFor(p: FuzzProperty, total: number, all: readonly FuzzProperty[], min = 5): number {
  const sum = all.reduce((n, q) => n + q.weight, 0);
  return Math.max(min, Math.round((total * p.weight) / sum));
}

/** fast-check parameters: the run's seed, and FUZZ_PATH to replay one counterexample. */
export function params(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, seed: FUZZ_SEED, path: process.env.FUZZ_PATH, endOnFailure: false };
}
