import { HOUR, MINUTE, formatDuration } from '../model/duration.js';
import { formatNumber } from '../model/numbers.js';
import type { CatalogEntry } from './entry.js';

/**
 * Evictions per 1000 pods over a trailing period, held under a ceiling once per time slice.
 * `kubelet_evictions` counts node-pressure evictions (no pod labels); the eviction API counts
 * drains and autoscaler evictions. The pod population is `kube_pod_info`, one series per pod.
 */
export const podEvictionRate: CatalogEntry = {
  name: 'pod-eviction-rate',
  summary: 'evictions per 1000 pods over a trailing period stay under a ceiling, per time slice',
  params: {
    maxPer1000Pods: '1',
    per: '1h (trailing period the evictions are counted over)',
    sources: '[kubelet] (kubelet, api)',
    slice: '5m',
    groupBy: '[] (e.g. [cluster])',
  },
  build(p) {
    const max = p.number('maxPer1000Pods', 1);
    const per = p.duration('per', HOUR);
    const sources = p.choiceList('sources', ['kubelet'], ['kubelet', 'api']);
    const slice = p.duration('slice', 5 * MINUTE);
    const groupBy = p.stringList('groupBy', []);
    p.finish(Object.keys(this.params));
    const by = `sum by (${groupBy.join(', ')})`;
    const pods = `count by (${groupBy.join(', ')}) (kube_pod_info)`;
    const range = formatDuration(per);
    const counters = sources.map((s) =>
      s === 'kubelet'
        ? `increase(kubelet_evictions[${range}])`
        : `increase(apiserver_request_total{resource="pods",subresource="eviction",verb="POST",code=~"2.."}[${range}])`,
    );
    // A missing counter means no evictions yet, not no data: fill it with zeros shaped like the pods.
    const evictions = counters.map((c) => `(${by} (${c}) or 0 * ${pods})`).join(' + ');
    return {
      description: `Share of ${formatDuration(slice)} slices in which evictions (${sources.join(' and ')}) over the last ${range} stayed at or under ${formatNumber(max)} per 1000 pods.`,
      sli: {
        kind: 'timeslice',
        value: { promql: `1000 * (${evictions}) / ${pods}` },
        op: '<=',
        threshold: max,
        slice,
        groupBy,
      },
    };
  },
};
