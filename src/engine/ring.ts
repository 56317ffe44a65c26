/**
 * Time buckets of one SLO group at one resolution: bucket `end` holds what happened in
 * (end - res, end], the left-open, right-closed range Prometheus selects. A slot is reused when
 * the ring wraps, so memory is fixed by the longest window, not by traffic.
 */
export class BucketRing {
  readonly total: Float64Array;
  readonly num: Float64Array;
  /** Samples seen per bucket: a window with none has no data, which is not the same as zero events. */
  readonly samples: Float64Array;
  /** End time of the bucket a slot holds, or -1. */
  readonly ends: Float64Array;
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
  /**
   * Bounds on the ends the ring holds (the oldest only ever lowers, so it may trail the real
   * oldest after a wrap): a window pass visits only slots that can hold one of its buckets,
   * which makes a ring holding a few hours of a 30-day window cost a few hours of slots.
   */
  private minEnd = Infinity;
  private maxEnd = -Infinity;

  constructor(
    readonly resMs: number,
    readonly size: number,
  ) {
    this.total = new Float64Array(size);
    this.num = new Float64Array(size);
    this.samples = new Float64Array(size);
    this.ends = new Float64Array(size).fill(-1);
  }

  static endOf(ts: number, resMs: number): number {
    return Math.ceil(ts / resMs) * resMs;
  }

  private slot(end: number): number {
    return (end / this.resMs) % this.size;
  }

  /** Adds to the bucket ending at `end`, evicting whatever older bucket held the slot. */
  add(end: number, total: number, num: number, samples: number): void {
    this.touch(end);
    const i = this.slot(end);
    if (this.ends[i] !== end) {
      if (this.ends[i]! > end) return; // older than the ring covers
      this.held(end);
      this.ends[i] = end;
      this.total[i] = 0;
      this.num[i] = 0;
      this.samples[i] = 0;
    }
    this.total[i]! += total;
    this.num[i]! += num;
    this.samples[i]! += samples;
  }

  /** Replaces the bucket ending at `end`: values read back from a query API, not increments. */
  set(end: number, total: number, num: number, samples: number): void {
    this.touch(end);
    const i = this.slot(end);
    if (this.ends[i]! > end) return;
    this.held(end);
    this.ends[i] = end;
    this.total[i] = total;
    this.num[i] = num;
    this.samples[i] = samples;
  }

  /** Whether a bucket ending at `end` still fits, given the newest bucket the ring holds or `now`. */
  covers(end: number, newest: number): boolean {
    return end > newest - this.size * this.resMs;
  }

  get(end: number): { total: number; num: number; samples: number } | undefined {
    const i = this.slot(end);
    if (this.ends[i] !== end) return undefined;
    return { total: this.total[i]!, num: this.num[i]!, samples: this.samples[i]! };
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

  private touch(end: number): void {
    if (end <= this.cachedTo) {
      this.cacheSpan.length = 0;
      this.cacheTo.length = 0;
      this.cacheSum.length = 0;
      this.cachedTo = -Infinity;
    }
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
        this.touch(this.cachedTo);
        c = 0;
      }
      spans.push(span);
    }
    this.cacheTo[c] = to;
    this.cacheSum[c] = out;
    if (to > this.cachedTo) this.cachedTo = to;
    return out;
  }

  private sumUncached(to: number, span: number, badOf: (t: number, n: number) => number): WindowSum {
    const out = { total: 0, bad: 0, samples: 0 };
    const { first, last } = this.range(to, span);
    const { ends, total, num, samples, resMs } = this;
    for (let end = first; end >= last; end -= resMs) {
      const i = this.slot(end);
      if (ends[i] !== end) continue;
      out.total += total[i]!;
      out.bad += badOf(total[i]!, num[i]!);
      out.samples += samples[i]!;
    }
    return out;
  }

  /** Plain sums over buckets with end in (to - span, to], for windows whose clamp applies to the whole. */
  sumRaw(to: number, span: number): { total: number; num: number; samples: number } {
    const out = { total: 0, num: 0, samples: 0 };
    const { first, last } = this.range(to, span);
    const { ends, total, num, samples, resMs } = this;
    for (let end = first; end >= last; end -= resMs) {
      const i = this.slot(end);
      if (ends[i] !== end) continue;
      out.total += total[i]!;
      out.num += num[i]!;
      out.samples += samples[i]!;
    }
    return out;
  }

  /** Every bucket the ring holds, oldest first. */
  entries(): Array<{ end: number; total: number; num: number; samples: number }> {
    const out = [];
    for (let i = 0; i < this.size; i++) {
      if (this.ends[i]! >= 0) out.push({ end: this.ends[i]!, total: this.total[i]!, num: this.num[i]!, samples: this.samples[i]! });
    }
    return out.sort((a, b) => a.end - b.end);
  }
}

export interface WindowSum {
  total: number;
  bad: number;
  samples: number;
}
