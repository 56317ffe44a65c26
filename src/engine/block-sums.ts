/**
 * Sums of aligned blocks of a ring's buckets, so that a long window adds a few block sums instead
 * of every bucket: with 5m buckets, blocks of 12 (an hour) and of 24 of those (a day) make a 30d
 * window about 11 + 23 + 30 + 23 + 11 additions instead of 8,640.
 *
 * A block's sum is computed from its buckets when first asked for and kept until a bucket in it is
 * written or evicted: never patched by adding or subtracting a delta, which could leave a residue
 * like 1e-13 where the buckets hold exact zeros. Only the order of the additions differs from a
 * bucket-by-bucket pass, so sums of integers stay exact and others agree to rounding.
 */
export const SMALL = 12;
export const LARGE = 24 * SMALL;

/** A day's sum while its hours add into it (no day sum is made inside another). */
const PART = new Float64Array(3);

/** What a block sum reads: the ring's buckets by index (end / resolution). */
export interface BucketSource {
  /** Adds bucket `b`'s sums into `into` (total, bad, samples at 0, 1, 2) when the ring holds it. */
  addBucket(b: number, into: Float64Array, at: number, badOf: (t: number, n: number) => number): void;
}

/**
 * One level of blocks: `per` buckets each, kept in slots by block number. A slot is four numbers
 * side by side (the block number it holds, or -1 when it must be summed again; total, bad,
 * samples), so reading a block touches one cache line, and neighbouring blocks neighbouring ones.
 */
class Level {
  readonly data: Float64Array;

  constructor(
    readonly per: number,
    readonly slots: number,
  ) {
    this.data = new Float64Array(slots * 4);
    for (let s = 0; s < slots; s++) this.data[s * 4] = -1;
  }

  invalidate(b: number): void {
    const block = Math.floor(b / this.per);
    const at = (block % this.slots) * 4;
    if (this.data[at] === block) this.data[at] = -1;
  }
}

export class BlockSums {
  private readonly small: Level;
  private readonly large: Level;

  constructor(
    private readonly ring: BucketSource,
    size: number,
  ) {
    // Two slots more than the ring's span holds, so no two blocks one window reads share a slot.
    this.small = new Level(SMALL, Math.ceil(size / SMALL) + 2);
    this.large = new Level(LARGE, Math.ceil(size / LARGE) + 2);
  }

  /** A bucket was written or evicted: the blocks holding it are summed again when next read. */
  changed(b: number): void {
    this.small.invalidate(b);
    this.large.invalidate(b);
  }

  /**
   * Adds buckets `last..first` (indices, newest first) into `out` (total, bad, samples): single
   * buckets up to a block edge, then whole blocks, the largest that fit.
   */
  sum(first: number, last: number, badOf: (t: number, n: number) => number, out: Float64Array): void {
    let b = first;
    while (b >= last) {
      if ((b + 1) % LARGE === 0 && b - LARGE + 1 >= last) {
        this.addLarge((b + 1) / LARGE - 1, badOf, out);
        b -= LARGE;
      } else if ((b + 1) % SMALL === 0 && b - SMALL + 1 >= last) {
        this.addSmall((b + 1) / SMALL - 1, badOf, out);
        b -= SMALL;
      } else {
        this.ring.addBucket(b, out, 0, badOf);
        b--;
      }
    }
  }

  private addSmall(block: number, badOf: (t: number, n: number) => number, out: Float64Array): void {
    const { data, slots } = this.small;
    const at = (block % slots) * 4;
    if (data[at] !== block) {
      data[at + 1] = 0;
      data[at + 2] = 0;
      data[at + 3] = 0;
      const top = block * SMALL + SMALL - 1;
      for (let b = top; b > top - SMALL; b--) this.ring.addBucket(b, data, at + 1, badOf);
      data[at] = block;
    }
    out[0]! += data[at + 1]!;
    out[1]! += data[at + 2]!;
    out[2]! += data[at + 3]!;
  }

  private addLarge(block: number, badOf: (t: number, n: number) => number, out: Float64Array): void {
    const { data, slots } = this.large;
    const at = (block % slots) * 4;
    if (data[at] !== block) {
      const part = PART.fill(0);
      const top = (block + 1) * (LARGE / SMALL) - 1;
      for (let j = top; j > top - LARGE / SMALL; j--) this.addSmall(j, badOf, part);
      data[at + 1] = part[0]!;
      data[at + 2] = part[1]!;
      data[at + 3] = part[2]!;
      data[at] = block;
    }
    out[0]! += data[at + 1]!;
    out[1]! += data[at + 2]!;
    out[2]! += data[at + 3]!;
  }
}
