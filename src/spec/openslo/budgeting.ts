import { BASE_WINDOW, DEFAULT_RESOLUTION } from '../../model/constants.js';
import { formatDuration, MINUTE, type Millis } from '../../model/duration.js';
import { formatNumber } from '../../model/numbers.js';
import type { CompareOp, CounterExpr, PromqlTemplate, Selector, Sli } from '../../model/slo.js';
import { renderSelector } from '../../promql/selector.js';
import { renderTemplate } from '../../promql/template.js';
import { durationAt } from './durations.js';
import type { SliSource } from './indicator.js';
import type { MetricQuery } from './metric-source.js';
import { error, field, warn, type Loc, type Raw } from './objects.js';

export type BudgetingMethod = 'Occurrences' | 'Timeslices' | 'RatioTimeslices';

export const OPS: Record<string, CompareOp> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };

const COUNTER_NAME = /_(total|count|bucket)$/;

/** A plain selector read as a counter: `counter: true`, or no `counter` and a counter's name. */
export function isCounter(q: MetricQuery, counter: boolean | undefined): q is MetricQuery & { selector: Selector } {
  return !!q.selector && !q.windowed && (counter === true || (counter === undefined && COUNTER_NAME.test(q.selector.metric)));
}

/**
 * The model SLI of one objective: what the SLI measures (source) counted the way the budgeting
 * method says. Occurrences counts events (or, for a threshold, one sample a minute); Timeslices
 * counts slices whose value meets the objective; RatioTimeslices averages per-slice ratios.
 */
export function buildSli(src: SliSource, method: BudgetingMethod, obj: Loc, o: Raw, groupBy: string[]): Sli | undefined {
  if (src.kind !== 'threshold') {
    for (const k of ['op', 'value']) if (o[k] !== undefined) warn(field(obj, k), `${k} is only used with a thresholdMetric SLI and is ignored here`, `remove ${k}`);
  }
  if (method === 'Occurrences') {
    for (const k of ['timeSliceTarget', 'timeSliceWindow']) if (o[k] !== undefined) warn(field(obj, k), `${k} is only used with Timeslices and RatioTimeslices and is ignored here`, `remove ${k}`);
  } else if (method === 'RatioTimeslices' && o.timeSliceTarget !== undefined) {
    warn(field(obj, 'timeSliceTarget'), 'timeSliceTarget is only used with Timeslices and is ignored here', 'remove timeSliceTarget');
  }
  switch (src.kind) {
    case 'threshold':
      return thresholdSli(src, method, obj, o, groupBy);
    case 'raw':
      return rawSli(src, method, obj, o, groupBy);
    case 'ratio':
      return ratioSli(src, method, obj, o, groupBy);
  }
}

function thresholdSli(src: SliSource & { kind: 'threshold' }, method: BudgetingMethod, obj: Loc, o: Raw, groupBy: string[]): Sli | undefined {
  if (o.op === undefined || o.value === undefined) {
    error(field(obj, o.op === undefined ? 'op' : 'value'), 'an objective of a thresholdMetric SLI needs op and value', 'e.g. op: lt, value: 500: a sample is good when the metric is under 500');
    return undefined;
  }
  const q = src.metric;
  if (q.windowed) {
    error(q.loc, 'a threshold metric is compared at an instant; {{.window}} has no meaning here', 'write a fixed range such as [5m]');
    return undefined;
  }
  const op = OPS[o.op]!;
  const value: Selector | PromqlTemplate = q.selector ?? { promql: q.promql };
  if (method !== 'Timeslices') return { kind: 'timeslice', value, op, threshold: o.value, slice: DEFAULT_RESOLUTION, groupBy };
  const slice = sliceWindow(obj, o, method);
  const target = sliceTarget(obj, o);
  if (slice === undefined || target === undefined) return undefined;
  if (slice === MINUTE) return { kind: 'timeslice', value, op, threshold: o.value, slice, groupBy };
  // A longer slice is good when the share of its minutes that meet the threshold reaches timeSliceTarget.
  const inner = q.selector ? renderSelector(q.selector) : `(${q.promql})`;
  const share = `avg_over_time((${inner} ${op} bool ${formatNumber(o.value)})[${formatDuration(slice)}:${formatDuration(MINUTE)}])`;
  return { kind: 'timeslice', value: { promql: share }, op: '>=', threshold: target, slice, groupBy };
}

