/**
 * A deterministic Kubernetes platform simulator: the raw series that kube-apiserver, kubelets,
 * kube-scheduler, kube-state-metrics, OpenCost and OpenTelemetry-instrumented services export,
 * with fault knobs that move each catalog SLI by a known share, and an incident schedule that turns
 * them now and then. Of the rest of src/ it imports only the encoders in src/wire/, so it can feed
 * a real Prometheus (backfill, /metrics) and the engine (remote-write) alike.
 */
export { createPlatform, DEFAULT_CLUSTERS, STEP_MS, type Platform, type PlatformOptions } from './platform.js';
export { checkFaults, HEALTHY, type Faults } from './faults.js';
export type { Sample } from './types.js';
export { OpenMetricsBuilder, toOpenMetrics, toPrometheusText, formatLabels, type Frame } from './openmetrics.js';
export { serveMetrics, type MetricsServer, type ServeMetricsOptions } from './metrics-server.js';
export { startRemoteWriter, type RemoteWriter, type RemoteWriterOptions, type RemoteWriterStats } from './remote-writer.js';
export {
  driveIncidents,
  incidentSchedule,
  INCIDENT_FAULTS,
  type Incident,
  type IncidentDriverOptions,
  type IncidentFault,
  type IncidentOptions,
  type IncidentSchedule,
} from './incidents.js';
export { formatLe, Histogram } from './histogram.js';
export { mulberry32 } from './random.js';
