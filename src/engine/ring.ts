import { BlockSums, SMALL, type BucketSource } from './block-sums.js';

/**
 * Time buckets of one SLO group at one resolution: bucket `end` holds what happened in
 * (end - res, end], the left-open, right-closed range Prometheus selects. A slot is reused when
 * the ring wraps, so memory is fixed by the longest window, not by traffic.
 */
export class BucketRing implements BucketSource {
  /**
   * Four numbers per slot, side by side (WIDTH): the end time of the bucket it holds (or -1),
   * total, num, and the samples seen (a window with none has no data, which is not the same as
   * zero events). One array rather than four: reading a bucket touches one cache line, not four,
   * and a cold evaluation of 10,000 SLOs is mostly waiting for memory.
   */
  readonly data: Float64Array;
  /**
   * Window sums already computed, one per span, for the `to` they were computed at. Only a write
   * at or before the newest cached `to` (late data) clears them: writes into the bucket being
   * filled leave them valid, so an evaluation costs a lookup per window, and a pass over the
   * buckets only when the 5m edge moves.
   */
  private cacheSpan: number[] = [];
  private cacheTo: number[] = [];
  private cacheSum: WindowSum[] = [];
  private cachedTo = -Infinity;
  /** The oldest bucket end any cached window stops short of: evicting a bucket after it changes a cached sum. */
  private cachedFloor = Infinity;
  /** The last `sumsFlat` answer: windows of one SLO at one 5m edge, for these spans (a copy, and the array passed). */
  private multiTo = -Infinity;
  private multiSpans: number[] = [];
  private multiRef?: readonly number[];
  private multiSums = new Float64Array(0);
  /**
   * Bounds on the ends the ring holds (the oldest only ever lowers, so it may trail the real
   * oldest after a wrap): a window pass visits only slots that can hold one of its buckets,
   * which makes a ring holding a few hours of a 30-day window cost a few hours of slots.
   */
  private minEnd = Infinity;
  private maxEnd = -Infinity;
  /**
   * Hour and day sums for long windows, made on the first long sum (a ring that only ever serves
   * short windows never pays for them). They assume one `badOf` per ring, as the cache above does.
   */
  private blocks?: BlockSums;

  constructor(
    readonly resMs: number,
    readonly size: number,
  ) {
    this.data = new Float64Array(size * WIDTH);
    for (let i = 0; i < size; i++) this.data[i * WIDTH] = -1;
  }

  static endOf(ts: number, resMs: number): number {
    return Math.ceil(ts / resMs) * resMs;
  }

  /** Where the bucket ending at `end` lives in `data`. */
  private slot(end: number): number {
    return ((end / this.resMs) % this.size) * WIDTH;
  }

  /** Adds to the bucket ending at `end`, evicting whatever older bucket held the slot. */
  add(end: number, total: number, num: number, samples: number): void {
    this.touch(end);
    const i = this.slot(end);
    this.changed(i, end);
    const d = this.data;
    if (d[i] !== end) {
      if (d[i]! > end) return; // older than the ring covers
      this.held(end);
      d[i] = end;
      d[i + 1] = 0;
      d[i + 2] = 0;
      d[i + 3] = 0;
    }
    d[i + 1]! += total;
    d[i + 2]! += num;
    d[i + 3]! += samples;
  }

  /** Replaces the bucket ending at `end`: values read back from a query API, not increments. */
  set(end: number, total: number, num: number, samples: number): void {
    this.touch(end);
    const i = this.slot(end);
    const d = this.data;
    if (d[i]! > end) return;
    this.changed(i, end);
    this.held(end);
    d[i] = end;
    d[i + 1] = total;
    d[i + 2] = num;
    d[i + 3] = samples;
  }

  /** Whether a bucket ending at `end` still fits, given the newest bucket the ring holds or `now`. */
  covers(end: number, newest: number): boolean {
    return end > newest - this.size * this.resMs;
  }

  get(end: number): { total: number; num: number; samples: number } | undefined {
    const i = this.slot(end);
    const d = this.data;
    if (d[i] !== end) return undefined;
    return { total: d[i + 1]!, num: d[i + 2]!, samples: d[i + 3]! };
  }

  /**
   * Slot `i` is about to hold new sums for the bucket ending at `end`: block sums over that bucket,
   * and over the one the slot held (evicted when the ring wraps), are stale. A write older than
   * the ring covers changes nothing, and clears nothing either.
   */
  private changed(i: number, end: number): void {
    const old = this.data[i]!;
    if (old > end) return;
    // A write ahead of every cached window can still evict a bucket one of them counted.
    if (old !== end && old > this.cachedFloor && old <= this.cachedTo) this.clearCache();
    if (!this.blocks) return;
    if (old >= 0 && old !== end) this.blocks.changed(old / this.resMs);
    this.blocks.changed(end / this.resMs);
  }

