import { Carry, Splitter, eventsIn } from './carry.js';
import type { FaultSet } from './faults.js';
import { HistogramSeries, type Latency } from './histogram.js';
import { POD_STARTS_PER_SECOND, type Cluster } from './inventory.js';
import { streamFor } from './random.js';
import type { Exporter, Sample } from './types.js';

/** ExponentialBuckets(0.01, 2, 20): 0.01 … 5242.88; doubling is exact in binary, so they print as Go prints them. */
export const SCHEDULER_BUCKETS = Array.from({ length: 20 }, (_, i) => 0.01 * 2 ** i);
export const SCHEDULER_THRESHOLD = 1.28;

/** Most pods fit on the first attempt; retries take longer (end-to-end, from entering the queue). */
const ATTEMPTS: Array<[attempts: string, share: number, latency: Latency]> = [
  ['1', 0.93, { median: 0.03, spread: 0.9 }],
  ['2', 0.06, { median: 0.25, spread: 0.6 }],
  ['3', 0.01, { median: 0.5, spread: 0.5 }],
];

/** kube-scheduler of one cluster (`job="kube-scheduler"`): scheduler_pod_scheduling_sli_duration_seconds{attempts}. */
export function scheduler(seed: number, cluster: Cluster): Exporter {
  const rng = streamFor(seed, `scheduler/${cluster.name}`);
  const labels = { cluster: cluster.name, job: 'kube-scheduler', instance: `10.${cluster.octet}.0.2:10259` };
  const histograms = ATTEMPTS.map(([attempts]) => new HistogramSeries('scheduler_pod_scheduling_sli_duration_seconds', { ...labels, attempts }, SCHEDULER_BUCKETS));
  const volume = new Carry();
  const slow = new Carry();
  const split = new Splitter(ATTEMPTS.length - 1);
  return {
    step(seconds: number, f: FaultSet) {
      const n = eventsIn(volume, rng, POD_STARTS_PER_SECOND, seconds);
      const byAttempts = split.split(n, ATTEMPTS.slice(0, -1).map(([, share]) => share));
      ATTEMPTS.forEach(([, , latency], i) => {
        histograms[i]!.histogram.observeBatch(rng, byAttempts[i]!, latency, { threshold: SCHEDULER_THRESHOLD, share: f.schedulerSlow, carry: slow });
      });
    },
    collect(out: Sample[]) {
      for (const h of histograms) h.collect(out);
    },
  };
}
