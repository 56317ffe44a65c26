import { parseDuration } from '../model/duration.js';
import { budgetFromPercent, formatNumber } from '../model/numbers.js';
import type { Slo } from '../model/slo.js';
import { checkWindows } from './check-windows.js';
import type { DocContext } from './context.js';
import { show } from './errors.js';
import { readAlerting } from './pyrra/alerting.js';
import { readIndicator } from './pyrra/indicator.js';
import { PYRRA_SCHEMA } from './pyrra/schema.js';
import { checkSchema } from './schema-check.js';
import { LABEL_NAME_RE } from '../promql/quote.js';

type Raw = Record<string, any>;

/** Labels and annotations with this prefix are copied to rules and alerts, prefix stripped (as Pyrra does). */
const PROPAGATE = 'pyrra.dev/';
/** An explicit service for the SLO id; otherwise the namespace, otherwise the SLO's own name. */
export const PYRRA_SERVICE_LABEL = 'pyrra.dev/service';
const NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const FLOAT_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function isPyrra(v: unknown): boolean {
  return (v as Raw | null)?.apiVersion === 'pyrra.dev/v1alpha1';
}

function propagated(map: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => k.startsWith(PROPAGATE)).map(([k, v]) => [k.slice(PROPAGATE.length), v]));
}

/** Propagated keys lose their prefix and become rule labels or alert annotations: Prometheus refuses names such as `team-name`. */
function checkPropagatedNames(ctx: DocContext, kind: 'labels' | 'annotations', map: Record<string, string> | undefined): void {
  for (const key of Object.keys(propagated(map))) {
    if (LABEL_NAME_RE.test(key)) continue;
    ctx.error(['metadata', kind, PROPAGATE + key], `${show(PROPAGATE + key)} would become the ${kind === 'labels' ? 'label' : 'annotation'} ${show(key)}, which Prometheus refuses`,
      `use letters, digits and "_" after ${PROPAGATE}, e.g. ${PROPAGATE}${key.replace(/[^a-zA-Z0-9_]/g, '_')}`);
  }
}

/** `spec.target`: a string percent, because Kubernetes CRDs have no floats. */
function readTarget(ctx: DocContext, raw: unknown): number | undefined {
  const at = ['spec', 'target'];
  if (typeof raw !== 'string') {
    ctx.error(at, `Pyrra's target is a string (got ${show(raw)}), and Kubernetes refuses a number here`, `quote it: target: "${String(raw)}"`);
    return undefined;
  }
  const percent = Number(raw.trim());
  if (!FLOAT_RE.test(raw.trim()) || !Number.isFinite(percent)) {
    ctx.error(at, `${show(raw)} is not a number`, 'write the objective in percent as a string, e.g. target: "99.5"');
    return undefined;
  }
  if (percent <= 0 || percent >= 100) {
    ctx.error(at, `${show(raw)} must be above 0 and below 100`, '100 leaves no error budget, so every burn rate would be infinite; write e.g. "99.9"');
    return undefined;
  }
  if (percent < 1) ctx.warn(at, `the target is in percent: ${show(raw)} means ${raw}%, not ${formatNumber(percent * 100)}%`, `write "${formatNumber(percent * 100)}" if you meant ${formatNumber(percent * 100)}%`);
  return percent;
}

/** Settings that shape Pyrra's own output objects; they are accepted, and say so when they cannot carry over. */
function outputSettings(ctx: DocContext, spec: Raw): void {
  const out: Raw | undefined = spec.ruleOutput;
  if (out && (Object.keys(out.shortRulesLabels ?? {}).length || Object.keys(out.longRulesLabels ?? {}).length || out.enableDescriptionAsLabel)) {
    ctx.warn(['spec', 'ruleOutput'], 'ruleOutput labels the separate rule objects Pyrra writes; slo generate writes all rules of an SLO to one rule file and one PrometheusRule, so these labels are not applied',
      'select the generated PrometheusRule by its app.kubernetes.io/managed-by: slo-engine label');
  }
  if (spec.partial_response_strategy === 'warn') {
    ctx.warn(['spec', 'partial_response_strategy'], 'the generated rule groups set no partial_response_strategy, so Thanos Ruler applies its default (abort); Prometheus ignores it either way',
      'set partial_response_strategy on the rule groups in your Thanos Ruler deployment if you need warn');
  }
  // performanceOverAccuracy asks for long windows summed from 5m increases: our rules always work that way.
}

/** One pyrra.dev/v1alpha1 ServiceLevelObjective to one SLO. */
export function readPyrra(ctx: DocContext): Slo[] {
  const doc = ctx.doc.value as Raw;
  // Other documents of the same file may have failed already; only this one's problems count.
  const before = ctx.problems.length;
  const failed = () => ctx.problems.slice(before).some((p) => p.severity === 'error');
  if (!checkSchema(ctx, PYRRA_SCHEMA, doc)) return [];
  const spec = doc.spec as Raw;
  const name = String(doc.metadata.name);
  const namespace = doc.metadata.namespace as string | undefined;
  const metaLabels = (doc.metadata.labels ?? {}) as Record<string, string>;
  const service = metaLabels[PYRRA_SERVICE_LABEL] ?? namespace ?? name;
  if (!NAME_RE.test(service)) {
    ctx.error(['metadata', 'labels', PYRRA_SERVICE_LABEL], `${show(service)} cannot name a service`, 'use letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
  }
  checkPropagatedNames(ctx, 'labels', metaLabels);
  checkPropagatedNames(ctx, 'annotations', doc.metadata.annotations);
  const percent = readTarget(ctx, spec.target);
  const window = typeof spec.window === 'string' ? parseDuration(spec.window) : undefined;
  if (window === undefined) ctx.error(['spec', 'window'], `${show(spec.window)} is not a Prometheus duration`, 'write the SLO window as a duration such as 7d, 2w, 4w or 28d');
  const indicator = readIndicator(ctx, ['spec', 'indicator'], spec.indicator as Raw);
  outputSettings(ctx, spec);
  if (percent === undefined || window === undefined || !indicator) return [];

  // Pyrra's rule labels: slo, the pyrra.dev/* labels, and the total selector's `=` matchers, minus grouped labels.
  const labels: Record<string, string> = { slo: name, ...propagated(metaLabels) };
  for (const m of indicator.labelSource.matchers) if (m.op === '=') labels[m.label] = m.value;
  for (const g of indicator.grouping) delete labels[g];

  const errorBudget = budgetFromPercent(percent);
  const objective = Number((percent / 100).toPrecision(12));
  const alerting = readAlerting(ctx, spec, window, percent / 100, errorBudget, propagated(doc.metadata.annotations));
  if (failed()) return [];
  const slo: Slo = {
    id: `${service}-${name}`,
    service,
    name,
    description: (spec.description as string | undefined) ?? '',
    labels,
    objective,
    objectivePercent: formatNumber(percent),
    errorBudget,
    window,
    sli: indicator.sli,
    alerting,
    convention: 'native',
    source: { file: ctx.file, line: ctx.line([]), format: 'pyrra', k8sName: name, k8sNamespace: namespace, ...k8sLabelsOf(metaLabels) },
  };
  checkWindows(ctx, ['spec'], slo);
  return failed() ? [] : [slo];
}

/** The CR's labels as Kubernetes labels of the PrometheusRule (values only strings, as Kubernetes has them). */
function k8sLabelsOf(labels: unknown): { k8sLabels?: Record<string, string> } {
  if (typeof labels !== 'object' || labels === null) return {};
  const out = Object.fromEntries(Object.entries(labels as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  return Object.keys(out).length ? { k8sLabels: out } : {};
}