  /**
   * For code that writes `data` other than through `add` and `set` (a bulk load): forgets
   * every sum computed from them.
   */
  invalidate(): void {
    this.clearCache();
    this.blocks = undefined;
  }

  /** Adds bucket index `b` (its end / resMs) into `into` at `at` (total, bad, samples) when the ring holds it. */
  addBucket(b: number, into: Float64Array, at: number, badOf: (t: number, n: number) => number): void {
    const end = b * this.resMs;
    const i = this.slot(end);
    const d = this.data;
    if (d[i] !== end) return;
    into[at]! += d[i + 1]!;
    into[at + 1]! += badOf(d[i + 1]!, d[i + 2]!);
    into[at + 2]! += d[i + 3]!;
  }

  addBuckets(top: number, count: number, into: Float64Array, at: number, badOf: (t: number, n: number) => number): void {
    if (count <= 0) return;
    const { data: d, resMs, size } = this;
    let i = (top % size) * WIDTH;
    let t = into[at]!;
    let bad = into[at + 1]!;
    let s = into[at + 2]!;
    for (let b = top; b > top - count; b--) {
      if (d[i] === b * resMs) {
        t += d[i + 1]!;
        bad += badOf(d[i + 1]!, d[i + 2]!);
        s += d[i + 3]!;
      }
      i -= WIDTH;
      if (i < 0) i = (size - 1) * WIDTH;
    }
    into[at] = t;
    into[at + 1] = bad;
    into[at + 2] = s;
  }

  private held(end: number): void {
    if (end < this.minEnd) this.minEnd = end;
    if (end > this.maxEnd) this.maxEnd = end;
  }

  /** The ends in (to - span, to] a held bucket can have, newest first: [newest, oldest], empty when first < last. */
  private range(to: number, span: number): { first: number; last: number } {
    const n = Math.min(Math.round(span / this.resMs), this.size);
    let first = to;
    let last = to - (n - 1) * this.resMs;
    // Whole steps of resMs from `to`, so the ends visited are exactly those a full pass visits.
    if (this.maxEnd < first) first = to - Math.ceil((to - this.maxEnd) / this.resMs) * this.resMs;
    if (this.minEnd > last) last = to - Math.floor((to - this.minEnd) / this.resMs) * this.resMs;
    return { first, last };
  }

  private cached(to: number, span: number): void {
    if (to > this.cachedTo) this.cachedTo = to;
    const floor = to - Math.min(Math.round(span / this.resMs), this.size) * this.resMs;
    if (floor < this.cachedFloor) this.cachedFloor = floor;
  }

  private touch(end: number): void {
    if (end <= this.cachedTo) this.clearCache();
  }

  private clearCache(): void {
    this.cacheSpan.length = 0;
    this.cacheTo.length = 0;
    this.cacheSum.length = 0;
    this.cachedTo = -Infinity;
    this.cachedFloor = Infinity;
    this.multiTo = -Infinity;
  }

  /** Sums over buckets with end in (to - span, to], applying `badOf` per bucket. */
  sum(to: number, span: number, badOf: (t: number, n: number) => number): WindowSum {
    const spans = this.cacheSpan;
    let c = 0;
    while (c < spans.length && spans[c] !== span) c++;
    if (c < spans.length && this.cacheTo[c] === to) return this.cacheSum[c]!;
    const out = this.sumUncached(to, span, badOf);
    if (c === spans.length) {
      if (c >= 64) {
        this.clearCache();
        c = 0;
      }
      spans.push(span);
    }
    this.cacheTo[c] = to;
    this.cacheSum[c] = out;
    this.cached(to, span);
    return out;
  }

  /**
   * Sums of several windows ending at `to` (one per span, in the order given), from the cached
   * pieces of `sumsFlat`. Kept for `to` and these spans until late data arrives, like `sum`.
   */
  sums(to: number, spans: readonly number[], badOf: (t: number, n: number) => number): readonly WindowSum[] {
    const flat = this.sumsFlat(to, spans, badOf);
    return spans.map((_, k) => ({ total: flat[3 * k]!, bad: flat[3 * k + 1]!, samples: flat[3 * k + 2]! }));
  }

