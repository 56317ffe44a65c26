import type { Slo } from '../model/slo.js';
import { burnRateAlerts, guardAlerts } from '../rules/alerts.js';
import { seriesLabels } from '../rules/recording.js';
import type { AlertingRule, RenderOptions } from '../rules/types.js';
import { idLabels } from '../model/naming.js';
import { parseDuration } from '../model/duration.js';
import type { AnnotationSource, Condition } from './alert-state.js';
import { evaluateWindows, hasRatio, SUMMED, WINDOW_WIDTH, windowScratch } from './evaluate.js';
import { TIER_WIDTH, type SloState } from './slo-state.js';
import { compileTemplate } from './template.js';

/** One generated alerting rule, with what an evaluation needs from it worked out once. */
interface CompiledRule {
  rule: AlertingRule;
  forMs: number;
  annotations: Array<[string, (labels: Record<string, string>, value: number) => string]>;
}

/**
 * A rule's alert for one group's sample: the same labels, key and condition object at every
 * evaluation (only `value` is set anew), and the annotations expanded once per value, when read.
 */
class AlertShape implements Condition, AnnotationSource {
  readonly source = this;
  value = NaN;
  private expandedFor = NaN;
  private expanded: Record<string, string> | undefined;

  constructor(
    readonly key: string,
    readonly slo: string,
    readonly labels: Record<string, string>,
    readonly forMs: number,
    private readonly sample: Record<string, string>,
    private readonly templates: CompiledRule['annotations'],
  ) {}

  annotationsAt(value: number): Record<string, string> {
    if (this.expanded && Object.is(this.expandedFor, value)) return this.expanded;
    const annotations: Record<string, string> = {};
    // Prometheus gives templates the labels of the expression's result only, not the rule's own.
    for (const [k, expand] of this.templates) annotations[k] = expand(this.sample, value);
    this.expanded = annotations;
    this.expandedFor = value;
    return annotations;
  }
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
  shapes: WeakMap<object, GroupShapes>;
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
  let shape = byRule.get(rule);
  if (!shape) {
    const c = rules.compiled.get(rule)!;
    // As in Prometheus: the rule's labels override the sample's, and alertname is set last.
    const labels: Record<string, string> = { ...sampleLabels, ...rule.labels, alertname: rule.alert };
    shape = new AlertShape(alertKey(labels), slo.id, labels, c.forMs, sampleLabels, c.annotations);
    byRule.set(rule, shape);
  }
  // The condition is consumed (stepped) before the next evaluation sets another value.
  shape.value = value;
  return shape;
}

/**
 * Which of the SLO's alerts hold at `t`, with the labels Prometheus would give them, read from
 * each group's windows evaluated into flat numbers (no status objects: the alert path runs for
 * every SLO at every evaluation). `failed`: the query backend is down, so no group has data.
 */
export function sloConditions(state: SloState, rules: SloAlertRules, t: number, now: number, failed: boolean, out: Condition[] = []): Condition[] {
  const { slo, windows, tierPlan: plan, baseAt, periodAt } = state;
  let hasData = false;
  const vals = windowScratch(windows.length);
  for (const g of failed ? [] : state.groups.values()) {
    evaluateWindows(state, g, t, now, vals);
    if (baseAt >= 0 && (slo.sli.kind === 'rawErrorRatio' ? hasRatio(vals, baseAt) : vals[baseAt * WINDOW_WIDTH] === SUMMED)) hasData = true;
    let shapes: GroupShapes | undefined;
    for (let i = 0; i < plan.length / TIER_WIDTH; i++) {
      const long = plan[i * TIER_WIDTH]!;
      const short = plan[i * TIER_WIDTH + 1]!;
      if (long < 0 || short < 0 || !hasRatio(vals, long) || !hasRatio(vals, short)) continue;
      const longBurn = vals[long * WINDOW_WIDTH + 4]!;
      const factor = plan[i * TIER_WIDTH + 2]!;
      if (!(longBurn > factor && vals[short * WINDOW_WIDTH + 4]! > factor)) continue;
      if (slo.alerting.minEvents !== undefined && slo.sli.kind !== 'rawErrorRatio') {
        const total = vals[long * WINDOW_WIDTH] === SUMMED ? vals[long * WINDOW_WIDTH + 1]! : 0;
        if (!(total >= slo.alerting.minEvents)) continue;
      }
      shapes ??= groupShapes(rules, g.labels);
      out.push(condition(slo, rules, rules.tiers[i]!, shapes.recorded, shapes.byRule, longBurn));
    }
    if (rules.exhausted && periodAt >= 0 && hasRatio(vals, periodAt)) {
      const budgetRemaining = 1 - vals[periodAt * WINDOW_WIDTH + 4]!;
      if (budgetRemaining <= 0) {
        shapes ??= groupShapes(rules, g.labels);
        out.push(condition(slo, rules, rules.exhausted, shapes.recorded, shapes.byRule, budgetRemaining));
      }
    }
  }
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

type GroupShapes = { recorded: Record<string, string>; byRule: Map<AlertingRule, AlertShape> };

/** A group's sample labels (its own and the SLO's recorded series labels) and alert shapes, made once per group. */
function groupShapes(rules: SloAlertRules, labels: Record<string, string>): GroupShapes {
  let shapes = rules.shapes.get(labels);
  if (!shapes) {
    shapes = { recorded: { ...labels, ...rules.own }, byRule: new Map() };
    rules.shapes.set(labels, shapes);
  }
  return shapes;
}
