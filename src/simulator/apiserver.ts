import { Carry, Splitter, eventsIn } from './carry.js';
import { HistogramSeries, type Latency } from './histogram.js';
import { POD_STARTS_PER_SECOND, type Cluster } from './inventory.js';
import { streamFor, type Random } from './random.js';
import { evictionsPerSecondPerSource, type FaultSet } from './faults.js';
import type { Exporter, Sample } from './types.js';

/** Bounds of apiserver_request_sli_duration_seconds (kubernetes/apiserver pkg/endpoints/metrics). */
export const APISERVER_SLI_BUCKETS = [0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/** The kubernetes-mixin's latency thresholds: writes and single-resource reads 1 s, namespace reads 5 s, cluster reads 30 s. */
export const APISERVER_THRESHOLDS = { write: 1, resource: 1, namespace: 5, cluster: 30 } as const;

type Scope = 'resource' | 'namespace' | 'cluster';

interface Endpoint {
  verb: string;
  resource: string;
  group?: string;
  version: string;
  subresource?: string;
  scope: Scope;
  perSecond: number;
  latency: Latency;
  /** Non-5xx failures that are not SLO errors (404, 409, 429), as shares of requests. */
  otherCodes?: Array<[code: string, share: number]>;
}

const READ: Latency = { median: 0.015, spread: 0.8 };
const LIST_NS: Latency = { median: 0.06, spread: 0.9 };
const LIST_CLUSTER: Latency = { median: 0.3, spread: 0.9 };
const WRITE: Latency = { median: 0.025, spread: 0.8 };

/** A small cluster's steady traffic, about 50 requests a second. WATCH is long-running and outside the SLI. */
const ENDPOINTS: Endpoint[] = [
  { verb: 'GET', resource: 'leases', group: 'coordination.k8s.io', version: 'v1', scope: 'resource', perSecond: 12, latency: READ },
  { verb: 'PUT', resource: 'leases', group: 'coordination.k8s.io', version: 'v1', scope: 'resource', perSecond: 12, latency: WRITE, otherCodes: [['409', 0.002]] },
  { verb: 'GET', resource: 'pods', version: 'v1', scope: 'resource', perSecond: 6, latency: READ, otherCodes: [['404', 0.02]] },
  { verb: 'GET', resource: 'configmaps', version: 'v1', scope: 'resource', perSecond: 4, latency: READ, otherCodes: [['404', 0.01]] },
  { verb: 'GET', resource: 'secrets', version: 'v1', scope: 'resource', perSecond: 3, latency: READ },
  { verb: 'GET', resource: 'nodes', version: 'v1', scope: 'resource', perSecond: 2, latency: READ },
  { verb: 'LIST', resource: 'pods', version: 'v1', scope: 'namespace', perSecond: 2, latency: LIST_NS, otherCodes: [['429', 0.002]] },
  { verb: 'LIST', resource: 'pods', version: 'v1', scope: 'cluster', perSecond: 0.3, latency: LIST_CLUSTER, otherCodes: [['429', 0.005]] },
  { verb: 'LIST', resource: 'configmaps', version: 'v1', scope: 'namespace', perSecond: 1, latency: LIST_NS },
  { verb: 'LIST', resource: 'nodes', version: 'v1', scope: 'cluster', perSecond: 0.2, latency: LIST_CLUSTER },
  { verb: 'LIST', resource: 'deployments', group: 'apps', version: 'v1', scope: 'namespace', perSecond: 0.5, latency: LIST_NS },
  { verb: 'POST', resource: 'pods', version: 'v1', scope: 'resource', perSecond: POD_STARTS_PER_SECOND, latency: WRITE },
  { verb: 'POST', resource: 'events', version: 'v1', scope: 'resource', perSecond: 2, latency: WRITE },
  { verb: 'PATCH', resource: 'pods', version: 'v1', scope: 'resource', perSecond: 1, latency: WRITE, otherCodes: [['409', 0.005]] },
  { verb: 'PUT', resource: 'pods', version: 'v1', subresource: 'status', scope: 'resource', perSecond: 3, latency: WRITE, otherCodes: [['409', 0.005]] },
  { verb: 'PATCH', resource: 'nodes', version: 'v1', subresource: 'status', scope: 'resource', perSecond: 1, latency: WRITE },
  { verb: 'DELETE', resource: 'pods', version: 'v1', scope: 'resource', perSecond: POD_STARTS_PER_SECOND, latency: WRITE, otherCodes: [['404', 0.01]] },
  { verb: 'WATCH', resource: 'pods', version: 'v1', scope: 'namespace', perSecond: 0.1, latency: LIST_NS },
];

const SLI_VERBS = new Set(['LIST', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function thresholdOf(e: Pick<Endpoint, 'verb' | 'scope'>): number {
  return WRITE_VERBS.has(e.verb) ? APISERVER_THRESHOLDS.write : APISERVER_THRESHOLDS[e.scope];
}

/** Counters per code for one verb/resource/scope, plus its SLI latency histogram. */
class EndpointState {
  private readonly counts = new Map<string, number>();
  private readonly codeLabels = new Map<string, Readonly<Record<string, string>>>();
  private readonly volume = new Carry();
  private readonly codes: Splitter;
  readonly latency?: HistogramSeries;
  readonly successCode: string;

  constructor(
    readonly endpoint: Endpoint,
    private readonly labels: Record<string, string>,
  ) {
    this.successCode = endpoint.verb === 'POST' ? '201' : '200';
    this.codes = new Splitter(2 + (endpoint.otherCodes?.length ?? 0));
    // Long-running requests (WATCH) are not observed by the SLI histogram, as in the apiserver.
    if (SLI_VERBS.has(endpoint.verb)) this.latency = new HistogramSeries('apiserver_request_sli_duration_seconds', labels, APISERVER_SLI_BUCKETS);
  }

  /** `n` requests of which `errors` are 5xx and `slow` exceed the endpoint's threshold. */
  record(rng: Random, n: number, errors: number, slow: number, slowCarry: Carry): void {
    const other = this.endpoint.otherCodes ?? [];
    const split = this.codes.split(n, [errors * 0.7, errors * 0.3, ...other.map(([, s]) => s * (1 - errors))]);
    const names = ['500', '503', ...other.map(([c]) => c), this.successCode];
    split.forEach((c, i) => this.add(names[i]!, c));
    this.latency?.histogram.observeBatch(rng, n, this.endpoint.latency, { threshold: thresholdOf(this.endpoint), share: slow, carry: slowCarry });
  }

  step(rng: Random, seconds: number, f: FaultSet, slowCarry: Carry): void {
    this.record(rng, eventsIn(this.volume, rng, this.endpoint.perSecond, seconds), f.apiserverErrors, f.apiserverSlow, slowCarry);
  }

  /** Creates the code's series at 0 ahead of its first increment (see kubelet evictions for why). */
  ensure(code: string): void {
    this.add(code, 0, true);
  }

  private add(code: string, n: number, create = false): void {
    // A real client creates a code's series on its first increment: no 5xx series while healthy.
    if (n === 0 && !create && !this.counts.has(code)) return;
    this.counts.set(code, (this.counts.get(code) ?? 0) + n);
    if (!this.codeLabels.has(code)) this.codeLabels.set(code, { ...this.labels, code });
  }

  collect(out: Sample[]): void {
    for (const [code, value] of this.counts) out.push({ name: 'apiserver_request_total', labels: this.codeLabels.get(code)!, value });
    this.latency?.collect(out);
  }
}

/**
 * kube-apiserver of one cluster (`job="apiserver"`): apiserver_request_total by verb, resource,
 * scope and code, and apiserver_request_sli_duration_seconds. Eviction API calls (POST
 * pods/eviction, 201) carry half of the configured evictions; they are never failed, so the
 * eviction SLI sees exactly the configured rate.
 */
export function apiserver(seed: number, cluster: Cluster): Exporter {
  const rng = streamFor(seed, `apiserver/${cluster.name}`);
  const base = { cluster: cluster.name, job: 'apiserver', instance: `10.${cluster.octet}.0.2:6443`, component: 'apiserver' };
  const labelsOf = (e: Pick<Endpoint, 'verb' | 'resource' | 'group' | 'version' | 'subresource' | 'scope'>) => ({
    ...base,
    verb: e.verb,
    // Empty labels are absent labels in Prometheus: core resources have no group, most requests no subresource.
    ...(e.group ? { group: e.group } : {}),
    version: e.version,
    resource: e.resource,
    ...(e.subresource ? { subresource: e.subresource } : {}),
    scope: e.scope,
  });
  const endpoints = ENDPOINTS.map((e) => new EndpointState(e, labelsOf(e)));
  const eviction = new EndpointState(
    { verb: 'POST', resource: 'pods', version: 'v1', subresource: 'eviction', scope: 'resource', perSecond: 0, latency: WRITE },
    labelsOf({ verb: 'POST', resource: 'pods', version: 'v1', subresource: 'eviction', scope: 'resource' }),
  );
  const evictions = new Carry();
  // One carry for the cluster's slow requests, so their share is exact for the cluster (see SlowShare).
  const slow = new Carry();
  return {
    step(seconds, f) {
      for (const e of endpoints) e.step(rng, seconds, f, slow);
      const rate = evictionsPerSecondPerSource(cluster.pods.length, f);
      if (rate > 0) eviction.ensure(eviction.successCode);
      const n = evictions.take(rate * seconds);
      eviction.record(rng, n, 0, f.apiserverSlow, slow);
    },
    collect(out) {
      for (const e of endpoints) e.collect(out);
      eviction.collect(out);
    },
  };
}
