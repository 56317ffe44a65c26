import { latencyEntry } from './latency-entry.js';

/** kubelet podStartupDurationBuckets: 5 s, the SIG-Scalability threshold, is a bound. */
export const POD_STARTUP_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];

export const podStartupLatency = latencyEntry({
  name: 'pod-startup-latency',
  summary: 'kubelet pod startup (SIG-Scalability SLI, image pulls excluded) under a threshold',
  metric: 'kubelet_pod_start_sli_duration_seconds',
  buckets: POD_STARTUP_BUCKETS,
  defaultThreshold: 5,
  what: 'pod startups (creation to all containers started, image pulls excluded)',
});
