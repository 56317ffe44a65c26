/**
 * A small, deterministic history of the series test/fixtures/engine/query-mode.yaml reads, in
 * the three shapes the backends take: OpenMetrics for `promtool tsdb create-blocks-from`, the
 * Prometheus text format with millisecond timestamps for VictoriaMetrics' import API, and a
 * snappy-compressed remote-write 1.0 request for the engine.
 *
 * Every series has a sample at every step (15s), all at the same timestamps, from a whole minute
 * on. Counters start high, as those of a process that ran before the history began do:
 * VictoriaMetrics counts a series' first sample from zero when it is small next to the series'
 * increments, where Prometheus and the engine take it as the baseline. Cluster b's process
 * restarts a little after half-way: every counter of it resets to zero. Two clusters:
 *   - qm_requests_total{cluster, code=200|404|500} (5xx are errors): a low base error rate, an
 *     incident in cluster a (~15% errors for 20 minutes), a slow burn in b (~3% for 40 minutes);
 *   - qm_request_duration_seconds_bucket/_count{cluster, handler="api", le}: a slow spell in
 *     cluster b;
 *   - qm_queue_depth{cluster}: a bounded random walk around the SLO threshold of 10.
 */
import { formatLabels, mulberry32, OpenMetricsBuilder, type Sample } from '../../src/simulator/index.js';
import type { Random } from '../../src/simulator/random.js';
import { encodeWriteRequestV1, type SeriesToWrite } from '../../src/wire/remote-write-v1.js';
import { snappyCompress } from '../../src/wire/snappy-compress.js';

export interface SyntheticSeries {
  name: string;
  labels: Record<string, string>;
  /** Sample values, one per step from startMs. */
  values: number[];
}

export interface SyntheticHistory {
  startMs: number;
  endMs: number;
  stepMs: number;
  /** Sample timestamps, the same for every series. */
  times: number[];
  series: SyntheticSeries[];
}

const CLUSTERS = ['a', 'b'] as const;
const LE = ['0.1', '0.25', '0.5', '1', '+Inf'] as const;
const MINUTE = 60_000;

export function syntheticHistory(opts: { startMs: number; endMs: number; stepMs?: number; seed?: number }): SyntheticHistory {
  const stepMs = opts.stepMs ?? 15_000;
  if (opts.startMs % MINUTE !== 0 || opts.endMs % MINUTE !== 0 || MINUTE % stepMs !== 0) {
    throw new Error('synthetic history: start and end must be whole minutes and the step must divide a minute');
  }
  const rng = mulberry32(opts.seed ?? 7);
  const steps = (opts.endMs - opts.startMs) / stepMs;
  const times = Array.from({ length: steps + 1 }, (_, i) => opts.startMs + i * stepMs);
  const resetStep = Math.round(steps * 0.55);
  const at = (i: number) => (times[i]! - opts.startMs) / MINUTE; // minutes into the history
  const series: SyntheticSeries[] = [];
  const counter = (name: string, labels: Record<string, string>, base: number): SyntheticSeries => {
    const s = { name, labels, values: [base] };
    series.push(s);
    return s;
  };
  for (const [c, cluster] of CLUSTERS.entries()) {
    const base = 1_000_000 * (c + 1);
    const ok = counter('qm_requests_total', { cluster, code: '200' }, base + 123_457);
    const notFound = counter('qm_requests_total', { cluster, code: '404' }, base + 4_321);
    const errors = counter('qm_requests_total', { cluster, code: '500' }, base + 987);
    const buckets = LE.map((le, k) => counter('qm_request_duration_seconds_bucket', { cluster, handler: 'api', le }, base + 50_000 + k * 1_000));
    const count = counter('qm_request_duration_seconds_count', { cluster, handler: 'api' }, base + 50_000 + (LE.length - 1) * 1_000);
    const queue = { name: 'qm_queue_depth', labels: { cluster }, values: [8 + c] };
    series.push(queue);
    for (let i = 1; i <= steps; i++) {
      const m = at(i);
      const reset = cluster === 'b' && i === resetStep;
      const requests = draw(rng, cluster === 'a' ? 90 : 40, cluster === 'a' ? 40 : 20);
      const errorShare = cluster === 'a' && m >= 50 && m < 70 ? 0.15 : cluster === 'b' && m >= 110 && m < 150 ? 0.03 : 0.004;
      const bad = binomial(rng, requests, errorShare);
      const missing = binomial(rng, requests - bad, 0.02);
      step(ok, requests - bad - missing, reset);
      step(notFound, missing, reset);
      step(errors, bad, reset);
      // Latency: the share at or under each bound, slower in cluster b between 30 and 80 minutes.
      const slow = cluster === 'b' && m >= 30 && m < 80;
      const shares = slow ? [0.3, 0.6, 0.85, 0.95, 1] : [0.6, 0.9, 0.985, 0.997, 1];
      const observed = draw(rng, requests, 5);
      const counts = shares.map((share) => binomial(rng, observed, share));
      // Cumulative buckets never decrease with le, and +Inf holds every observation.
      counts[counts.length - 1] = observed;
      for (let k = 1; k < counts.length; k++) counts[k] = Math.max(counts[k]!, counts[k - 1]!);
      buckets.forEach((b, k) => step(b, counts[k]!, reset));
      step(count, observed, reset);
      const prev = queue.values[i - 1]!;
      queue.values.push(Math.min(20, Math.max(0, prev + Math.round((rng() - 0.5) * 4))));
    }
  }
  return { startMs: opts.startMs, endMs: opts.endMs, stepMs, times, series };
}

function step(s: SyntheticSeries, increase: number, reset: boolean): void {
  const last = s.values[s.values.length - 1]!;
  // A restarted process counts from zero: the sample after the restart holds only the new events.
  s.values.push(reset ? increase : last + increase);
}

/** A non-negative integer around `mean` (uniform within ±spread). */
function draw(rng: Random, mean: number, spread: number): number {
  return Math.max(0, Math.round(mean + (rng() * 2 - 1) * spread));
}

function binomial(rng: Random, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rng() < p) k++;
  return k;
}

/** OpenMetrics for promtool (write it with `.writeFile`): every step one frame. */
export function toOpenMetrics(h: SyntheticHistory): OpenMetricsBuilder {
  const builder = new OpenMetricsBuilder();
  h.times.forEach((timeMs, i) => {
    const samples: Sample[] = h.series.map((s) => ({ name: s.name, labels: s.labels, value: s.values[i]! }));
    builder.add({ timeMs, samples });
  });
  return builder;
}

/** The Prometheus text format with millisecond timestamps, as /api/v1/import/prometheus takes it. */
export function toImportText(h: SyntheticHistory): string {
  const lines: string[] = [];
  for (const s of h.series) {
    const labels = formatLabels(s.labels);
    s.values.forEach((v, i) => lines.push(`${s.name}${labels} ${v} ${h.times[i]}`));
  }
  return lines.join('\n') + '\n';
}

/** One remote-write 1.0 request holding the whole history, snappy-compressed. */
export function toRemoteWrite(h: SyntheticHistory): Uint8Array<ArrayBuffer> {
  const series: SeriesToWrite[] = h.series.map((s) => ({
    labels: { __name__: s.name, ...s.labels },
    samples: s.values.map((value, i) => ({ value, timestampMs: h.times[i]! })),
  }));
  return snappyCompress(encodeWriteRequestV1(series));
}

export function sampleCount(h: SyntheticHistory): number {
  return h.series.length * h.times.length;
}
