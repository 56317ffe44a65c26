/**
 * A deterministic Kubernetes platform simulator: the raw series that kube-apiserver, kubelets,
 * kube-scheduler, kube-state-metrics, OpenCost and OpenTelemetry-instrumented services export,
 * with fault knobs that move each catalog SLI by a known share. It imports nothing else from
 * src/, so it can feed a real Prometheus (backfill, /metrics) now and the engine later.
 */
export { createPlatform, DEFAULT_CLUSTERS, STEP_MS, type Platform, type PlatformOptions } from './platform.js';
export { checkFaults, HEALTHY, type Faults } from './faults.js';
export type { Sample } from './types.js';
export { OpenMetricsBuilder, toOpenMetrics, toPrometheusText, formatLabels, type Frame } from './openmetrics.js';
export { serveMetrics, type MetricsServer } from './metrics-server.js';
export { formatLe, Histogram } from './histogram.js';
export { mulberry32 } from './random.js';
