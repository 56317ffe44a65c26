import { BASE_WINDOW, DEFAULT_RESOLUTION } from '../model/constants.js';
import { parseDuration, formatDuration } from '../model/duration.js';
import type { CompareOp, CounterExpr, PromqlTemplate, Selector, Sli } from '../model/slo.js';
import { checkPromql } from '../promql/parse.js';
import { parseSelector, SelectorSyntaxError } from '../promql/selector-parse.js';
import { hasWindowPlaceholder, renderTemplate } from '../promql/template.js';
import { show } from './errors.js';
import type { DocContext } from './context.js';
import type { Path } from './yaml-source.js';

/** A plain selector string; problems point at the field. */
export function selectorField(ctx: DocContext, at: Path, text: unknown): Selector | undefined {
  if (typeof text !== 'string') {
    ctx.error(at, `must be a PromQL selector string (got ${show(text)})`, 'write metric{label="value"}');
    return undefined;
  }
  try {
    return parseSelector(text);
  } catch (e) {
    if (!(e instanceof SelectorSyntaxError)) throw e;
    ctx.error(at, `not a plain selector: ${e.message}`, 'write metric{label="value"}, or use {promql: ...} for an expression');
    return undefined;
  }
}

/**
 * Raw PromQL, checked by rendering it the way the rules will. `needsWindow` is for queries that
 * are computed per window (counters, error ratios); instant expressions must not have one.
 */
export function promqlField(ctx: DocContext, at: Path, text: unknown, needsWindow: boolean): PromqlTemplate | undefined {
  if (typeof text !== 'string' || text.trim() === '') {
    ctx.error(at, `must be a PromQL expression (got ${show(text)})`);
    return undefined;
  }
  const has = hasWindowPlaceholder(text);
  if (needsWindow && !has) {
    ctx.error(at, 'the query has no {{.window}} placeholder, so every window would compute the same value',
      'write the range as [{{.window}}], e.g. rate(http_requests_total[{{.window}}])');
    return undefined;
  }
  if (!needsWindow && has) {
    ctx.error(at, 'this expression is evaluated at an instant; {{.window}} has no meaning here', 'write a fixed range such as [5m]');
    return undefined;
  }
  const rendered = renderTemplate({ promql: text }, formatDuration(BASE_WINDOW));
  const err = checkPromql(rendered);
  if (err) {
    ctx.error(at, err.message, 'check brackets, quotes and function names; run the query in Prometheus to see it work');
    return undefined;
  }
  return { promql: text.trim() };
}

export function counterField(ctx: DocContext, at: Path, raw: unknown): CounterExpr | undefined {
  if (typeof raw === 'string') {
    const s = selectorField(ctx, at, raw);
    return s && { terms: [{ selector: s, sign: 1 }] };
  }
  if (Array.isArray(raw)) {
    const terms = raw.map((r, i) => selectorField(ctx, [...at, i], r));
    if (terms.some((t) => !t)) return undefined;
    return { terms: terms.map((selector) => ({ selector: selector!, sign: 1 as const })) };
  }
  if (raw && typeof raw === 'object' && 'promql' in raw) return promqlField(ctx, at, (raw as { promql: unknown }).promql, true);
  ctx.error(at, `must be a selector, a list of selectors or {promql: ...} (got ${show(raw)})`);
  return undefined;
}

/** Seconds from a number or a duration string. */
export function thresholdField(ctx: DocContext, at: Path, raw: unknown, allowDuration: boolean): number | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (allowDuration && typeof raw === 'string') {
    const ms = parseDuration(raw);
    if (ms !== undefined) return ms / 1000;
  }
  ctx.error(at, `must be a number${allowDuration ? ' of seconds or a duration such as 250ms' : ''} (got ${show(raw)})`);
  return undefined;
}

function windowDivides(ctx: DocContext, at: Path, ms: number | undefined, what: string): number | undefined {
  if (ms === undefined) return undefined;
  if (ms < DEFAULT_RESOLUTION) ctx.error(at, `${what} ${formatDuration(ms)} is shorter than 1m`, 'use 1m or more: rule evaluation is per minute at best');
  else if (BASE_WINDOW % ms !== 0) ctx.error(at, `${what} ${formatDuration(ms)} does not divide the ${formatDuration(BASE_WINDOW)} base window`, 'use 1m or 5m');
  return ms;
}

