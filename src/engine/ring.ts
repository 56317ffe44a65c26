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
   * Window sums already computed, by `to` and span. Only a write at or before the newest cached
   * `to` (late data) clears them: writes into the bucket being filled leave them valid, so an
   * evaluation costs a lookup per window, and a full pass only when the 5m edge moves.
   */
  private readonly cache = new Map<string, WindowSum>();
  private cachedTo = -Infinity;

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

  /** Calls `visit` with the slot of every bucket held with end in (to - span, to]. */
  private each(to: number, span: number, visit: (slot: number) => void): void {
    const n = Math.min(Math.round(span / this.resMs), this.size);
    for (let k = 0; k < n; k++) {
      const end = to - k * this.resMs;
      const i = this.slot(end);
      if (this.ends[i] === end) visit(i);
    }
  }

  private touch(end: number): void {
    if (end <= this.cachedTo) {
      this.cache.clear();
      this.cachedTo = -Infinity;
    }
  }

  /** Sums over buckets with end in (to - span, to], applying `badOf` per bucket. */
  sum(to: number, span: number, badOf: (t: number, n: number) => number): WindowSum {
    const key = `${to}/${span}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const out = this.sumUncached(to, span, badOf);
    if (this.cache.size > 64) this.cache.clear();
    this.cache.set(key, out);
    this.cachedTo = Math.max(this.cachedTo, to);
    return out;
  }

  private sumUncached(to: number, span: number, badOf: (t: number, n: number) => number): WindowSum {
    const out = { total: 0, bad: 0, samples: 0 };
    this.each(to, span, (i) => {
      out.total += this.total[i]!;
      out.bad += badOf(this.total[i]!, this.num[i]!);
      out.samples += this.samples[i]!;
    });
    return out;
  }

  /** Plain sums over buckets with end in (to - span, to], for windows whose clamp applies to the whole. */
  sumRaw(to: number, span: number): { total: number; num: number; samples: number } {
    const out = { total: 0, num: 0, samples: 0 };
    this.each(to, span, (i) => {
      out.total += this.total[i]!;
      out.num += this.num[i]!;
      out.samples += this.samples[i]!;
    });
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
