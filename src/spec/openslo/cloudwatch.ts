import type { Matcher, Selector } from '../../model/slo.js';
import { renderSelector } from '../../promql/selector.js';
import { show } from '../errors.js';
import { error, field, warn, type Loc, type Raw } from './objects.js';

/**
 * YACE (prometheus-community/yet-another-cloudwatch-exporter) spelling of a CloudWatch name part:
 * separators become "_", "%" becomes "_percent", camelCase becomes snake_case, all lower case.
 */
export function yaceString(text: string): string {
  let out = '';
  let prev = '';
  for (const c of text) {
    if (' ,\t/\\.-:=@<>()“'.includes(c)) out += '_';
    else if (c === '%') out += '_percent';
    else {
      if (/\p{Lu}/u.test(c) && /[\p{Ll}\p{Nd}]/u.test(prev)) out += '_';
      out += c.toLowerCase();
    }
    prev = c;
  }
  return out;
}

/** The metric name YACE exports for a CloudWatch namespace, metric and statistic (aws_<namespace>_<metric>_<stat>). */
export function yaceMetricName(namespace: string, metricName: string, statistic: string): string {
  const ns = yaceString(namespace.replace(/^\//, '').toLowerCase());
  let metric = yaceString(metricName);
  // YACE drops a metric-name prefix that repeats the namespace (Glue's glue_* metrics).
  let skip = 0;
  for (const part of ns.split('_')) if (metric.slice(skip).startsWith(part)) skip = part.length;
  metric = metric.slice(skip).replace(/^_/, '');
  return `${ns.startsWith('aws') ? '' : 'aws_'}${ns}_${metric}_${yaceString(statistic)}`;
}

/** YACE's label for a dimension, without its snake-case option: dimension_<Name>. */
function dimensionLabel(name: string): string {
  return `dimension_${name.replace(/[ ,\t/\\.\-:=@<>()]/g, '_')}`;
}

/** A CloudWatch metric source read as the series YACE exports for it; refused for SQL and metric-math queries. */
export function cloudWatchSelector(loc: Loc, spec: Raw): Selector | undefined {
  for (const k of ['sql', 'json', 'metricDataQueries', 'expression']) {
    if (spec[k] !== undefined) {
      error(field(loc, k), `CloudWatch ${k} queries cannot be mapped to exported series`,
        'use namespace, metricName, stat and dimensions, or export the metric to Prometheus and write a Prometheus metric source');
      return undefined;
    }
  }
  let ok = true;
  for (const k of ['namespace', 'metricName', 'stat']) {
    if (typeof spec[k] !== 'string' || spec[k] === '') {
      error(field(loc, k), `a CloudWatch metric source needs ${k} (got ${show(spec[k])})`, 'e.g. namespace: AWS/ApplicationELB, metricName: RequestCount, stat: Sum');
      ok = false;
    }
  }
  if (!ok) return undefined;
  const matchers: Matcher[] = [];
  const dims = spec.dimensions ?? [];
  if (!Array.isArray(dims)) {
    error(field(loc, 'dimensions'), 'must be a list of {name, value}');
    return undefined;
  }
  dims.forEach((d: Raw, i: number) => {
    if (typeof d?.name !== 'string' || d.value === undefined) {
      error(field(loc, 'dimensions', i), 'a dimension needs name and value');
      return;
    }
    matchers.push({ label: dimensionLabel(d.name), op: '=', value: String(d.value) });
  });
  if (typeof spec.region === 'string') matchers.push({ label: 'region', op: '=', value: spec.region });
  if (spec.accountId !== undefined) matchers.push({ label: 'account_id', op: '=', value: String(spec.accountId) });
  const selector = { metric: yaceMetricName(spec.namespace, spec.metricName, spec.stat), matchers };
  warn(loc, `CloudWatch is not queried directly: the metric is read as ${renderSelector(selector)}, the series YACE (yet-another-cloudwatch-exporter) exports for it`,
    'scrape YACE (or remote-write its series) and check that the name and labels match; cloudwatch_exporter names differ, so write a Prometheus query for it instead');
  return selector;
}
