import { BadPayload } from '../errors.js';
import { setLabel } from '../label-set.js';
import type { DEFAULT_LIMITS } from '../sample.js';
import type { DecodedSeries } from '../series.js';
import { pointLabels, PointRejected, resourceIdentity, type Attribute, type ResourceIdentity } from './labels.js';
import { formatFloat, otlpMetricName, type OtlpMetricKind } from './names.js';

/** The `data` oneof of an OTLP `Metric`, under its JSON field names. */
export type OtlpDataType = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';

/** `AggregationTemporality`: 0 must not be sent, 1 is delta, 2 is cumulative. */
export const DELTA = 1;
export const CUMULATIVE = 2;

/** `DataPointFlags.FLAG_NO_RECORDED_VALUE`: the point marks a series as gone, it holds no value. */
export const NO_RECORDED_VALUE = 1;

/** What a decoder knows about a metric before it decodes any of its data points. */
export interface MetricHeader {
  name: string;
  unit: string;
  type: OtlpDataType;
  /** `Sum.is_monotonic`; false for every other type. */
  monotonic: boolean;
  /** `aggregation_temporality` of sums and histograms; 0 for gauges and summaries. */
  temporality: number;
  /** How many data points the metric holds, for the skipped and rejected counts. */
  points: number;
}

interface PointBase {
  attributes: Attribute[];
  /** `time_unix_nano` in milliseconds, 0 when it was not sent. */
  timeMs: number;
  flags: number;
}

export interface NumberPoint extends PointBase {
  value: number;
}

export interface HistogramPoint extends PointBase {
  count: number;
  sum: number | undefined;
  /** Per-bucket counts, not cumulative: bucket i holds (bounds[i-1], bounds[i]]. */
  bucketCounts: number[];
  bounds: number[];
}

export interface SummaryPoint extends PointBase {
  count: number;
  sum: number;
  /** [quantile, value] pairs. */
  quantiles: Array<[number, number]>;
}

type Limits = typeof DEFAULT_LIMITS;

/** Distinct rejection reasons kept for the partial-success message; more are only counted. */
const MAX_REASONS = 8;

/**
 * Collects the series of one request as both decoders hand it metrics and data points. It owns the
 * OTLP → Prometheus mapping: names, `keep()`, labels, histogram buckets, limits, and which data
 * points are refused (counted for the partial-success response) rather than failing the request.
 */
export class SeriesSink {
  private readonly series = new Map<string, DecodedSeries>();
  private readonly reasons = new Map<string, number>();
  private identity: ResourceIdentity = {};
  skipped = 0;
  samples = 0;
  rejected = 0;

  constructor(
    readonly limits: Limits,
    private readonly keep?: (metricName: string) => boolean,
  ) {}

  /** Starts the metrics of a new `ResourceMetrics`. */
  resource(attributes: Attribute[]): void {
    this.identity = resourceIdentity(attributes);
  }

  /**
   * Decides on a metric from its header alone. Returns undefined when its data points are not
   * wanted (skipped) or cannot be taken (rejected), so the decoder need not decode them.
   */
  metric(h: MetricHeader): MetricSink | undefined {
    const quoted = JSON.stringify(h.name.slice(0, 200));
    if (h.name === '') {
      this.reject(h.points, 'a metric has no name; give every instrument a name');
      return undefined;
    }
    const kind: OtlpMetricKind =
      h.type === 'gauge' ? 'gauge' : h.type === 'sum' ? (h.monotonic ? 'counter' : 'updowncounter') : h.type === 'summary' ? 'summary' : 'histogram';
    const base = otlpMetricName(h.name, h.unit, kind);
    if (base === '') {
      this.reject(h.points, `metric ${quoted} has no valid Prometheus name; use letters, digits, '_' or '.' in metric names`);
      return undefined;
    }
    const names = kind === 'histogram' ? [`${base}_bucket`, `${base}_count`, `${base}_sum`] : kind === 'summary' ? [base, `${base}_count`, `${base}_sum`] : [base];
    const wanted = names.map((n) => !this.keep || this.keep(n));
    if (!wanted.includes(true)) {
      this.skipped += h.points;
      return undefined;
    }
    if (h.type === 'exponentialHistogram') {
      this.reject(
        h.points,
        `metric ${quoted} is an exponential histogram, which this engine does not take: its bucket bounds move with its scale, so they give no stable le series; ` +
          'export it as an explicit-bucket histogram (OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION=explicit_bucket_histogram, or a View)',
      );
      return undefined;
    }
    let delta = false;
    if (h.type === 'sum' || h.type === 'histogram') {
      if (h.temporality === DELTA) delta = true;
      else if (h.temporality !== CUMULATIVE) {
        this.reject(h.points, `metric ${quoted} has aggregation_temporality ${h.temporality}; a ${h.type} must be DELTA (1) or CUMULATIVE (2)`);
        return undefined;
      }
    }
    return new MetricSink(this, h.name, names, wanted, delta);
  }