  /**
   * The same as flat numbers (total, bad, samples per span), in an array the ring reuses: read it
   * before the ring's next call. A cold evaluation of 10,000 SLOs then allocates nothing per window.
   * A window that reaches back past the start of its newest hour (or ends an hour) is the shared
   * head of that hour plus a cached piece of its own (BlockSums.window), two reads once the edge
   * has moved; a shorter one is its few buckets. A caller must not change an array of spans it
   * has passed (evaluate.ts makes a new one when a calendar period's span changes).
   */
  sumsFlat(to: number, spans: readonly number[], badOf: (t: number, n: number) => number): Float64Array {
    // The same array means the same spans (see above): no element-wise comparison.
    const same = spans === this.multiRef || sameSpans(this.multiSpans, spans);
    if (this.multiTo === to && same) return this.multiSums;
    if (!same) {
      this.multiSpans = [...spans];
      if (this.multiSums.length !== 3 * spans.length) this.multiSums = new Float64Array(3 * spans.length);
    }
    this.multiRef = spans;
    const out = this.multiSums;
    const acc = SCRATCH;
    const res = this.resMs;
    for (let k = 0; k < spans.length; k++) {
      acc.fill(0);
      const { first, last } = this.range(to, spans[k]!);
      if (first >= last) {
        // Block numbers are bucket ends over resMs: whole, non-negative numbers only.
        if (last >= 0 && first % res === 0 && Math.floor((first / res + 1) / SMALL) > Math.floor(last / res / SMALL)) this.blockSums(badOf).window(k, spans.length, first / res, last / res, badOf, acc);
        else this.addRange(first, last, badOf, acc);
      }
      out[3 * k] = acc[0]!;
      out[3 * k + 1] = acc[1]!;
      out[3 * k + 2] = acc[2]!;
      this.cached(to, spans[k]!);
    }
    this.multiTo = to;
    return out;
  }

  /** The ring's block sums, made (every block summed in one pass) on first use. */
  private blockSums(badOf: (t: number, n: number) => number): BlockSums {
    if (!this.blocks) {
      this.blocks = new BlockSums(this, this.size);
      if (this.maxEnd >= 0) this.blocks.build(Math.max(this.minEnd, this.maxEnd - (this.size - 1) * this.resMs) / this.resMs, this.maxEnd / this.resMs, badOf);
    }
    return this.blocks;
  }

  private sumUncached(to: number, span: number, badOf: (t: number, n: number) => number): WindowSum {
    const { first, last } = this.range(to, span);
    const out = SCRATCH.fill(0);
    if (first >= last) this.addRange(first, last, badOf, out);
    return { total: out[0]!, bad: out[1]!, samples: out[2]! };
  }

  /** Adds the buckets with ends `first` down to `last` into `out` (total, bad, samples). */
  private addRange(first: number, last: number, badOf: (t: number, n: number) => number, out: Float64Array): void {
    // Block numbers are bucket ends over resMs: whole, non-negative numbers only.
    if (last >= 0 && first % this.resMs === 0 && first - last >= 2 * SMALL * this.resMs) {
      this.blockSums(badOf).sum(first / this.resMs, last / this.resMs, badOf, out);
      return;
    }
    const { data: d, resMs } = this;
    for (let end = first; end >= last; end -= resMs) {
      const i = this.slot(end);
      if (d[i] !== end) continue;
      out[0]! += d[i + 1]!;
      out[1]! += badOf(d[i + 1]!, d[i + 2]!);
      out[2]! += d[i + 3]!;
    }
  }

  /**
   * Plain sums over buckets with end in (to - span, to], for windows whose clamp applies to the
   * whole: total, num and samples into `out` (no object per call on the alert path).
   */
  sumRaw(to: number, span: number, out: Float64Array): Float64Array {
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    const { first, last } = this.range(to, span);
    const { data: d, resMs } = this;
    for (let end = first; end >= last; end -= resMs) {
      const i = this.slot(end);
      if (d[i] !== end) continue;
      out[0]! += d[i + 1]!;
      out[1]! += d[i + 2]!;
      out[2]! += d[i + 3]!;
    }
    return out;
  }

  /** Every bucket the ring holds, oldest first. */
  entries(): Array<{ end: number; total: number; num: number; samples: number }> {
    const out = [];
    const d = this.data;
    for (let i = 0; i < d.length; i += WIDTH) {
      if (d[i]! >= 0) out.push({ end: d[i]!, total: d[i + 1]!, num: d[i + 2]!, samples: d[i + 3]! });
    }
    return out.sort((a, b) => a.end - b.end);
  }
}

function sameSpans(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** Numbers per slot of a ring's `data`: end, total, num, samples. */
export const WIDTH = 4;

/** One window's sums while blocks add into it: sums are read out at once, so one array serves every ring. */
const SCRATCH = new Float64Array(3);

export interface WindowSum {
  total: number;
  bad: number;
  samples: number;
}
