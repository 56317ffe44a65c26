import { BASE_WINDOW } from '../model/constants.js';
import type { Slo } from '../model/slo.js';
import { burnRateAlerts, guardAlerts } from '../rules/alerts.js';
import { seriesLabels } from '../rules/recording.js';
import type { AlertingRule, RenderOptions } from '../rules/types.js';
import { idLabels } from '../model/naming.js';
import { parseDuration } from '../model/duration.js';
import type { Condition } from './alert-state.js';
import { windowOf, type GroupStatus } from './evaluate.js';
import { expandTemplate } from './template.js';

/** The generated alerting rules of one SLO, read once per load: the engine alerts with their exact labels. */
export interface SloAlertRules {
  tiers: AlertingRule[];
  noData?: AlertingRule;
  exhausted?: AlertingRule;
}

export function alertRulesOf(slo: Slo, opts: RenderOptions): SloAlertRules {
  const guards = guardAlerts(slo, opts);
  return {
    tiers: burnRateAlerts(slo, opts),
    noData: guards.find((r) => r.alert === 'SLONoData'),
    exhausted: guards.find((r) => r.alert === 'SLOErrorBudgetExhausted'),
  };
}

export function alertKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function forMs(rule: AlertingRule): number {
  return rule.for ? parseDuration(rule.for) ?? 0 : 0;
}

function condition(slo: Slo, rule: AlertingRule, sampleLabels: Record<string, string>, value: number): Condition {
  // As in Prometheus: the rule's labels override the sample's, and alertname is set last.
  const labels: Record<string, string> = { ...sampleLabels, ...rule.labels, alertname: rule.alert };
  const annotations: Record<string, string> = {};
  // Prometheus gives templates the labels of the expression's result only, not the rule's own.
  for (const [k, v] of Object.entries(rule.annotations)) annotations[k] = expandTemplate(v, sampleLabels, value);
  return { key: alertKey(labels), slo: slo.id, labels, annotations, value, forMs: forMs(rule) };
}

/** Which of the SLO's alerts hold now, with the labels Prometheus would give them. */
export function sloConditions(slo: Slo, rules: SloAlertRules, groups: readonly GroupStatus[], opts: RenderOptions): Condition[] {
  const out: Condition[] = [];
  const own = seriesLabels(slo, opts);
  for (const g of groups) {
    const recorded = { ...g.labels, ...own };
    slo.alerting.tiers.forEach((tier, i) => {
      const long = windowOf(g, tier.longWindow);
      const short = windowOf(g, tier.shortWindow);
      if (long?.burnRate === undefined || short?.burnRate === undefined) return;
      if (!(long.burnRate > tier.factor && short.burnRate > tier.factor)) return;
      if (slo.alerting.minEvents !== undefined && slo.sli.kind !== 'rawErrorRatio' && !((long.total ?? 0) >= slo.alerting.minEvents)) return;
      out.push(condition(slo, rules.tiers[i]!, recorded, long.burnRate));
    });
    if (rules.exhausted && g.budgetRemaining !== undefined && g.budgetRemaining <= 0) out.push(condition(slo, rules.exhausted, recorded, g.budgetRemaining));
  }
  const hasData = groups.some((g) => {
    const w = windowOf(g, BASE_WINDOW);
    return slo.sli.kind === 'rawErrorRatio' ? w?.errorRatio !== undefined : w?.total !== undefined;
  });
  // absent() returns the equality matchers of its selector, the SLO's identity labels.
  if (rules.noData && !hasData) out.push(condition(slo, rules.noData, idLabels(slo), 1));
  return out;
}