  /** Counts refused data points and remembers why, for the partial-success message. */
  reject(points: number, reason: string): void {
    if (points <= 0) return;
    this.rejected += points;
    if (this.reasons.has(reason) || this.reasons.size < MAX_REASONS) this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + points);
  }

  /** Identity labels of the current resource. */
  get resourceIdentity(): ResourceIdentity {
    return this.identity;
  }

  /** Appends one sample to the series with these labels, creating the series under the limits. */
  add(labels: Record<string, string>, value: number, timestampMs: number, delta: boolean): void {
    let key = delta ? 'Δ' : '';
    for (const name of Object.keys(labels).sort()) key += `\xff${name}\xfe${labels[name]}`;
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= this.limits.maxSeries) {
        throw new BadPayload(
          `OTLP: more than ${this.limits.maxSeries} series in one request (the engine's --max-series-per-request); send smaller batches (the collector's batch processor send_batch_max_size, or a shorter export interval)`,
          413,
        );
      }
      s = delta ? { labels, samples: [], delta: true } : { labels, samples: [] };
      this.series.set(key, s);
    }
    s.samples.push({ value, timestampMs });
    this.samples++;
  }

  result(): { series: DecodedSeries[]; skipped: number; samples: number; rejectedDataPoints: number; errorMessage?: string } {
    const out = { series: [...this.series.values()], skipped: this.skipped, samples: this.samples, rejectedDataPoints: this.rejected };
    if (!this.reasons.size) return out;
    const listed = [...this.reasons.values()].reduce((a, b) => a + b, 0);
    const parts = [...this.reasons].map(([reason, n]) => `${reason} (${n} data point${n === 1 ? '' : 's'})`);
    if (listed < this.rejected) parts.push(`${this.rejected - listed} more for other reasons`);
    return { ...out, errorMessage: `${this.rejected} data point${this.rejected === 1 ? '' : 's'} rejected: ${parts.join('; ')}` };
  }
}

/** Turns the data points of one wanted metric into samples. */
export class MetricSink {
  constructor(
    private readonly sink: SeriesSink,
    private readonly otlpName: string,
    /** Series names: [base] for numbers; [_bucket, _count, _sum] or [base, _count, _sum]. */
    private readonly names: string[],
    private readonly wanted: boolean[],
    private readonly delta: boolean,
  ) {}

  number(p: NumberPoint): void {
    this.guard(p, 1, (labels) => this.emit(0, labels, undefined, p.value, p.timeMs));
  }

  /** Explicit buckets → cumulative `le` buckets ending in `+Inf` = count, then `_count` and `_sum`. */
  histogram(p: HistogramPoint): void {
    this.guard(p, 2, (labels) => {
      const { bounds, bucketCounts } = p;
      for (let i = 0; i < bounds.length; i++) {
        const b = bounds[i]!;
        if (!Number.isFinite(b) || (i > 0 && !(b > bounds[i - 1]!))) throw new PointRejected(`explicit_bounds must be finite and strictly increasing, got [${bounds.slice(0, 20).join(', ')}]`);
      }
      if (bucketCounts.length && bucketCounts.length !== bounds.length + 1) {
        throw new PointRejected(`a histogram point has ${bucketCounts.length} bucket_counts for ${bounds.length} explicit_bounds; it needs one more count than bounds (the last bucket is +Inf)`);
      }
      if (this.wanted[0]) {
        let cumulative = 0;
        for (let i = 0; i < bounds.length && i < bucketCounts.length; i++) {
          cumulative += bucketCounts[i]!;
          this.emit(0, labels, ['le', formatFloat(bounds[i]!)], cumulative, p.timeMs);
        }
        this.emit(0, labels, ['le', '+Inf'], p.count, p.timeMs);
      }
      this.emit(1, labels, undefined, p.count, p.timeMs);
      if (p.sum !== undefined) this.emit(2, labels, undefined, p.sum, p.timeMs);
    });
  }

  /** One series per quantile (`quantile` label), then `_count` and `_sum`. */
  summary(p: SummaryPoint): void {
    this.guard(p, 2, (labels) => {
      for (const [q, v] of p.quantiles) this.emit(0, labels, ['quantile', formatFloat(q)], v, p.timeMs);
      this.emit(1, labels, undefined, p.count, p.timeMs);
      this.emit(2, labels, undefined, p.sum, p.timeMs);
    });
  }

  /**
   * Skips points without a recorded value, builds and checks the point's labels, and turns any
   * PointRejected into a counted rejection. `extraLabels` counts `__name__` and `le`/`quantile`.
   */
  private guard(p: PointBase, extraLabels: number, body: (labels: Record<string, string>) => void): void {
    if (p.flags & NO_RECORDED_VALUE) return;
    try {
      if (!(p.timeMs > 0)) throw new PointRejected('a data point has no time_unix_nano; set the time of every data point');
      const labels = pointLabels(p.attributes, this.sink.resourceIdentity);
      const { maxLabelsPerSeries, maxLabelLength } = this.sink.limits;
      const n = Object.keys(labels).length + extraLabels;
      if (n > maxLabelsPerSeries) throw new PointRejected(`a data point has ${n} labels, over the limit of ${maxLabelsPerSeries} (the engine's --max-labels-per-series); drop attributes with a View`);
      for (const [name, value] of Object.entries(labels)) {
        if (value.length > maxLabelLength || name.length > maxLabelLength) {
          throw new PointRejected(`attribute ${name.slice(0, 64)} is longer than ${maxLabelLength} characters (the engine's --max-label-length); shorten it or drop it with a View`);
        }
      }
      body(labels);
    } catch (e) {
      if (!(e instanceof PointRejected)) throw e;
      this.sink.reject(1, `metric ${JSON.stringify(this.otlpName.slice(0, 200))}: ${e.message}`);
    }
  }

  private emit(which: number, labels: Record<string, string>, extra: [string, string] | undefined, value: number, timeMs: number): void {
    if (!this.wanted[which]) return;
    // __name__ first for readability; it and le/quantile win over attributes of those names.
    const out: Record<string, string> = { __name__: '' };
    // setLabel, not Object.assign: an attribute named __proto__ is a label, not a prototype.
    for (const name in labels) setLabel(out, name, labels[name]!);
    out.__name__ = this.names[which]!;
    if (extra) out[extra[0]] = extra[1];
    this.sink.add(out, value, timeMs, this.delta);
  }
}
