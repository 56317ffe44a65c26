import { BASE_WINDOW } from '../../model/constants.js';
import { formatDuration } from '../../model/duration.js';
import type { Selector } from '../../model/slo.js';
import { checkPromql } from '../../promql/parse.js';
import { parseSelector, SelectorSyntaxError } from '../../promql/selector-parse.js';
import { renderSelector } from '../../promql/selector.js';
import { hasWindowPlaceholder, renderTemplate } from '../../promql/template.js';
import { show } from '../errors.js';
import { cloudWatchSelector } from './cloudwatch.js';
import { error, field, type Loc, type Raw } from './objects.js';
import type { Registry } from './registry.js';

/** One query of an SLI: PromQL text, and its structured form when it is a plain vector selector. */
export interface MetricQuery {
  loc: Loc;
  promql: string;
  selector?: Selector;
  /** The query has `{{.window}}`: a per-window value, rendered with each window. */
  windowed: boolean;
}

/** Metric source types whose query is PromQL. `Any` is the OpenSLO examples' placeholder type. */
const PROMQL_TYPES = ['prometheus', 'thanos', 'cortex', 'mimir', 'victoriametrics', 'any'];

/**
 * A `{metricSource: ...}` holder (good, bad, total, raw, thresholdMetric) to a query. The type
 * comes from the source or from the DataSource it references.
 */
export function readMetric(holder: Loc, value: Raw, registry: Registry): MetricQuery | undefined {
  const loc = field(holder, 'metricSource');
  const src = value.metricSource as Raw;
  let type = src.type as string | undefined;
  if (src.metricSourceRef !== undefined) {
    const ds = registry.resolve('DataSource', src.metricSourceRef, field(loc, 'metricSourceRef'));
    if (!ds) return undefined;
    const dsType = ds.value.spec.type as string;
    if (type !== undefined && type.toLowerCase() !== dsType.toLowerCase()) {
      error(field(loc, 'type'), `type ${show(type)} differs from the type ${show(dsType)} of DataSource ${show(ds.name)}`, 'remove type here or make them agree');
      return undefined;
    }
    type = dsType;
  }
  const spec = (src.spec ?? {}) as Raw;
  const specLoc = field(loc, 'spec');
  if (type !== undefined && type.toLowerCase() === 'cloudwatch') {
    const selector = cloudWatchSelector(specLoc, spec);
    return selector && { loc: specLoc, promql: renderSelector(selector), selector, windowed: false };
  }
  if (type !== undefined && !PROMQL_TYPES.includes(type.toLowerCase())) {
    error(field(loc, 'type'), `metric source type ${show(type)} is not supported: the generated rules are PromQL`,
      'use a Prometheus-compatible source (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics) with spec.query, or CloudWatch through YACE');
    return undefined;
  }
  if ((spec.query === undefined) === (spec.promql === undefined)) {
    error(specLoc, spec.query === undefined ? 'a Prometheus metric source needs spec.query' : 'give query or promql, not both', 'write spec.query: <PromQL>');
    return undefined;
  }
  const key = spec.query !== undefined ? 'query' : 'promql';
  return promqlQuery(field(specLoc, key), spec[key]);
}

/** PromQL text checked for syntax, with its selector form when it is a plain selector. */
export function promqlQuery(at: Loc, text: unknown): MetricQuery | undefined {
  if (typeof text !== 'string' || text.trim() === '') {
    error(at, `must be a PromQL expression (got ${show(text)})`);
    return undefined;
  }
  const promql = text.trim();
  const err = checkPromql(renderTemplate({ promql }, formatDuration(BASE_WINDOW)));
  if (err) {
    error(at, `not valid PromQL: ${err.message}`, 'check brackets, quotes and function names; run the query in Prometheus to see it work');
    return undefined;
  }
  let selector: Selector | undefined;
  try {
    selector = parseSelector(promql);
  } catch (e) {
    if (!(e instanceof SelectorSyntaxError)) throw e;
  }
  if (selector && selector.metric === '') selector = undefined;
  return { loc: at, promql, selector, windowed: hasWindowPlaceholder(promql) };
}
