import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Counter, Histogram } from '@opentelemetry/api';

export interface HealthSources {
  queuedSamples: () => number;
  slos: () => number;
  matchedSeries: () => number;
  notifier: () => { pending: number; dropped: number; failed: number; sent: number } | undefined;
  /** Samples each SLO dropped for the cardinality guard, by SLO id. */
  seriesLimitDrops?: () => ReadonlyMap<string, number>;
}

/**
 * The engine's own health, measured with the OpenTelemetry SDK and rendered by its Prometheus
 * serializer, appended to /metrics after the SLO series.
 */
export class HealthMetrics {
  private readonly reader = new PrometheusExporter({ preventServerStart: true });
  private readonly provider: MeterProvider;
  private readonly serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  readonly samples: Counter;
  readonly requests: Counter;
  readonly skippedSeries: Counter;
  readonly evaluation: Histogram;
  readonly storeCommit: Histogram;

  constructor(version: string, sources: HealthSources) {
    this.provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'slo-engine', 'service.version': version }), readers: [this.reader] });
    const meter = this.provider.getMeter('slo-engine', version);
    this.samples = meter.createCounter('slo_engine_ingested_samples', { description: 'Samples of series some SLI selects, by outcome (accepted, duplicate, out_of_bounds) and protocol' });
    this.skippedSeries = meter.createCounter('slo_engine_skipped_series', { description: 'Series no SLI selects, dropped at their metric name' });
    this.requests = meter.createCounter('slo_engine_ingest_requests', { description: 'Ingest requests by protocol and HTTP status code' });
    this.evaluation = meter.createHistogram('slo_engine_evaluation_duration', { unit: 's', description: 'Time to compute every window, burn rate and alert state of all SLOs' });
    this.storeCommit = meter.createHistogram('slo_engine_store_commit_duration', { unit: 's', description: 'Time to make one group of writes durable in the store' });
    meter.createObservableGauge('slo_engine_queued_samples', { description: 'Samples waiting for the store' }).addCallback((r) => r.observe(sources.queuedSamples()));
    meter.createObservableGauge('slo_engine_slos', { description: 'SLOs loaded' }).addCallback((r) => r.observe(sources.slos()));
    meter.createObservableGauge('slo_engine_matched_series', { description: 'Series some SLI selects, with their last sample kept' }).addCallback((r) => r.observe(sources.matchedSeries()));
    meter.createObservableCounter('slo_engine_series_limit_dropped_samples', { description: 'Samples of new series an SLO dropped because it already reads --max-series-per-slo active series, by SLO id' }).addCallback((r) => {
      for (const [slo, n] of sources.seriesLimitDrops?.() ?? []) r.observe(n, { slo });
    });
    meter.createObservableGauge('slo_engine_alertmanager_queue', { description: 'Alert notifications waiting for an Alertmanager' }).addCallback((r) => {
      const n = sources.notifier();
      if (n) r.observe(n.pending);
    });
    meter.createObservableCounter('slo_engine_alertmanager_notifications', { description: 'Alert notifications by outcome' }).addCallback((r) => {
      const n = sources.notifier();
      if (!n) return;
      r.observe(n.sent, { outcome: 'sent' });
      r.observe(n.failed, { outcome: 'failed' });
      r.observe(n.dropped, { outcome: 'dropped' });
    });
  }

  async text(): Promise<string> {
    const { resourceMetrics } = await this.reader.collect();
    return this.serializer.serialize(resourceMetrics);
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
