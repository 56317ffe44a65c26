import { leMatcher } from '../promql/selector.js';
import { formatNumber } from '../model/numbers.js';
import type { CatalogEntry } from './entry.js';
import { eq, nre, re, sel } from './selectors.js';

/** Buckets of apiserver_request_sli_duration_seconds (kubernetes/apiserver endpoints/metrics). */
export const APISERVER_SLI_BUCKETS = [0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

const READ_VERBS = 'LIST|GET';
const WRITE_VERBS = 'POST|PUT|PATCH|DELETE';
/** Long-running subresources are excluded from latency, as in the kubernetes-mixin. */
const STREAMING = 'proxy|attach|log|exec|portforward';

/**
 * Requests that failed (5xx) or were slower than their threshold, over LIST/GET/POST/PUT/PATCH/DELETE
 * requests: the kubernetes-mixin's apiserver SLO, with every threshold configurable.
 */
export const controlPlaneAvailability: CatalogEntry = {
  name: 'control-plane-availability',
  summary: 'kube-apiserver requests that neither failed (5xx) nor were slow, per verb and scope',
  params: {
    job: 'apiserver',
    latencyMetric: 'apiserver_request_sli_duration_seconds',
    writeThreshold: '1 (seconds)',
    readResourceThreshold: '1',
    readNamespaceThreshold: '5',
    readClusterThreshold: '30',
    groupBy: '[] (e.g. [cluster])',
  },
  build(p) {
    const job = eq('job', p.string('job', 'apiserver'));
    const latency = p.string('latencyMetric', 'apiserver_request_sli_duration_seconds');
    const write = p.bucketBound('writeThreshold', 1, APISERVER_SLI_BUCKETS);
    const readResource = p.bucketBound('readResourceThreshold', 1, APISERVER_SLI_BUCKETS);
    const readNamespace = p.bucketBound('readNamespaceThreshold', 5, APISERVER_SLI_BUCKETS);
    const readCluster = p.bucketBound('readClusterThreshold', 30, APISERVER_SLI_BUCKETS);
    const groupBy = p.stringList('groupBy', []);
    p.finish(Object.keys(this.params));
    const ns = nre('subresource', STREAMING);
    const reads = re('verb', READ_VERBS);
    const writes = re('verb', WRITE_VERBS);
    const count = `${latency}_count`;
    const bucket = `${latency}_bucket`;
    return {
      description:
        `Share of kube-apiserver requests (LIST, GET, POST, PUT, PATCH, DELETE) that neither returned 5xx nor were slow: ` +
        `writes over ${formatNumber(write)}s, reads of one resource over ${formatNumber(readResource)}s, ` +
        `namespace reads over ${formatNumber(readNamespace)}s, cluster reads over ${formatNumber(readCluster)}s.`,
      sli: {
        kind: 'events',
        total: { terms: [{ selector: sel('apiserver_request_total', job, re('verb', `${READ_VERBS}|${WRITE_VERBS}`)), sign: 1 }] },
        bad: {
          terms: [
            { selector: sel('apiserver_request_total', job, re('verb', `${READ_VERBS}|${WRITE_VERBS}`), re('code', '5..')), sign: 1 },
            { selector: sel(count, job, writes, ns), sign: 1 },
            { selector: sel(bucket, job, writes, ns, leMatcher(write)), sign: -1 },
            { selector: sel(count, job, reads, ns), sign: 1 },
            { selector: sel(bucket, job, reads, ns, re('scope', 'resource|'), leMatcher(readResource)), sign: -1 },
            { selector: sel(bucket, job, reads, ns, eq('scope', 'namespace'), leMatcher(readNamespace)), sign: -1 },
            { selector: sel(bucket, job, reads, ns, eq('scope', 'cluster'), leMatcher(readCluster)), sign: -1 },
          ],
        },
        groupBy,
      },
    };
  },
};
