import { Carry, Splitter, eventsIn } from './carry.js';
import type { FaultSet } from './faults.js';
import { HistogramSeries, type Latency } from './histogram.js';
import { podHourlyCost, type Cluster } from './inventory.js';
import { streamFor, type Random } from './random.js';
import type { Exporter, Sample } from './types.js';

/** OpenTelemetry's recommended bucket bounds for http.server.request.duration. */
export const OTEL_HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * Dollars one request costs on a healthy platform. Traffic is sized from each namespace's cost so
 * that this holds whatever the inventory: far enough under the cost SLO's $0.0002 to be healthy,
 * close enough that costPerRequestFactor 20 breaches it.
 */
export const NORMAL_COST_PER_REQUEST = 0.000015;

interface Route {
  namespace: string;
  service: string;
  method: string;
  route: string;
  /** Share of the namespace's requests. */
  weight: number;
  latency: Latency;
  /** A non-success code and its share (404 for lookups, 500 for writes). */
  failure: [code: string, share: number];
}

const ROUTES: Route[] = [
  { namespace: 'shop-web', service: 'frontend', method: 'GET', route: '/', weight: 0.5, latency: { median: 0.04, spread: 0.5 }, failure: ['500', 0.001] },
  { namespace: 'shop-web', service: 'frontend', method: 'GET', route: '/product/{id}', weight: 0.3, latency: { median: 0.06, spread: 0.5 }, failure: ['404', 0.02] },
  { namespace: 'shop-web', service: 'cart', method: 'POST', route: '/cart', weight: 0.12, latency: { median: 0.08, spread: 0.5 }, failure: ['500', 0.002] },
  { namespace: 'shop-web', service: 'checkout', method: 'POST', route: '/checkout', weight: 0.08, latency: { median: 0.3, spread: 0.6 }, failure: ['500', 0.003] },
  { namespace: 'shop-api', service: 'catalog-api', method: 'GET', route: '/api/products', weight: 0.5, latency: { median: 0.02, spread: 0.6 }, failure: ['404', 0.01] },
  { namespace: 'shop-api', service: 'search-api', method: 'GET', route: '/api/search', weight: 0.25, latency: { median: 0.12, spread: 0.7 }, failure: ['500', 0.001] },
  { namespace: 'shop-api', service: 'orders-api', method: 'POST', route: '/api/orders', weight: 0.15, latency: { median: 0.09, spread: 0.5 }, failure: ['500', 0.002] },
  { namespace: 'shop-api', service: 'payments-api', method: 'POST', route: '/api/payments', weight: 0.1, latency: { median: 0.25, spread: 0.5 }, failure: ['500', 0.002] },
];

class RouteSeries {
  readonly success: HistogramSeries;
  readonly failure: HistogramSeries;
  readonly volume = new Carry();
  readonly split = new Splitter(1);

  constructor(
    readonly route: Route,
    readonly perSecond: number,
    base: Record<string, string>,
  ) {
    const labels = (code: string) => ({
      ...base,
      namespace: route.namespace,
      service_name: route.service,
      http_request_method: route.method,
      http_route: route.route,
      http_response_status_code: code,
    });
    this.success = new HistogramSeries('http_server_request_duration_seconds', labels(route.method === 'POST' ? '201' : '200'), OTEL_HTTP_BUCKETS);
    this.failure = new HistogramSeries('http_server_request_duration_seconds', labels(route.failure[0]), OTEL_HTTP_BUCKETS);
  }

  step(rng: Random, seconds: number): void {
    const n = eventsIn(this.volume, rng, this.perSecond, seconds);
    const [failed, ok] = this.split.split(n, [this.route.failure[1]]);
    this.success.histogram.observeBatch(rng, ok!, this.route.latency);
    this.failure.histogram.observeBatch(rng, failed!, this.route.latency);
  }
}

/**
 * The shop's request durations as Prometheus stores OpenTelemetry's http.server.request.duration,
 * scraped from the collector (`job="otel-collector"`) with the namespace attribute promoted to a
 * `namespace` label: http_server_request_duration_seconds_{bucket,count,sum}.
 */
export function otelHttp(seed: number, cluster: Cluster): Exporter {
  const rng = streamFor(seed, `otel/${cluster.name}`);
  const base = { cluster: cluster.name, job: 'otel-collector', instance: `otel-collector.monitoring.svc:8889` };
  const routes = ROUTES.map((r) => new RouteSeries(r, namespaceRequestsPerSecond(cluster, r.namespace) * r.weight, base));
  return {
    step(seconds: number, _f: FaultSet) {
      for (const r of routes) r.step(rng, seconds);
    },
    collect(out: Sample[]) {
      for (const r of routes) {
        r.success.collect(out);
        r.failure.collect(out);
      }
    },
  };
}

/** Requests a second that make the namespace's normal cost per request NORMAL_COST_PER_REQUEST. */
export function namespaceRequestsPerSecond(cluster: Cluster, namespace: string): number {
  const dollarsPerHour = cluster.pods.filter((p) => p.namespace === namespace).reduce((s, p) => s + podHourlyCost(p), 0);
  return dollarsPerHour / 3600 / NORMAL_COST_PER_REQUEST;
}
