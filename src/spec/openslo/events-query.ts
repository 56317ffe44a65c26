import type { CounterExpr } from '../../model/slo.js';
import type { DocContext } from '../context.js';
import type { Path } from '../yaml-source.js';
import { counterExpr } from './budgeting.js';
import { promqlQuery } from './metric-source.js';

/**
 * One query of an events ratio, as OpenSLO reads it: a counter selector (`counter`/`incremental`
 * true, or a counter's name) gets increase(); a query with {{.window}} is rendered per window; any
 * other query is evaluated at the end of each 5m base window. Shared with the v1alpha reader.
 */
export function eventsQuery(ctx: DocContext, at: Path, text: unknown, counter: boolean | undefined): CounterExpr | undefined {
  const q = promqlQuery({ ctx, at }, text);
  return q && counterExpr(q, counter);
}
