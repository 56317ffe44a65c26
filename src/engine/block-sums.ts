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
/** A window's middle while its runs add into it, and its tail while buckets do (runs use RUN and PART themselves). */
const MIDDLE = new Float64Array(3);
const TAIL = new Float64Array(3);
/** Numbers per cached run: first and last block, total, bad, samples. */
const RUN_WIDTH = 5;
/** Runs per window: the whole hours after its whole days, the whole days, the whole hours before them. */
const RUNS = 3;
/** The head table at the start of `pieces`: the hour, the bound of its valid prefixes, then total, bad, samples per position. */
const HEAD_WIDTH = 2 + 3 * SMALL;
/**
 * Numbers per window header in `pieces`: tail hour, head hour, bound of the valid tail entries
 * (what every read checks; the middle's total, bad and samples, needed only to make the table
 * again, sit after the tables, out of the way).
 */
const HDR_WIDTH = 3;

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
   * The cached pieces every window of the ring is summed from (see `window`), in one array so
   * that a window read after the edge moved touches a few neighbouring cache lines of one page:
   * the head table (prefix sums of the newest hour, shared by all windows), one header per
   * window, then per position of the tail hour and per window (window-minor, since all windows
   * of whole hours reach the same position at the same time) the window's tail from that
   * position plus its middle.
   */
  private pieces = new Float64Array(0);
  /** Windows `pieces` has room for. */
  private windows = 0;

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
    if (this.windows > 0) this.piecesChanged(b);
  }

  /**
   * Bucket `b` changed: the head prefixes from it on are stale, so are a window's tail entries up
   * to it (the suffixes that include it), and the whole table of a window whose middle holds it.
   */
  private piecesChanged(b: number): void {
    const hour = Math.floor(b / SMALL);
    const pos = b - hour * SMALL;
    const p = this.pieces;
    if (p[0] === hour && pos < p[1]!) p[1] = pos;
    for (let h = HEAD_WIDTH; h < HEAD_WIDTH + this.windows * HDR_WIDTH; h += HDR_WIDTH) {
      const tail = p[h]!;
      if (hour === tail) {
        if (pos + 1 > p[h + 2]!) p[h + 2] = pos + 1;
      } else if (hour > tail && hour < p[h + 1]!) p[h] = -1;
    }
  }

  /**
   * Adds buckets `last..first` (indices, newest first) into `out` (total, bad, samples): single
   * buckets up to an hour edge, the whole hours up to a day edge, the whole days, the whole hours
   * after them, then single buckets.
   */
  sum(first: number, last: number, badOf: (t: number, n: number) => number, out: Float64Array): void {
    // Hours whose 12 buckets all lie in the range.
    const hHi = Math.floor((first + 1) / SMALL) - 1;
    const hLo = Math.ceil(last / SMALL);
    if (hHi < hLo) {
      this.ring.addBuckets(first, first - last + 1, out, 0, badOf);
      return;
    }
    this.ring.addBuckets(first, first - (hHi * SMALL + SMALL - 1), out, 0, badOf);
    this.addHours(undefined, hHi, hLo, badOf, out);
    const tail = hLo * SMALL - 1;
    this.ring.addBuckets(tail, tail - last + 1, out, 0, badOf);
  }

  /** Adds whole hours `hHi` down to `hLo`: hours up to a day edge, the whole days, the hours after them (runs cached per `slot` when given). */
  private addHours(slot: number | undefined, hHi: number, hLo: number, badOf: (t: number, n: number) => number, out: Float64Array): void {
    if (hHi < hLo) return;
    const per = LARGE / SMALL;
    const dHi = Math.floor((hHi + 1) / per) - 1;
    const dLo = Math.ceil(hLo / per);
    if (dHi < dLo) this.addRun(slot, 0, 0, hHi, hLo, badOf, out);
    else {
      this.addRun(slot, 0, 0, hHi, (dHi + 1) * per, badOf, out);
      this.addRun(slot, 1, 1, dHi, dLo, badOf, out);
      this.addRun(slot, 2, 0, dLo * per - 1, hLo, badOf, out);
    }
  }

  /**
   * Adds buckets `last..first` of window `slot` (of `windows`, the ring's windows at one edge),
   * where `last` lies in an earlier hour than `first + 1`: the head, the prefix of `first`'s hour up to
   * it (one table for all windows, extended by the buckets written since, as the edge moves one
   * bucket a time), plus one entry of the window's own table: the suffix of `last`'s hour from it
   * on, plus the middle, the whole hours between (from the run cache). While the edge moves
   * through an hour, the tail moves through its hour too and the middle stays: a window costs two
   * reads. Entries are sums of bucket sums, made again when a bucket in them changes, never
   * patched by subtracting one.
   */
  window(slot: number, windows: number, first: number, last: number, badOf: (t: number, n: number) => number, out: Float64Array): void {
    if (windows !== this.windows) {
      this.windows = windows;
      this.pieces = new Float64Array(HEAD_WIDTH + windows * (HDR_WIDTH + 3 * SMALL + 3)).fill(-1);
    }
    const p = this.pieces;
    // When `first` ends its hour, that hour is whole and in the middle, and the head is the empty
    // start of the next: the tables made at that step stay valid through the next hour.
    const head = Math.floor((first + 1) / SMALL);
    const q = first - head * SMALL;
    if (q >= 0) {
      if (p[0] !== head) {
        p[0] = head;
        p[1] = 0;
      }
      // Prefixes bound..q from the one before: the same additions, in the same order, as from 0.
      for (let k = p[1]!; k <= q; k++) {
        const e = 2 + 3 * k;
        p[e] = k > 0 ? p[e - 3]! : 0;
        p[e + 1] = k > 0 ? p[e - 2]! : 0;
        p[e + 2] = k > 0 ? p[e - 1]! : 0;
        this.ring.addBucket(head * SMALL + k, p, e, badOf);
      }
      if (q + 1 > p[1]!) p[1] = q + 1;
      const hq = 2 + 3 * q;
      out[0]! += p[hq]!;
      out[1]! += p[hq + 1]!;
      out[2]! += p[hq + 2]!;
    }

    const tail = Math.floor(last / SMALL);
    const pos = last - tail * SMALL;
    const h = HEAD_WIDTH + slot * HDR_WIDTH;
    const table = HEAD_WIDTH + windows * HDR_WIDTH;
    const m = table + windows * 3 * SMALL + 3 * slot;
    if (p[h] !== tail || p[h + 1] !== head) {
      const middle = MIDDLE.fill(0);
      this.addHours(slot, head - 1, tail + 1, badOf, middle);
      p[h] = tail;
      p[h + 1] = head;
      p[h + 2] = SMALL;
      p[m] = middle[0]!;
      p[m + 1] = middle[1]!;
      p[m + 2] = middle[2]!;
    }
    // Valid entries: positions bound..SMALL-1.
    if (pos < p[h + 2]!) {
      const part = TAIL.fill(0);
      for (let k = SMALL - 1; k >= 0; k--) {
        this.ring.addBucket(tail * SMALL + k, part, 0, badOf);
        const e = table + 3 * (k * windows + slot);
        p[e] = part[0]! + p[m]!;
        p[e + 1] = part[1]! + p[m + 1]!;
        p[e + 2] = part[2]! + p[m + 2]!;
      }
      p[h + 2] = 0;
    }
    const e = table + 3 * (pos * windows + slot);
    out[0]! += p[e]!;
    out[1]! += p[e + 1]!;
    out[2]! += p[e + 2]!;
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
