import { BASE_WINDOW } from '../model/constants.js';
import { formatDuration, type Millis } from '../model/duration.js';
import { RECORDS } from '../model/naming.js';
import type { Slo } from '../model/slo.js';
import { sloWindows } from '../model/windows.js';
import { isTemplate } from '../promql/template.js';
import { baseExpressions, rawErrorRatio } from '../rules/sli-expressions.js';

export type QueryExpressions =
  | { kind: 'counts'; total: string; bad: string }
  /** `perWindow`: the query over each alert window, as the rules evaluate it (not the 5m base or the SLO window). */
  | { kind: 'ratio'; errorRatio: string; perWindow: Map<number, string> };

/**
 * The base-window expressions of the recording rules, made self-contained for a plain query API:
 * where the rules read back their own recorded total, the total expression is inlined.
 */
export function queryExpressions(slo: Slo): QueryExpressions {
  if (slo.sli.kind === 'rawErrorRatio') {
    const sli = slo.sli;
    const perWindow = new Map(sloWindows(slo).filter((w) => w !== BASE_WINDOW && w !== slo.window).map((w) => [w, rawErrorRatio(sli, w)]));
    return { kind: 'ratio', errorRatio: rawErrorRatio(sli, BASE_WINDOW), perWindow };
  }
  const totalOnly = baseExpressions({ sli: slo.sli, ownSelector: () => 'vector(0)', addedLabels: [] })!;
  const ownTotal = RECORDS.totalEvents(formatDuration(BASE_WINDOW));
  const inlined = baseExpressions({
    sli: slo.sli,
    ownSelector: (metric) => {
      if (metric !== ownTotal) throw new Error(`query mode cannot read recorded series ${metric}`);
      return `(${totalOnly.total})`;
    },
    addedLabels: ['__slo_engine_none__'],
  })!;
  return { kind: 'counts', total: totalOnly.total, bad: inlined.bad };
}

/**
 * The step of the subqueries the expressions evaluate (a timeslice's slice, a PromQL gauge's
 * resolution), or the base window when they have none: a backend evaluates base / step inner
 * points per point of a range query.
 */
export function subqueryStep(slo: Slo): Millis {
  const sli = slo.sli;
  if (sli.kind === 'timeslice') return sli.slice;
  if (sli.kind === 'boolGauge' && isTemplate(sli.gauge)) return sli.resolution;
  return BASE_WINDOW;
}
