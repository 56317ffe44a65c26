import { MINUTE } from '../model/duration.js';
import { budgetExclusions, MAINTENANCE_BUDGET_LABEL, MAINTENANCE_SERIES } from '../model/maintenance.js';
import { idLabels } from '../model/naming.js';
import type { Slo } from '../model/slo.js';
import { quoteLabelValue } from '../promql/quote.js';
import { idSelector } from '../promql/selector.js';
import { seriesLabels } from './recording.js';
import type { BaseExpressions } from './sli-expressions.js';
import type { RenderOptions } from './types.js';

/** The engine's maintenance series of this SLO, for the windows that leave events out of the budget. */
export function maintenanceSelector(slo: Slo): string {
  return idSelector(MAINTENANCE_SERIES, { ...idLabels(slo), [MAINTENANCE_BUDGET_LABEL]: 'excluded' });
}

/**
 * 0 while the engine says the SLO is in a maintenance window excluded from its budget, else 1.
 * Zero rather than absent, so that a window counts no events without looking like "no data";
 * `max` folds the series of several engines (an HA pair) into one; without any series (no
 * engine scraped) it is 1 and nothing is dropped.
 */
function countedFactor(slo: Slo): string {
  return `scalar(1 - (max(${maintenanceSelector(slo)}) == bool 1) or vector(1))`;
}

/**
 * The base counts with maintenance left out: both bad and total are multiplied by 0 while the
 * SLO is in an excluded window, so every longer window, ratio and budget summed from them
 * ignores it. SLOs without such windows get their expressions back unchanged.
 */
export function withoutMaintenance(slo: Slo, base: BaseExpressions | undefined): BaseExpressions | undefined {
  if (!base || budgetExclusions(slo).length === 0) return base;
  const factor = countedFactor(slo);
  return { total: `(\n${indent(base.total)}\n)\n* ${factor}`, bad: `(\n${indent(base.bad)}\n)\n* ${factor}` };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/**
 * A promtool scenario for an SLO whose maintenance is left out of its budget: a full outage
 * while the engine's series says maintenance (nothing may fire), going on after it ends (every
 * tier must fire once its windows and `for` have passed). Only for feeders of raw series: base
 * counts fed directly would bypass the expressions that read the series.
 */
export function maintenanceScenario(slo: Slo, opts: RenderOptions, feederReadsRaw: boolean) {
  const tiers = slo.alerting.tiers;
  if (!feederReadsRaw || !tiers.length || budgetExclusions(slo).length === 0) return [];
  const maxFor = Math.max(...tiers.map((t) => Math.round(t.for / MINUTE)));
  const ends = Math.max(65, maxFor + 15);
  // Every window holds only post-maintenance events 5m after the end; then each tier waits its `for`.
  const check = ends + 5 + maxFor + 5;
  const last = check + 10;
  const labels = { ...seriesLabels(slo, opts), [MAINTENANCE_BUDGET_LABEL]: 'excluded' };
  const body = Object.entries(labels).map(([k, v]) => `${k}=${quoteLabelValue(v)}`).join(', ');
  return [{
    name: 'a full outage during maintenance left out of the budget stays silent, and pages once the maintenance ends',
    schedule: [[last, 1]] as const,
    extra: [{ series: `${MAINTENANCE_SERIES}{${body}}`, values: `1+0x${ends - 1} 0+0x${last - ends}` }],
    checks: [
      { at: ends - 1, firing: [] },
      { at: check, firing: tiers.filter((t) => t.factor < 1 / slo.errorBudget) },
    ],
  }];
}