type Raw = Record<string, unknown>;

/** The SLI section of the native format; the schema has already checked shapes. */
export function nativeSli(ctx: DocContext, at: Path, raw: Raw): Sli | undefined {
  const groupBy = (o: Raw) => (o.groupBy as string[] | undefined) ?? [];
  if (raw.events) {
    const e = raw.events as Raw;
    const p = [...at, 'events'];
    if ((e.good === undefined) === (e.bad === undefined)) {
      ctx.error(p, 'give exactly one of good and bad', 'good: events that met the objective, or bad: events that did not');
      return undefined;
    }
    const total = counterField(ctx, [...p, 'total'], e.total);
    const good = e.good !== undefined ? counterField(ctx, [...p, 'good'], e.good) : undefined;
    const bad = e.bad !== undefined ? counterField(ctx, [...p, 'bad'], e.bad) : undefined;
    if (!total || (!good && !bad)) return undefined;
    return { kind: 'events', total, good, bad, groupBy: groupBy(e) };
  }
  if (raw.latency) {
    const l = raw.latency as Raw;
    const p = [...at, 'latency'];
    const histogram = selectorField(ctx, [...p, 'histogram'], l.histogram);
    const threshold = thresholdField(ctx, [...p, 'threshold'], l.threshold, true);
    if (histogram && /_(bucket|count|sum)$/.test(histogram.metric)) {
      ctx.error([...p, 'histogram'], `give the histogram's name without its ${histogram.metric.match(/_(bucket|count|sum)$/)![0]} suffix`,
        `write ${histogram.metric.replace(/_(bucket|count|sum)$/, '')}`);
      return undefined;
    }
    if (histogram?.matchers.some((m) => m.label === 'le')) {
      ctx.error([...p, 'histogram'], 'the le matcher is added from threshold', 'remove le from the selector and set threshold');
      return undefined;
    }
    if (!histogram || threshold === undefined) return undefined;
    if (threshold <= 0) ctx.error([...p, 'threshold'], 'must be positive');
    return { kind: 'latency', histogram, threshold, native: l.native === true, groupBy: groupBy(l) };
  }
  if (raw.boolGauge) {
    const g = raw.boolGauge as Raw;
    const p = [...at, 'boolGauge'];
    const gauge = oneSource(ctx, p, g);
    const resolution = windowDivides(ctx, [...p, 'resolution'], g.resolution ? parseDuration(String(g.resolution)) : DEFAULT_RESOLUTION, 'resolution');
    if (!gauge || resolution === undefined) return undefined;
    return { kind: 'boolGauge', gauge, resolution, groupBy: groupBy(g) };
  }
  if (raw.timeslice) {
    const t = raw.timeslice as Raw;
    const p = [...at, 'timeslice'];
    const value = oneSource(ctx, p, t);
    const threshold = thresholdField(ctx, [...p, 'threshold'], t.threshold, true);
    const slice = windowDivides(ctx, [...p, 'slice'], t.slice ? parseDuration(String(t.slice)) : DEFAULT_RESOLUTION, 'slice');
    if (!value || threshold === undefined || slice === undefined) return undefined;
    return { kind: 'timeslice', value, op: t.op as CompareOp, threshold, slice, groupBy: groupBy(t) };
  }
  if (raw.errorRatio) {
    const errorRatio = promqlField(ctx, [...at, 'errorRatio', 'promql'], (raw.errorRatio as Raw).promql, true);
    return errorRatio && { kind: 'rawErrorRatio', errorRatio };
  }
  return undefined;
}

function oneSource(ctx: DocContext, at: Path, o: Raw): Selector | PromqlTemplate | undefined {
  if ((o.metric === undefined) === (o.promql === undefined)) {
    ctx.error(at, 'give exactly one of metric and promql', 'metric: a selector such as probe_success{job="x"}; promql: an expression');
    return undefined;
  }
  return o.metric !== undefined ? selectorField(ctx, [...at, 'metric'], o.metric) : promqlField(ctx, [...at, 'promql'], o.promql, false);
}
