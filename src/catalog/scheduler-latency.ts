import { latencyEntry } from './latency-entry.js';

/** ExponentialBuckets(0.01, 2, 20): there is no 1 s bucket; 1.28 s is the nearest. */
export const SCHEDULER_BUCKETS = Array.from({ length: 20 }, (_, i) => Number((0.01 * 2 ** i).toPrecision(12)));

export const schedulerLatency = latencyEntry({
  name: 'scheduler-latency',
  summary: 'kube-scheduler end-to-end pod scheduling latency under a threshold',
  metric: 'scheduler_pod_scheduling_sli_duration_seconds',
  buckets: SCHEDULER_BUCKETS,
  defaultThreshold: 1.28,
  what: 'pods scheduled (from entering the queue, across attempts)',
});
