import { formatDuration } from '../../model/duration.js';
import type { CounterExpr, PromqlTemplate, Selector, Sli } from '../../model/slo.js';
import { renderSelector } from '../../promql/selector.js';
import { isTemplate } from '../../promql/template.js';

/**
 * An SLI in the native format's `sli:` form (what `nativeSli` reads back), for the
 * `slo.caas.dev/sli` annotation; undefined for what the native form cannot hold either
 * (subtracted counter terms, which only catalog SLIs build).
 */
export function nativeSliOf(sli: Sli): Record<string, unknown> | undefined {
  const groupBy = 'groupBy' in sli && sli.groupBy.length ? { groupBy: sli.groupBy } : {};
  const source = (v: Selector | PromqlTemplate) => (isTemplate(v) ? { promql: v.promql } : { metric: renderSelector(v) });
  switch (sli.kind) {
    case 'events': {
      const total = counter(sli.total);
      const num = counter((sli.good ?? sli.bad)!);
      if (total === undefined || num === undefined) return undefined;
      return { events: { [sli.good ? 'good' : 'bad']: num, total, ...groupBy } };
    }
    case 'latency':
      return { latency: { histogram: renderSelector(sli.histogram), threshold: sli.threshold, ...(sli.native ? { native: true } : {}), ...groupBy } };
    case 'boolGauge':
      return { boolGauge: { ...source(sli.gauge), resolution: formatDuration(sli.resolution), ...groupBy } };
    case 'timeslice':
      return { timeslice: { ...source(sli.value), op: sli.op, threshold: sli.threshold, slice: formatDuration(sli.slice), ...groupBy } };
    case 'rawErrorRatio':
      return { errorRatio: { promql: sli.errorRatio.promql } };
  }
}

function counter(e: CounterExpr): unknown {
  if (isTemplate(e)) return { promql: e.promql };
  if (e.terms.some((t) => t.sign < 0)) return undefined;
  const selectors = e.terms.map((t) => renderSelector(t.selector));
  return selectors.length === 1 ? selectors[0] : selectors;
}
