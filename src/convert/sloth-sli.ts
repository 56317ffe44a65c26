import { formatDuration } from '../model/duration.js';
import { formatNumber } from '../model/numbers.js';
import type { CounterExpr, PromqlTemplate, Selector, Slo } from '../model/slo.js';
import { leMatcher, renderSelector } from '../promql/selector.js';
import { isTemplate } from '../promql/template.js';
import type { Losses } from './unsupported.js';

type Raw = Record<string, unknown>;

const W = '{{.window}}';

function sum(groupBy: readonly string[], inner: string): string {
  return groupBy.length ? `sum by (${groupBy.join(', ')}) (${inner})` : `sum(${inner})`;
}

function counter(expr: CounterExpr, groupBy: readonly string[]): string {
  if (isTemplate(expr)) return expr.promql;
  return expr.terms
    .map((t, i) => `${i === 0 ? (t.sign < 0 ? '-' : '') : t.sign < 0 ? ' - ' : ' + '}${sum(groupBy, `increase(${renderSelector(t.selector)}[${W}])`)}`)
    .join('');
}

/** A range over the window: a selector's own samples, or a subquery at the given resolution. */
function ranged(src: Selector | PromqlTemplate, step: number): string {
  return isTemplate(src) ? `(${src.promql})[${W}:${formatDuration(step)}]` : `${renderSelector(src)}[${W}]`;
}

function events(error: string, total: string): Raw {
  return { events: { error_query: error, total_query: total } };
}

/**
 * Sloth has PromQL queries only. Events written as queries and raw ratios carry over as they are;
 * every other SLI becomes the error and total queries that count the same events, and reads back
 * as an events SLI of PromQL.
 */
export function slothSli(slo: Slo, losses: Losses): Raw {
  const sli = slo.sli;
  const rewritten = (what: string) =>
    losses.lose(slo, ['sli'], `${what} SLI`, 'Sloth has only PromQL queries: it is written as error and total queries that count the same events, and reads back as an events SLI of PromQL');
  switch (sli.kind) {
    case 'events': {
      const total = counter(sli.total, sli.groupBy);
      if (!isTemplate(sli.total) || (sli.bad && !isTemplate(sli.bad)) || (sli.good && !isTemplate(sli.good)) || sli.groupBy.length) rewritten('the selector events');
      if (sli.bad) return events(counter(sli.bad, sli.groupBy), total);
      losses.lose(slo, ['sli'], 'good events', 'Sloth counts errors: the error query is total minus good, and reads back as bad events');
      return events(`(${total}) - (${counter(sli.good!, sli.groupBy)})`, total);
    }
    case 'latency': {
      rewritten(`the ${sli.native ? 'native-histogram ' : ''}latency`);
      const h = sli.histogram;
      if (sli.native) {
        const inc = sum(sli.groupBy, `increase(${renderSelector(h)}[${W}])`);
        return events(`histogram_count(${inc}) * (1 - histogram_fraction(0, ${formatNumber(sli.threshold)}, ${inc}))`, `histogram_count(${inc})`);
      }
      const total = sum(sli.groupBy, `increase(${renderSelector(h, [], '_count')}[${W}])`);
      const good = sum(sli.groupBy, `increase(${renderSelector(h, [leMatcher(sli.threshold)], '_bucket')}[${W}])`);
      return events(`${total} - ${good}`, total);
    }
    case 'boolGauge': {
      rewritten('the boolean gauge');
      const r = ranged(sli.gauge, sli.resolution);
      const total = sum(sli.groupBy, `count_over_time(${r})`);
      return events(`${total} - ${sum(sli.groupBy, `sum_over_time(${r})`)}`, total);
    }
    case 'timeslice': {
      rewritten('the timeslice');
      const inner = isTemplate(sli.value) ? `(${sli.value.promql})` : renderSelector(sli.value);
      const slice = formatDuration(sli.slice);
      const total = sum(sli.groupBy, `count_over_time(${inner}[${W}:${slice}])`);
      const good = sum(sli.groupBy, `sum_over_time((${inner} ${sli.op} bool ${formatNumber(sli.threshold)})[${W}:${slice}])`);
      return events(`${total} - ${good}`, total);
    }
    case 'rawErrorRatio':
      return { raw: { error_ratio_query: sli.errorRatio.promql } };
  }
}
