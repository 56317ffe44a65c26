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
  /** The same for buckets `top` down to `top - count + 1`, in that order, the ones the ring holds. */
  addBuckets(top: number, count: number, into: Float64Array, at: number, badOf: (t: number, n: number) => number): void;
}

/** A run's sum while its blocks add into it. */
const RUN = new Float64Array(3);
/** Numbers per cached run: first and last block, total, bad, samples. */
const RUN_WIDTH = 5;
/** Runs per window: the whole hours after its whole days, the whole days, the whole hours before them. */
const RUNS = 3;
/** Numbers per head or tail table: the hour, the bound of its valid entries, total, bad, samples per position. */
const PART_WIDTH = 2 + 3 * SMALL;

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
  /**
   * Sums of runs of whole blocks, per window slot (RUNS runs of RUN_WIDTH numbers; -1 as first
   * block when empty): the days a 30d window covers change once a day and its whole hours once an
   * hour, so while the window slides by one bucket every 5 minutes it adds a few run sums and the
   * single buckets at its ends, instead of ~100 block sums spread over memory. Like blocks, runs
   * are summed again (never patched) when a bucket in them is written or evicted.
   */
  private runs = new Float64Array(0);
  /** The buckets any cached run covers: a change outside them leaves every run valid. */
  private runLo = Infinity;
  private runHi = -Infinity;
  /**
   * Per window slot, two tables of one hour (PART_WIDTH numbers each: the hour, or -1; the bound
   * of the valid entries; then total, bad, samples per position): the cumulative sums of its head
   * (oldest bucket of the hour up to each position) and of its tail (each position up to the
   * hour's newest), so a window's single buckets at both ends cost one read each.
   */
  private parts = new Float64Array(0);
  /** The buckets any table covers (only grows until the tables are dropped). */
  private partLo = Infinity;
  private partHi = -Infinity;

  constructor(
    private readonly ring: BucketSource,
    size: number,
  ) {
    // Two slots more than the ring's span holds, so no two blocks one window reads share a slot.
    this.small = new Level(SMALL, Math.ceil(size / SMALL) + 2);
    this.large = new Level(LARGE, Math.ceil(size / LARGE) + 2);
  }

  /**
   * Sums every block over buckets `lo..hi` (the ones the ring may hold) at once, each adding its
   * parts in the order a lazy read would (so the sums are the same to the bit): after a restore the
   * first long window would otherwise make them one by one, wherever its ranges reach. Oldest
   * first, so where the hours of the oldest day share slots with the newest, the newest stay.
   */
  build(lo: number, hi: number, badOf: (t: number, n: number) => number): void {
    const top = Math.floor(hi / LARGE);
    for (let d = Math.max(0, Math.floor(lo / LARGE), top - this.large.slots + 1); d <= top; d++) this.addLarge(d, badOf, RUN.fill(0));
  }

  /** A bucket was written or evicted: the blocks holding it are summed again when next read. */
  changed(b: number): void {
    this.small.invalidate(b);
    this.large.invalidate(b);
    if (b >= this.runLo && b <= this.runHi) {
      this.runs.fill(-1);
      this.runLo = Infinity;
      this.runHi = -Infinity;
    }
    if (b >= this.partLo && b <= this.partHi) this.partChanged(b);
  }

  /** Bucket `b` changed: the prefixes of its hour from it on, and the suffixes up to it, are stale. */
  private partChanged(b: number): void {
    const hour = Math.floor(b / SMALL);
    const pos = b - hour * SMALL;
    const parts = this.parts;
    for (let at = 0; at < parts.length; at += PART_WIDTH) {
      if (parts[at] !== hour) continue;
      const head = (at / PART_WIDTH) % 2 === 0;
      if (head) parts[at + 1] = Math.min(parts[at + 1]!, pos);
      else parts[at + 1] = Math.max(parts[at + 1]!, pos + 1);
    }
  }

  /**
   * Adds buckets `last..first` (indices, newest first) into `out` (total, bad, samples): single
   * buckets up to an hour edge, the whole hours up to a day edge, the whole days, the whole hours
   * after them, then single buckets. With `slot` (one per window of the ring), the three runs of
   * whole blocks are kept for the next call.
   */
  sum(first: number, last: number, badOf: (t: number, n: number) => number, out: Float64Array, slot?: number): void {
    // Hours whose 12 buckets all lie in the range.
    const hHi = Math.floor((first + 1) / SMALL) - 1;
    const hLo = Math.ceil(last / SMALL);
    if (hHi < hLo) {
      this.ring.addBuckets(first, first - last + 1, out, 0, badOf);
      return;
    }
    if (slot === undefined) this.ring.addBuckets(first, first - (hHi * SMALL + SMALL - 1), out, 0, badOf);
    else this.addPart(slot, 0, hHi + 1, first - (hHi + 1) * SMALL, badOf, out);
    const per = LARGE / SMALL;
    const dHi = Math.floor((hHi + 1) / per) - 1;
    const dLo = Math.ceil(hLo / per);
    if (dHi < dLo) this.addRun(slot, 0, 0, hHi, hLo, badOf, out);
    else {
      this.addRun(slot, 0, 0, hHi, (dHi + 1) * per, badOf, out);
      this.addRun(slot, 1, 1, dHi, dLo, badOf, out);
      this.addRun(slot, 2, 0, dLo * per - 1, hLo, badOf, out);
    }
    const tail = hLo * SMALL - 1;
    if (slot === undefined) this.ring.addBuckets(tail, tail - last + 1, out, 0, badOf);
    else this.addPart(slot, 1, hLo - 1, last - (hLo - 1) * SMALL, badOf, out);
  }

  /**
   * Adds the part of hour `hour` a window's head (j = 0: its buckets up to position `pos`) or tail
   * (j = 1: from position `pos` on) covers, read from that window's table of the hour's prefix or
   * suffix sums. As the edge slides, the head and tail move one position through the same hour
   * for an hour, so the table is made once an hour; the eviction of the buckets behind the tail,
   * or the writing of those ahead of the head, leaves the entries read valid.
   */
  private addPart(slot: number, j: 0 | 1, hour: number, pos: number, badOf: (t: number, n: number) => number, out: Float64Array): void {
    if (pos < 0 || pos >= SMALL) return;
    const at = (slot * 2 + j) * PART_WIDTH;
    if (at + PART_WIDTH > this.parts.length) {
      const grown = new Float64Array(Math.max(at + PART_WIDTH, 2 * this.parts.length)).fill(-1);
      grown.set(this.parts);
      this.parts = grown;
    }
    const parts = this.parts;
    // Valid entries: prefixes 0..bound-1 (head), suffixes bound..SMALL-1 (tail).
    if (parts[at] !== hour || (j === 0 ? pos >= parts[at + 1]! : pos < parts[at + 1]!)) {
      const part = RUN.fill(0);
      const base = hour * SMALL;
      for (let q = 0; q < SMALL; q++) {
        const p = j === 0 ? q : SMALL - 1 - q;
        this.ring.addBucket(base + p, part, 0, badOf);
        const e = at + 2 + p * 3;
        parts[e] = part[0]!;
        parts[e + 1] = part[1]!;
        parts[e + 2] = part[2]!;
      }
      parts[at] = hour;
      parts[at + 1] = j === 0 ? SMALL : 0;
      if (base < this.partLo) this.partLo = base;
      if (base + SMALL - 1 > this.partHi) this.partHi = base + SMALL - 1;
    }
    const e = at + 2 + pos * 3;
    out[0]! += parts[e]!;
    out[1]! += parts[e + 1]!;
    out[2]! += parts[e + 2]!;
  }

  /** Adds blocks `hi` down to `lo` of one level (0: hours, 1: days), through the run cache when given a slot. */
  private addRun(slot: number | undefined, j: number, level: 0 | 1, hi: number, lo: number, badOf: (t: number, n: number) => number, out: Float64Array): void {
    if (hi < lo) return;
    if (slot === undefined) {
      for (let k = hi; k >= lo; k--) level === 0 ? this.addSmall(k, badOf, out) : this.addLarge(k, badOf, out);
      return;
    }
    const at = (slot * RUNS + j) * RUN_WIDTH;
    if (at + RUN_WIDTH > this.runs.length) {
      const grown = new Float64Array(Math.max(at + RUN_WIDTH, 2 * this.runs.length)).fill(-1);
      grown.set(this.runs);
      this.runs = grown;
    }
    const runs = this.runs;
    if (runs[at] !== hi || runs[at + 1] !== lo) {
      const part = RUN.fill(0);
      for (let k = hi; k >= lo; k--) level === 0 ? this.addSmall(k, badOf, part) : this.addLarge(k, badOf, part);
      runs[at] = hi;
      runs[at + 1] = lo;
      runs[at + 2] = part[0]!;
      runs[at + 3] = part[1]!;
      runs[at + 4] = part[2]!;
      const per = level === 0 ? SMALL : LARGE;
      if (lo * per < this.runLo) this.runLo = lo * per;
      if (hi * per + per - 1 > this.runHi) this.runHi = hi * per + per - 1;
    }
    out[0]! += runs[at + 2]!;
    out[1]! += runs[at + 3]!;
    out[2]! += runs[at + 4]!;
  }

  private addSmall(block: number, badOf: (t: number, n: number) => number, out: Float64Array): void {
    const { data, slots } = this.small;
    const at = (block % slots) * 4;
    if (data[at] !== block) {
      data[at + 1] = 0;
      data[at + 2] = 0;
      data[at + 3] = 0;
      this.ring.addBuckets(block * SMALL + SMALL - 1, SMALL, data, at + 1, badOf);
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
