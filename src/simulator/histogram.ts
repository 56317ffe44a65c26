import { Carry } from './carry.js';
import { exponential, normal, type Random } from './random.js';
import type { Sample } from './types.js';

/** A log-normal latency: half of the draws fall under `median`; `spread` is sigma of the log. */
export interface Latency {
  median: number;
  spread: number;
}

/** Observations over `threshold`, as a share of all observations. */
export interface SlowShare {
  threshold: number;
  share: number;
  /**
   * Whose remainder the share carries over. Histograms that one SLI adds up (every node of a
   * cluster, every verb) should share one, so that the share is exact for their sum: with a carry
   * each, a node seeing a few startups an hour would round its slow ones up or down on its own.
   */
  carry?: Carry;
}

/**
 * Prometheus 2 writes bucket bounds with Go's shortest float format: `1`, `0.05`, `1.28`, `+Inf`.
 * (Prometheus 3 would store `1.0`; the generated rules match both.) JS prints the same digits for
 * every bound the real histograms use.
 */
export function formatLe(bound: number): string {
  return bound === Infinity ? '+Inf' : String(bound);
}

/** A classic cumulative histogram as a Prometheus client keeps it: counts per bucket, count, sum. */
export class Histogram {
  private readonly perBucket: number[];
  private observations = 0;
  private total = 0;
  private readonly slowCarry = new Carry();

  constructor(readonly bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i]! > bounds[i - 1]!)) throw new Error(`histogram bounds must increase strictly, got ${bounds.join(', ')}`);
    }
    this.perBucket = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(seconds: number): void {
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]!) i++;
    this.perBucket[i]!++;
    this.observations++;
    this.total += seconds;
  }

  /**
   * Observes `n` latencies. With `slow`, exactly that share of them (carried over between calls)
   * lands above the threshold and the rest at or under it, so an SLI reading the threshold's
   * bucket sees the share as configured.
   */
  observeBatch(rng: Random, n: number, latency: Latency, slow?: SlowShare): void {
    const slowCount = slow ? Math.min(n, (slow.carry ?? this.slowCarry).take(n * slow.share)) : 0;
    for (let i = 0; i < n - slowCount; i++) {
      let v = latency.median * Math.exp(latency.spread * normal(rng));
      // A fast draw past the threshold is folded back under it, keeping the slow share exact.
      if (slow && v > slow.threshold) v = slow.threshold * (0.5 + 0.45 * rng());
      this.observe(v);
    }
    for (let i = 0; i < slowCount; i++) this.observe(slow!.threshold * (1.05 + exponential(rng)));
  }

  get count(): number {
    return this.observations;
  }

  get sum(): number {
    return this.total;
  }

  /** Cumulative counts per upper bound, ending with `+Inf` (equal to the count). */
  buckets(): Array<{ le: string; value: number }> {
    let cumulative = 0;
    return [...this.bounds, Infinity].map((bound, i) => {
      cumulative += this.perBucket[i]!;
      return { le: formatLe(bound), value: cumulative };
    });
  }
}

/** A histogram with its metric name and labels, reporting `_bucket{le}`, `_count` and `_sum` samples. */
export class HistogramSeries {
  readonly histogram: Histogram;
  private readonly bucketLabels: Array<Readonly<Record<string, string>>>;

  constructor(
    readonly name: string,
    readonly labels: Readonly<Record<string, string>>,
    bounds: readonly number[],
  ) {
    this.histogram = new Histogram(bounds);
    // Label objects are made once: a 3-hour history reports every series hundreds of times.
    this.bucketLabels = [...bounds, Infinity].map((b) => ({ ...labels, le: formatLe(b) }));
  }

  collect(out: Sample[]): void {
    // A client creates a histogram's series on its first observation.
    if (this.histogram.count === 0) return;
    const buckets = this.histogram.buckets();
    buckets.forEach((b, i) => out.push({ name: `${this.name}_bucket`, labels: this.bucketLabels[i]!, value: b.value }));
    out.push({ name: `${this.name}_count`, labels: this.labels, value: this.histogram.count });
    out.push({ name: `${this.name}_sum`, labels: this.labels, value: this.histogram.sum });
  }
}
