import { BASE_WINDOW } from '../model/constants.js';
import { formatDuration, type Millis } from '../model/duration.js';
import { RECORDS } from '../model/naming.js';
import { formatNumber } from '../model/numbers.js';
import type { CounterExpr, PromqlTemplate, Selector, Sli } from '../model/slo.js';
import { rangeEndingShort } from '../promql/range.js';
import { leMatcher, renderSelector } from '../promql/selector.js';
import { isTemplate, renderTemplate } from '../promql/template.js';

/** What the base-window recording rules of one SLO compute. */
export interface SliScope {
  sli: Sli;
  /** Selector of the SLO's own recorded series: `{slo_id="..."}` rendered. */
  ownSelector: (metric: string) => string;
  /** Labels the recording rules add; stripping them gives back the SLI's own label set. */
  addedLabels: string[];
}

export interface BaseExpressions {
  total: string;
  bad: string;
}

const BASE = formatDuration(BASE_WINDOW);
/** Ranges that count samples must not count the boundary sample in two adjacent base windows. */
const BASE_SAMPLES = rangeEndingShort(BASE_WINDOW);

function by(groupBy: readonly string[]): string {
  return groupBy.length ? `sum by (${groupBy.join(', ')}) ` : 'sum ';
}

function increase(sel: Selector, groupBy: readonly string[]): string {
  return `${by(groupBy)}(increase(${renderSelector(sel)}[${BASE}]))`;
}

/** Rate-style Sloth queries give events per second; times the window they give events. */
function templateCount(t: PromqlTemplate): string {
  const q = renderTemplate(t, BASE);
  return /\b(i?rate)\s*\(/.test(q) ? `(${q}) * ${BASE_WINDOW / 1000}` : `(${q})`;
}

/** Zero with the SLI's own labels wherever the total exists: a missing error counter means no errors. */
function zero(scope: SliScope, groupBy: readonly string[] | undefined): string {
  const total = scope.ownSelector(RECORDS.totalEvents(BASE));
  return groupBy ? `0 * ${by(groupBy)}(${total})` : `0 * sum without (${scope.addedLabels.join(', ')}) (${total})`;
}

function recordedTotal(scope: SliScope, groupBy: readonly string[] | undefined): string {
  const total = scope.ownSelector(RECORDS.totalEvents(BASE));
  return groupBy ? `${by(groupBy)}(${total})` : `sum without (${scope.addedLabels.join(', ')}) (${total})`;
}

function counterTotal(expr: CounterExpr, groupBy: readonly string[]): string {
  if (isTemplate(expr)) return templateCount(expr);
  const [first, ...rest] = expr.terms;
  const head = increase(first!.selector, groupBy);
  return [head, ...rest.map((t) => `${t.sign < 0 ? '-' : '+'} (${increase(t.selector, groupBy)} or 0 * ${head})`)].join('\n');
}

/** Sum of counter terms, each filled with zero so one absent counter cannot blank the sum. */
function counterWithZeros(expr: CounterExpr, scope: SliScope, groupBy: readonly string[]): string {
  if (isTemplate(expr)) return `(${templateCount(expr)} or ${zero(scope, undefined)})`;
  const z = zero(scope, groupBy);
  const terms = expr.terms.map((t, i) => `${i === 0 ? (t.sign < 0 ? '- ' : '') : t.sign < 0 ? '- ' : '+ '}(${increase(t.selector, groupBy)} or ${z})`);
  const body = terms.join('\n');
  return expr.terms.some((t) => t.sign < 0) ? `clamp_min(\n${indent(body)}\n, 0)` : body;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

function gaugeInner(src: Selector | PromqlTemplate): string {
  return isTemplate(src) ? `(${src.promql})` : renderSelector(src);
}

/** Expressions of the base-window bad and total counts, for every SLI kind that has counts. */
export function baseExpressions(scope: SliScope): BaseExpressions | undefined {
  const { sli } = scope;
  switch (sli.kind) {
    case 'events': {
      const total = counterTotal(sli.total, sli.groupBy);
      const g = isTemplate(sli.total) ? undefined : sli.groupBy;
      if (sli.bad) return { total, bad: counterWithZeros(sli.bad, scope, sli.groupBy) };
      const good = counterWithZeros(sli.good!, scope, sli.groupBy);
      return { total, bad: `clamp_min(\n  ${recordedTotal(scope, g)}\n  -\n${indent(`(${good})`)}\n, 0)` };
    }
    case 'latency': {
      const g = sli.groupBy;
      if (sli.native) {
        const hist = renderSelector(sli.histogram);
        const inc = `${by(g)}(increase(${hist}[${BASE}]))`;
        return {
          total: `histogram_count(${inc})`,
          bad: `histogram_count(${inc})\n* (1 - histogram_fraction(0, ${formatNumber(sli.threshold)}, ${inc}))`,
        };
      }
      const total = increase({ ...sli.histogram, metric: `${sli.histogram.metric}_count` }, g);
      const good = increase({ metric: `${sli.histogram.metric}_bucket`, matchers: [...sli.histogram.matchers, leMatcher(sli.threshold)] }, g);
      return { total, bad: `clamp_min(\n  ${recordedTotal(scope, g)}\n  - (${good} or ${zero(scope, g)})\n, 0)` };
    }
    case 'boolGauge': {
      const g = sli.groupBy;
      const inner = gaugeInner(sli.gauge);
      const range = isTemplate(sli.gauge) ? `${BASE_SAMPLES}:${formatDuration(sli.resolution)}` : BASE_SAMPLES;
      return {
        total: `${by(g)}(count_over_time(${inner}[${range}]))`,
        bad: `${recordedTotal(scope, g)}\n- ${by(g)}(sum_over_time(${inner}[${range}]))`,
      };
    }
    case 'timeslice': {
      const g = sli.groupBy;
      const inner = gaugeInner(sli.value);
      const range = `${BASE_SAMPLES}:${formatDuration(sli.slice)}`;
      return {
        total: `${by(g)}(count_over_time(${inner}[${range}]))`,
        bad: `${recordedTotal(scope, g)}\n- ${by(g)}(sum_over_time((${inner} ${sli.op} bool ${formatNumber(sli.threshold)})[${range}]))`,
      };
    }
    case 'rawErrorRatio':
      return undefined;
  }
}

/** A raw error-ratio query over one window, as the user wrote it. */
export function rawErrorRatio(sli: Sli & { kind: 'rawErrorRatio' }, window: Millis): string {
  return `(${renderTemplate(sli.errorRatio, formatDuration(window))})`;
}