function rawSli(src: SliSource & { kind: 'raw' }, method: BudgetingMethod, obj: Loc, o: Raw, groupBy: string[]): Sli | undefined {
  const q = src.raw;
  if (method === 'Occurrences') {
    if (!q.windowed) {
      error(q.loc, 'a raw ratio counted as Occurrences is computed over every alert and SLO window, so the query needs a {{.window}} placeholder',
        'write the range as [{{.window}}], e.g. sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}]))');
      return undefined;
    }
    return { kind: 'rawErrorRatio', errorRatio: { promql: src.rawType === 'failure' ? q.promql : `1 - (${q.promql})` } };
  }
  const slice = sliceWindow(obj, o, method);
  const target = method === 'Timeslices' ? sliceTarget(obj, o) : 1;
  if (slice === undefined || target === undefined) return undefined;
  const text = q.windowed ? renderTemplate(q, formatDuration(slice)) : q.promql;
  const success: Selector | PromqlTemplate =
    src.rawType === 'success' ? (q.selector ?? { promql: text }) : { promql: `1 - (${text})` };
  if (method === 'Timeslices') return { kind: 'timeslice', value: success, op: '>=', threshold: target, slice, groupBy };
  return { kind: 'boolGauge', gauge: success, resolution: slice, groupBy };
}

function ratioSli(src: SliSource & { kind: 'ratio' }, method: BudgetingMethod, obj: Loc, o: Raw, groupBy: string[]): Sli | undefined {
  if (method === 'Occurrences') {
    const total = counterExpr(src.total, src.counter);
    const num = counterExpr((src.good ?? src.bad)!, src.counter);
    if (!total || !num) return undefined;
    const events: Sli = { kind: 'events', total, ...(src.good ? { good: num } : { bad: num }), groupBy };
    return asLatency(events) ?? events;
  }
  const slice = sliceWindow(obj, o, method);
  const target = method === 'Timeslices' ? sliceTarget(obj, o) : 1;
  if (slice === undefined || target === undefined) return undefined;
  const ratio = { promql: sliceRatio(src, slice, groupBy) };
  if (method === 'Timeslices') return { kind: 'timeslice', value: ratio, op: '>=', threshold: target, slice, groupBy };
  return { kind: 'boolGauge', gauge: ratio, resolution: slice, groupBy };
}

/**
 * Occurrences count events per 5m base window: a counter selector gets increase(); a query with
 * {{.window}} is rendered with the window; any other query is evaluated at the end of each 5m
 * window and its value taken as that window's events (times 300 for a rate()).
 */
export function counterExpr(q: MetricQuery, counter: boolean | undefined): CounterExpr | undefined {
  if (isCounter(q, counter)) return { terms: [{ selector: q.selector, sign: 1 }] };
  if (q.windowed) return { promql: q.promql };
  if (counter === true) {
    error(q.loc, 'counter: true needs a plain vector selector (the rules apply increase() to it) or a query with [{{.window}}]',
      'write the counter alone, e.g. http_requests_total{code="500"}, or sum(increase(x_total[{{.window}}]))');
    return undefined;
  }
  const base = formatDuration(BASE_WINDOW);
  if (q.selector) {
    warn(q.loc, `${q.selector.metric} is read as a gauge (counter is not true and the name has no _total, _count or _bucket): each ${base} window counts its value at the window's end as that window's events`,
      'set counter: true if it is a counter, or write the query with [{{.window}}]');
  } else {
    const other = [...q.promql.matchAll(/\[(\d+[a-z]+)(?::[^\]]*)?\]/g)].map((m) => m[1]).filter((r) => r !== base);
    if (other.length) {
      warn(q.loc, `the query is evaluated once per ${base} window, so its [${other[0]}] range does not cover each window exactly`,
        `write the range as [{{.window}}] (or [${base}])`);
    }
  }
  return { promql: q.promql };
}

