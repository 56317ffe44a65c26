import type { Slo } from '../model/slo.js';
import { burnRateAlerts, guardAlerts } from '../rules/alerts.js';
import { seriesLabels } from '../rules/recording.js';
import type { AlertingRule, RenderOptions } from '../rules/types.js';
import { idLabels } from '../model/naming.js';
import { parseDuration } from '../model/duration.js';
import type { AnnotationSource, Condition } from './alert-state.js';
import { evaluateWindows, hasRatio, SUMMED, WINDOW_WIDTH, windowScratch } from './evaluate.js';
import { TIER_WIDTH, type GroupState, type SloState } from './slo-state.js';
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
  /** The no-data alert's sample labels and shape (a group's own sit on the group: see groupShapes). */
  absent?: GroupShapes;
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
  return { tiers, noData, exhausted, own: seriesLabels(slo, opts), compiled, absent: undefined };
}

export function alertKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function forMs(rule: AlertingRule): number {
  return rule.for ? parseDuration(rule.for) ?? 0 : 0;
}

/** `rule`'s alert for a sample with `shapes.recorded`; `at` is the rule's place in `shapes.byRule` (see GroupShapes). */
function condition(slo: Slo, rules: SloAlertRules, rule: AlertingRule, shapes: GroupShapes, at: number, value: number): Condition {
  let shape = shapes.byRule[at];
  if (!shape) {
    const c = rules.compiled.get(rule)!;
    const sampleLabels = shapes.recorded;
    // As in Prometheus: the rule's labels override the sample's, and alertname is set last.
    const labels: Record<string, string> = { ...sampleLabels, ...rule.labels, alertname: rule.alert };
    shape = new AlertShape(alertKey(labels), slo.id, labels, c.forMs, sampleLabels, c.annotations);
    shapes.byRule[at] = shape;
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
  const { slo, windows, tierPlan: plan, baseAt, periodAt, rawRatio, minEvents } = state;
  let hasData = false;
  const vals = windowScratch(windows.length);
  const groups = failed ? NO_GROUPS : state.groupList;
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi]!;
    evaluateWindows(state, g, t, now, vals);
    if (baseAt >= 0 && (rawRatio ? hasRatio(vals, baseAt) : vals[baseAt * WINDOW_WIDTH] === SUMMED)) hasData = true;
    let shapes: GroupShapes | undefined;
    for (let i = 0; i < plan.length / TIER_WIDTH; i++) {
      const long = plan[i * TIER_WIDTH]!;
      const short = plan[i * TIER_WIDTH + 1]!;
      if (long < 0 || short < 0 || !hasRatio(vals, long) || !hasRatio(vals, short)) continue;
      const longBurn = vals[long * WINDOW_WIDTH + 4]!;
      const factor = plan[i * TIER_WIDTH + 2]!;
      if (!(longBurn > factor && vals[short * WINDOW_WIDTH + 4]! > factor)) continue;
      if (minEvents !== undefined) {
        const total = vals[long * WINDOW_WIDTH] === SUMMED ? vals[long * WINDOW_WIDTH + 1]! : 0;
        if (!(total >= minEvents)) continue;
      }
      shapes ??= groupShapes(rules, g);
      out.push(condition(slo, rules, rules.tiers[i]!, shapes, i, longBurn));
    }
    // The SLO's rules are read only when an alert holds: most SLOs have none at most evaluations.
    if (periodAt >= 0 && hasRatio(vals, periodAt)) {
      const budgetRemaining = 1 - vals[periodAt * WINDOW_WIDTH + 4]!;
      if (budgetRemaining <= 0 && rules.exhausted) {
        shapes ??= groupShapes(rules, g);
        out.push(condition(slo, rules, rules.exhausted, shapes, rules.tiers.length, budgetRemaining));
      }
    }
  }
  // absent() returns the equality matchers of its selector, the SLO's identity labels.
  if (!hasData && rules.noData) {
    rules.absent ??= { recorded: idLabels(slo), byRule: [] };
    out.push(condition(slo, rules, rules.noData, rules.absent, 0, 1));
  }
  return out;
}

const NO_GROUPS: readonly GroupState[] = [];

/** A sample's labels and its alert shapes: one per tier (by the tier's index), then the exhausted budget's. */
type GroupShapes = { recorded: Record<string, string>; byRule: Array<AlertShape | undefined> };

/**
 * A group's sample labels (its own and the SLO's recorded series labels) and alert shapes, made
 * once per group and these rules. Kept on the group itself, which the evaluation holds already:
 * about half the SLOs alert at every evaluation here, and a lookup in a per-SLO table first
 * was one more read of memory that is rarely in cache. A reload makes new rules, so new shapes.
 */
function groupShapes(rules: SloAlertRules, g: GroupState): GroupShapes {
  if (g.shapesOf === rules) return g.shapes as GroupShapes;
  const shapes: GroupShapes = { recorded: { ...g.labels, ...rules.own }, byRule: [] };
  g.shapesOf = rules;
  g.shapes = shapes;
  return shapes;
}
