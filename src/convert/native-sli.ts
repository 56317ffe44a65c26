import { DEFAULT_RESOLUTION } from '../model/constants.js';
import { durationText } from './durations.js';
import type { CounterExpr, PromqlTemplate, Selector, Sli, Slo } from '../model/slo.js';
import { renderSelector } from '../promql/selector.js';
import { isTemplate } from '../promql/template.js';
import type { Losses } from './unsupported.js';

type Raw = Record<string, unknown>;

function source(src: Selector | PromqlTemplate): Raw {
  return isTemplate(src) ? { promql: src.promql } : { metric: renderSelector(src) };
}

function groupBy(g: readonly string[]): Raw {
  return g.length ? { groupBy: [...g] } : {};
}

/** One selector, a list of selectors (summed) or `{promql}`; subtracted terms have no native spelling. */
function counter(expr: CounterExpr): unknown {
  if (isTemplate(expr)) return { promql: expr.promql };
  if (expr.terms.some((t) => t.sign < 0)) return undefined;
  const sels = expr.terms.map((t) => renderSelector(t.selector));
  return sels.length === 1 ? sels[0] : sels;
}

/**
 * A model SLI in the native `sli:` form, and the counters of an events SLI that form cannot spell
 * (subtracted terms, which only catalog SLIs build). Also the `slo.caas.dev/sli` annotation of
 * OpenSLO output.
 */
export function nativeSliForm(sli: Sli): { form: Raw; unwritable: Array<'good' | 'bad' | 'total'> } {
  const unwritable: Array<'good' | 'bad' | 'total'> = [];
  switch (sli.kind) {
    case 'events': {
      const out: Raw = {};
      for (const key of ['good', 'bad', 'total'] as const) {
        const expr = sli[key];
        if (!expr) continue;
        const v = counter(expr);
        if (v === undefined) unwritable.push(key);
        else out[key] = v;
      }
      return { form: { events: { ...out, ...groupBy(sli.groupBy) } }, unwritable };
    }
    case 'latency':
      return { form: { latency: { histogram: renderSelector(sli.histogram), threshold: sli.threshold, ...(sli.native ? { native: true } : {}), ...groupBy(sli.groupBy) } }, unwritable };
    case 'boolGauge':
      return {
        form: { boolGauge: { ...source(sli.gauge), ...(sli.resolution !== DEFAULT_RESOLUTION ? { resolution: durationText(sli.resolution) } : {}), ...groupBy(sli.groupBy) } },
        unwritable,
      };
    case 'timeslice':
      return {
        form: {
          timeslice: {
            ...source(sli.value), op: sli.op, threshold: sli.threshold,
            ...(sli.slice !== DEFAULT_RESOLUTION ? { slice: durationText(sli.slice) } : {}), ...groupBy(sli.groupBy),
          },
        },
        unwritable,
      };
    case 'rawErrorRatio':
      return { form: { errorRatio: { promql: sli.errorRatio.promql } }, unwritable };
  }
}

/** The SLI as the native format writes it: a catalog reference when the SLO came from one. */
export function nativeSli(slo: Slo, losses: Losses): Raw {
  if (slo.catalog) {
    const params = slo.catalog.params;
    return { catalog: { name: slo.catalog.name, ...(Object.keys(params).length ? { params } : {}) } };
  }
  const { form, unwritable } = nativeSliForm(slo.sli);
  for (const key of unwritable) losses.lose(slo, ['sli'], `sli.${key}`, 'subtracted counters have no native spelling; write the difference as {promql: ...}');
  return form;
}