/**
 * A counter pair `h_bucket{…, le="x"}` over `h_count{…}` is a classic-histogram latency SLI:
 * the same events, and the bucket bound is then matched whether it reads "1" or "1.0".
 */
function asLatency(sli: Sli & { kind: 'events' }): Sli | undefined {
  if (!sli.good || !('terms' in sli.good) || !('terms' in sli.total) || sli.good.terms.length !== 1 || sli.total.terms.length !== 1) return undefined;
  const good = sli.good.terms[0]!.selector;
  const total = sli.total.terms[0]!.selector;
  if (!good.metric.endsWith('_bucket') || !total.metric.endsWith('_count')) return undefined;
  const name = total.metric.slice(0, -'_count'.length);
  if (good.metric !== `${name}_bucket`) return undefined;
  const le = good.matchers.filter((m) => m.label === 'le');
  const threshold = Number(le[0]?.value);
  if (le.length !== 1 || le[0]!.op !== '=' || !Number.isFinite(threshold) || threshold <= 0) return undefined;
  const rest = good.matchers.filter((m) => m.label !== 'le');
  const same = (a: typeof rest, b: typeof rest) => a.length === b.length && a.every((m) => b.some((n) => n.label === m.label && n.op === m.op && n.value === m.value));
  if (!same(rest, total.matchers)) return undefined;
  return { kind: 'latency', histogram: { metric: name, matchers: total.matchers }, threshold, native: false, groupBy: sli.groupBy };
}

/** The per-slice good ratio of good (or bad) over total, evaluated at each slice boundary; no traffic gives no sample. */
function sliceRatio(src: SliSource & { kind: 'ratio' }, slice: Millis, groupBy: string[]): string {
  const by = groupBy.length ? ` by (${groupBy.join(', ')}) ` : '';
  const s = formatDuration(slice);
  const term = (q: MetricQuery) => {
    if (isCounter(q, src.counter)) return `sum${by}(increase(${renderSelector(q.selector)}[${s}]))`;
    return `sum${by}(${q.windowed ? renderTemplate(q, s) : q.promql})`;
  };
  const total = `(${term(src.total)} > 0)`;
  return src.good ? `clamp(${term(src.good)} / ${total}, 0, 1)` : `clamp(1 - ${term(src.bad!)} / ${total}, 0, 1)`;
}

function sliceWindow(obj: Loc, o: Raw, method: BudgetingMethod): Millis | undefined {
  const at = field(obj, 'timeSliceWindow');
  if (o.timeSliceWindow === undefined) {
    error(obj, `${method} needs timeSliceWindow`, 'e.g. timeSliceWindow: 1m');
    return undefined;
  }
  const ms = durationAt(at, o.timeSliceWindow, { bareMinutes: true });
  if (ms === undefined) return undefined;
  if (ms < MINUTE || BASE_WINDOW % ms !== 0) {
    error(at, `a slice of ${formatDuration(ms)} does not divide the ${formatDuration(BASE_WINDOW)} base window the rules count in`, 'use 1m or 5m');
    return undefined;
  }
  return ms;
}

function sliceTarget(obj: Loc, o: Raw): number | undefined {
  if (o.timeSliceTarget === undefined) {
    error(obj, 'Timeslices needs timeSliceTarget', 'the share a slice must reach to count as good, e.g. timeSliceTarget: 0.99');
    return undefined;
  }
  return o.timeSliceTarget;
}
