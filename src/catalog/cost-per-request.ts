import { MINUTE, formatDuration } from '../model/duration.js';
import { formatNumber } from '../model/numbers.js';
import { quoteLabelValue } from '../promql/quote.js';
import type { CatalogEntry } from './entry.js';

/**
 * Dollars per request for a namespace, held under a ceiling per time slice. Cost is OpenCost's
 * allocation (max of request and usage) priced per node; requests come from a counter such as
 * OpenTelemetry's http.server.request.duration. No traffic means no data, never infinite cost.
 */
export const costPerRequest: CatalogEntry = {
  name: 'cost-per-request',
  summary: 'OpenCost cost rate over request rate stays under a ceiling, per time slice',
  params: {
    maxCostPerRequest: '(required, dollars)',
    namespace: '(regex of namespaces; default all)',
    requestsMetric: 'http_server_request_duration_seconds_count',
    namespaceLabel: 'namespace (label of the request counter naming the namespace)',
    rateWindow: '5m',
    slice: '5m',
    includeStorage: 'false',
  },
  build(p) {
    const max = p.requiredNumber('maxCostPerRequest', 'set maxCostPerRequest to the dollars one request may cost, e.g. 0.0002');
    const nsRegex = p.regex('namespace', '.+');
    const requests = p.string('requestsMetric', 'http_server_request_duration_seconds_count');
    const nsLabel = p.string('namespaceLabel', 'namespace');
    const rateWindow = formatDuration(p.duration('rateWindow', 5 * MINUTE));
    const slice = p.duration('slice', 5 * MINUTE);
    const storage = p.boolean('includeStorage', false);
    p.finish(Object.keys(this.params));
    const ns = `namespace=~${quoteLabelValue(nsRegex)}`;
    const cpu = `sum by (namespace) (container_cpu_allocation{${ns}} * on (node) group_left () max by (node) (node_cpu_hourly_cost))`;
    const ram = `sum by (namespace) (container_memory_allocation_bytes{${ns}} / 1073741824 * on (node) group_left () max by (node) (node_ram_hourly_cost))`;
    const pv = `sum by (namespace) (pod_pvc_allocation{${ns}} / 1073741824 * on (persistentvolume) group_left () max by (persistentvolume) (pv_hourly_cost))`;
    const dollarsPerHour = storage ? `(${cpu} + ${ram} + (${pv} or 0 * ${cpu}))` : `(${cpu} + ${ram})`;
    const reqRate =
      nsLabel === 'namespace'
        ? `sum by (namespace) (rate(${requests}{namespace=~${quoteLabelValue(nsRegex)}}[${rateWindow}]))`
        : `sum by (namespace) (label_replace(rate(${requests}{${nsLabel}=~${quoteLabelValue(nsRegex)}}[${rateWindow}]), "namespace", "$1", ${quoteLabelValue(nsLabel)}, "(.*)"))`;
    return {
      description: `Share of ${formatDuration(slice)} slices in which each namespace's cost per request (OpenCost CPU and memory${storage ? ' and storage' : ''} cost over ${requests}) stayed at or under $${formatNumber(max)}.`,
      sli: {
        kind: 'timeslice',
        value: { promql: `${dollarsPerHour} / 3600 / (${reqRate} > 0)` },
        op: '<=',
        threshold: max,
        slice,
        groupBy: ['namespace'],
      },
    };
  },
};
