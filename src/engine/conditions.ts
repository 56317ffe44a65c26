import { BASE_WINDOW } from '../model/constants.js';
import type { Slo } from '../model/slo.js';
import { burnRateAlerts, guardAlerts } from '../rules/alerts.js';
import { seriesLabels } from '../rules/recording.js';
import type { AlertingRule, RenderOptions } from '../rules/types.js';
import { idLabels } from '../model/naming.js';
import { parseDuration } from '../model/duration.js';
import type { Condition } from './alert-state.js';
import { windowOf, type GroupStatus } from './evaluate.js';
import { compileTemplate } from './template.js';

/** One generated alerting rule, with what an evaluation needs from it worked out once. */
interface CompiledRule {
  rule: AlertingRule;
  forMs: number;
  annotations: Array<[string, (labels: Record<string, string>, value: number) => string]>;
}

/** A rule's alert for one sample's labels: the same labels, key and (for an unchanged value) annotations every evaluation. */
interface AlertShape {
  labels: Record<string, string>;
  key: string;
  value?: number;
  annotations?: Record<string, string>;
}

/** The generated alerting rules of one SLO, read once per load: the engine alerts with their exact labels. */
export interface SloAlertRules {
  tiers: AlertingRule[];
  noData?: AlertingRule;
  exhausted?: AlertingRule;
  /** The labels of the SLO's recorded series, which every alert's sample carries. */
  own: Record<string, string>;
  compiled: Map<AlertingRule, CompiledRule>;
  /** Per group (by its labels object, stable for the group's life): sample labels and each rule's alert shape. */
  shapes: WeakMap<object, { recorded: Record<string, string>; byRule: Map<AlertingRule, AlertShape> }>;
}

export function alertRulesOf(slo: Slo, opts: RenderOptions): SloAlertRules {
  const guards = guardAlerts(slo, opts);
  const tiers = burnRateAlerts(slo, opts);
  const noData = guards.find((r) => r.alert === 'SLONoData');
  const exhausted = guards.find((r) => r.alert === 'SLOErrorBudgetExhausted');
  const compiled = new Map<AlertingRule, CompiledRule>();
  for (const rule of [...tiers, noData, exhausted]) {
    if (!rule || compiled.has(rule)) continue;
    compiled.set(rule, { rule, forMs: forMs(rule), annotations: Object.entries(rule.annotations).map(([k, v]) => [k, compileTemplate(v)]) });
  }
  return { tiers, noData, exhausted, own: seriesLabels(slo, opts), compiled, shapes: new WeakMap() };
}

export function alertKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function forMs(rule: AlertingRule): number {
  return rule.for ? parseDuration(rule.for) ?? 0 : 0;
}

function condition(slo: Slo, rules: SloAlertRules, rule: AlertingRule, sampleLabels: Record<string, string>, byRule: Map<AlertingRule, AlertShape>, value: number): Condition {
  const c = rules.compiled.get(rule)!;
  let shape = byRule.get(rule);
  if (!shape) {
    // As in Prometheus: the rule's labels override the sample's, and alertname is set last.
    const labels: Record<string, string> = { ...sampleLabels, ...rule.labels, alertname: rule.alert };
    shape = { labels, key: alertKey(labels) };
    byRule.set(rule, shape);
  }
  if (!shape.annotations || !Object.is(shape.value, value)) {
    const annotations: Record<string, string> = {};
    // Prometheus gives templates the labels of the expression's result only, not the rule's own.
    for (const [k, expand] of c.annotations) annotations[k] = expand(sampleLabels, value);
    shape.annotations = annotations;
    shape.value = value;
  }
  return { key: shape.key, slo: slo.id, labels: shape.labels, annotations: shape.annotations, value, forMs: c.forMs };
}

/** Which of the SLO's alerts hold now, with the labels Prometheus would give them. */
export function sloConditions(slo: Slo, rules: SloAlertRules, groups: readonly GroupStatus[], out: Condition[] = []): Condition[] {
  const tiers = slo.alerting.tiers;
  for (const g of groups) {
    let shapes = rules.shapes.get(g.labels);
    if (!shapes) {
      shapes = { recorded: { ...g.labels, ...rules.own }, byRule: new Map() };
      rules.shapes.set(g.labels, shapes);
    }
    const recorded = shapes.recorded;
    for (let i = 0; i < tiers.length; i++) {
      const tier = tiers[i]!;
      const long = windowOf(g, tier.longWindow);
      const short = windowOf(g, tier.shortWindow);
      if (long?.burnRate === undefined || short?.burnRate === undefined) continue;
      if (!(long.burnRate > tier.factor && short.burnRate > tier.factor)) continue;
      if (slo.alerting.minEvents !== undefined && slo.sli.kind !== 'rawErrorRatio' && !((long.total ?? 0) >= slo.alerting.minEvents)) continue;
      out.push(condition(slo, rules, rules.tiers[i]!, recorded, shapes.byRule, long.burnRate));
    }
    if (rules.exhausted && g.budgetRemaining !== undefined && g.budgetRemaining <= 0) out.push(condition(slo, rules, rules.exhausted, recorded, shapes.byRule, g.budgetRemaining));
  }
  const hasData = groups.some((g) => {
    const w = windowOf(g, BASE_WINDOW);
    return slo.sli.kind === 'rawErrorRatio' ? w?.errorRatio !== undefined : w?.total !== undefined;
  });
  // absent() returns the equality matchers of its selector, the SLO's identity labels.
  if (rules.noData && !hasData) {
    let shapes = rules.shapes.get(rules);
    if (!shapes) {
      shapes = { recorded: idLabels(slo), byRule: new Map() };
      rules.shapes.set(rules, shapes);
    }
    out.push(condition(slo, rules, rules.noData, shapes.recorded, shapes.byRule, 1));
  }
  return out;
}
