import { BASE_WINDOW } from '../model/constants.js';
import { formatDuration } from '../model/duration.js';
import { RECORDS } from '../model/naming.js';
import type { Slo } from '../model/slo.js';
import { baseExpressions, rawErrorRatio } from '../rules/sli-expressions.js';

export type QueryExpressions = { kind: 'counts'; total: string; bad: string } | { kind: 'ratio'; errorRatio: string };

/**
 * The base-window expressions of the recording rules, made self-contained for a plain query API:
 * where the rules read back their own recorded total, the total expression is inlined.
 */
export function queryExpressions(slo: Slo): QueryExpressions {
  if (slo.sli.kind === 'rawErrorRatio') return { kind: 'ratio', errorRatio: rawErrorRatio(slo.sli, BASE_WINDOW) };
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
