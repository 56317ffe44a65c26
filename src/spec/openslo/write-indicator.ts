import { DEFAULT_RESOLUTION } from '../../model/constants.js';
import { formatNumber } from '../../model/numbers.js';
import type { CounterExpr, PromqlTemplate, Selector, Sli } from '../../model/slo.js';
import { renderSelector } from '../../promql/selector.js';
import { isTemplate } from '../../promql/template.js';
import { OPS, type BudgetingMethod } from './budgeting.js';
import { toShorthand } from './durations.js';
import type { Raw } from './objects.js';

/** The OpenSLO form of a model SLI: the indicator's spec, the budgeting method and the objective fields it needs. */
export interface WrittenIndicator {
  spec: Raw;
  method: BudgetingMethod;
  objective: Raw;
}

const OP_NAMES = Object.fromEntries(Object.entries(OPS).map(([name, op]) => [op, name]));

function metric(query: string): Raw {
  return { metricSource: { type: 'Prometheus', spec: { query } } };
}

function text(v: Selector | PromqlTemplate): string {
  return isTemplate(v) ? v.promql : renderSelector(v);
}

function by(groupBy: readonly string[]): string {
  return groupBy.length ? ` by (${groupBy.join(', ')}) ` : '';
}

/** Counter terms as one selector when they are one, else as the PromQL sum the rules compute. */
function counterText(e: CounterExpr, groupBy: readonly string[]): string {
  if (isTemplate(e)) return e.promql;
  if (e.terms.length === 1 && e.terms[0]!.sign === 1) return renderSelector(e.terms[0]!.selector);
  return e.terms.map((t, i) => `${t.sign < 0 ? '- ' : i ? '+ ' : ''}sum${by(groupBy)}(increase(${renderSelector(t.selector)}[{{.window}}]))`).join(' ');
}

/**
 * Writes each SLI kind the way the reader reads it back: events as Occurrences ratios, classic
 * latency as a bucket-over-count ratio, probes as RatioTimeslices of a raw success ratio,
 * timeslices as threshold metrics. What does not read back the same is kept in an annotation.
 */
export function writeIndicator(sli: Sli): WrittenIndicator {
  switch (sli.kind) {
    case 'events': {
      const num = (sli.good ?? sli.bad)!;
      const sides = [sli.total, num];
      const ratio: Raw = {};
      if (sides.some((s) => !isTemplate(s))) ratio.counter = true;
      else if (sides.some((s) => isTemplate(s) && /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?$/s.test(s.promql))) ratio.counter = false;
      ratio[sli.good ? 'good' : 'bad'] = metric(counterText(num, sli.groupBy));
      ratio.total = metric(counterText(sli.total, sli.groupBy));
      return { spec: { ratioMetric: ratio }, method: 'Occurrences', objective: {} };
    }
    case 'latency': {
      if (sli.native) {
        const q = `1 - histogram_fraction(0, ${formatNumber(sli.threshold)}, sum${by(sli.groupBy)}(rate(${renderSelector(sli.histogram)}[{{.window}}])))`;
        return { spec: { ratioMetric: { rawType: 'failure', raw: metric(q) } }, method: 'Occurrences', objective: {} };
      }
      const le = { label: 'le', op: '=' as const, value: formatNumber(sli.threshold) };
      return {
        spec: {
          ratioMetric: {
            counter: true,
            good: metric(renderSelector({ metric: `${sli.histogram.metric}_bucket`, matchers: [...sli.histogram.matchers, le] })),
            total: metric(renderSelector({ metric: `${sli.histogram.metric}_count`, matchers: sli.histogram.matchers })),
          },
        },
        method: 'Occurrences',
        objective: {},
      };
    }
    case 'boolGauge':
      return {
        spec: { ratioMetric: { rawType: 'success', raw: metric(text(sli.gauge)) } },
        method: 'RatioTimeslices',
        objective: { timeSliceWindow: toShorthand(sli.resolution) },
      };
    case 'timeslice': {
      const threshold = { op: OP_NAMES[sli.op], value: sli.threshold };
      const spec = { thresholdMetric: metric(text(sli.value)) };
      if (sli.slice === DEFAULT_RESOLUTION) return { spec, method: 'Occurrences', objective: threshold };
      return { spec, method: 'Timeslices', objective: { ...threshold, timeSliceTarget: 1, timeSliceWindow: toShorthand(sli.slice) } };
    }
    case 'rawErrorRatio':
      return { spec: { ratioMetric: { rawType: 'failure', raw: metric(sli.errorRatio.promql) } }, method: 'Occurrences', objective: {} };
  }
}
