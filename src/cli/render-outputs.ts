import { dashboardOutputs, type DashboardOutputOptions } from '../dashboards/index.js';
import type { Slo } from '../model/slo.js';
import { ruleOutputs, type RuleOutputOptions } from '../rules/index.js';

/** What `slo generate` renders: rule files and tests, and dashboards, each by file name. */
export interface RenderInput {
  slos: readonly Slo[];
  rules: RuleOutputOptions;
  dashboards: DashboardOutputOptions;
}

export interface RenderedOutputs {
  rules: Map<string, string>;
  dashboards: Map<string, string>;
}

/** Everything on this thread: from the sources, and whenever the worker cannot help. */
export function renderHere(input: RenderInput): RenderedOutputs {
  return { rules: ruleOutputs(input.slos, input.rules), dashboards: dashboardOutputs(input.slos, input.dashboards) };
}

/**
 * `slos` in the order ruleOutputs renders them (by id), cut in two: an SLO's rule files depend
 * on that SLO alone, so the files of the two parts, first then second, are ruleOutputs of all.
 */
export function splitForRules(slos: readonly Slo[], secondShare: number): [Slo[], Slo[]] {
  const sorted = [...slos].sort((a, b) => (a.id < b.id ? -1 : 1));
  const cut = sorted.length - Math.round(sorted.length * secondShare);
  return [sorted.slice(0, cut), sorted.slice(cut)];
}
