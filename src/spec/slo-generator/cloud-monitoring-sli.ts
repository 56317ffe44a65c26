import type { Selector, Sli } from '../../model/slo.js';
import { renderSelector } from '../../promql/selector.js';
import type { DocContext } from '../context.js';
import type { Path } from '../yaml-source.js';
import { exporterMetricName, FilterError, parseMonitoringFilter, type FilterParts } from './monitoring-filter.js';
import { goodBadRatio, sliText } from './prometheus-sli.js';

type Raw = Record<string, unknown>;

const FILTERS = ['filter_good', 'filter_bad', 'filter_valid'] as const;

/**
 * A Cloud Monitoring SLO read through stackdriver_exporter: each filter becomes the exporter's
 * metric (`stackdriver_<resource type>_<metric type>`) with its metric and resource labels. The
 * rules then run on whatever Prometheus scrapes the exporter; a warning says so.
 */
export function cloudMonitoringSli(ctx: DocContext, at: Path, method: string, sli: Raw, backendAt: Path): Sli | undefined {
  if (method !== 'good_bad_ratio') {
    ctx.error([...at.slice(0, -1), 'method'], `method ${method} on Cloud Monitoring cannot be read as Prometheus series` +
      (method === 'distribution_cut' ? ': threshold_bucket there is a bucket index, and the bucket bounds are not in the config' : ''),
      'write the SLO for backend prometheus (distribution_cut with the _bucket series and the bound in seconds), or use good_bad_ratio');
    return undefined;
  }
  const parts = new Map<string, FilterParts>();
  for (const f of FILTERS) {
    if (sli[f] === undefined) continue;
    const text = sliText(ctx, [...at, f], sli[f]);
    if (text === undefined) continue;
    try {
      parts.set(f, parseMonitoringFilter(text));
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      ctx.error([...at, f], `cannot read this Cloud Monitoring filter: ${e.message}`,
        'use metric.type="...", resource.type="...", project=..., metric.labels.x=... and (a = 1 OR a = 2) lists over one label');
    }
  }
  const selectors = new Map<string, Selector>();
  for (const [f, p] of parts) {
    // A filter without resource.type takes its sibling's, when the metric type is the same.
    const siblings = new Set([...parts.values()].filter((o) => o.metricType === p.metricType && o.resourceType).map((o) => o.resourceType!));
    const resourceType = p.resourceType ?? (siblings.size === 1 ? [...siblings][0] : undefined);
    if (!p.metricType || !resourceType) {
      ctx.error([...at, f], `the filter names no ${p.metricType ? 'resource.type' : 'metric.type'}, so the stackdriver_exporter metric name is unknown`,
        `add ${p.metricType ? 'resource.type="gae_app"' : 'metric.type="..."'} (the exporter names series stackdriver_<resource type>_<metric type>)`);
      continue;
    }
    selectors.set(f, { metric: exporterMetricName(resourceType, p.metricType), matchers: p.matchers });
  }
  const result = goodBadRatio(ctx, at, sli, (p) => selectors.get(String(p[p.length - 1])));
  if (result && result.kind === 'events') {
    const names = [...new Set([...selectors.values()].map((s) => s.metric))];
    ctx.warn(backendAt, `backend cloud_monitoring is read through stackdriver_exporter's Prometheus names: ${[...selectors.values()].map((s) => renderSelector(s)).join(', ')}`,
      `the rules need these series in Prometheus: run stackdriver_exporter for ${names.join(', ')} with --monitoring.aggregate-deltas so DELTA metrics are counters`);
  }
  return result;
}
