import type { CatalogEntry } from './entry.js';
import { quoteLabelValue } from '../promql/quote.js';

/**
 * kube-state-metrics marks a rollout that missed its progress deadline with
 * Progressing=False (reason ProgressDeadlineExceeded). The SLI is the share of
 * deployment-minutes not stuck in such a failed rollout.
 */
export const deploymentSuccess: CatalogEntry = {
  name: 'deployment-success',
  summary: 'share of deployment-minutes not stuck in a failed rollout (kube-state-metrics)',
  params: { namespace: '(regex; default all)', resolution: '1m', groupBy: '[] (e.g. [namespace])' },
  build(p) {
    const ns = p.regex('namespace', '.+');
    const resolution = p.duration('resolution', 60_000);
    const groupBy = p.stringList('groupBy', []);
    p.finish(Object.keys(this.params));
    const failed = `kube_deployment_status_condition{condition="Progressing",status="false",namespace=~${quoteLabelValue(ns)}}`;
    return {
      description: 'Share of deployment-minutes in which the deployment was not stuck in a failed rollout (Progressing=False).',
      sli: {
        kind: 'boolGauge',
        // Per cluster too: a deployment stuck in one cluster must not count as stuck in all of them.
        gauge: { promql: `1 - max by (${['cluster', 'namespace', 'deployment', ...groupBy.filter((g) => !['cluster', 'namespace', 'deployment'].includes(g))].join(', ')}) (${failed})` },
        resolution,
        groupBy,
      },
    };
  },
};
