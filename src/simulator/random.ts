/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a tiny 32-bit PRNG. Not for cryptography; chosen because a whole platform's history
 * must come out the same for the same seed on every machine and Node version.
 */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An independent stream per named part (FNV-1a of the name mixed into the seed), so that adding
 * a node or a namespace does not shift the numbers every other part draws.
 */
export function streamFor(seed: number, name: string): Random {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return mulberry32(h);
}

/** A standard normal draw (Box-Muller); 1 - u keeps log() away from 0. */
export function normal(rng: Random): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** An exponential draw with mean 1. */
export function exponential(rng: Random): number {
  return -Math.log(1 - rng());
}

/** Lower-case hex of the given length, e.g. for pod name suffixes and uids. */
export function hex(rng: Random, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += Math.floor(rng() * 16).toString(16);
  return s;
}

/** A shuffled copy (Fisher-Yates), deterministic for the stream. */
export function shuffled<T>(rng: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
