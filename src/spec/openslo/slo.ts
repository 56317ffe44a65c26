import type { CalendarWindow } from '../../model/calendar.js';
import { budgetFromPercent, formatNumber, tidy } from '../../model/numbers.js';
import type { Convention, Sli, Slo } from '../../model/slo.js';
import { buildPolicy } from '../alert-policy.js';
import { checkWindows } from '../check-windows.js';
import { show } from '../errors.js';
import { readAlerting } from './alerting.js';
import { catalogSli, groupByAnnotation, nativeSliAnnotation } from './annotated-sli.js';
import { ours, SLO_KEYS } from './annotations.js';
import { buildSli, type BudgetingMethod } from './budgeting.js';
import { readSliSource, type SliSource } from './indicator.js';
import { ruleLabels } from './labels.js';
import { checkName, slug } from './names.js';
import { error, errorCount, field, warn, type OsloObject, type Raw } from './objects.js';
import type { Registry } from './registry.js';
import { readTimeWindow } from './time-window.js';

const SERVICE_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** One SLO document to one model SLO per objective. */
export function readSlo(slo: OsloObject, registry: Registry): Slo[] {
  const { loc } = slo;
  const doc = slo.value;
  const spec = doc.spec as Raw;
  const start = errorCount(loc);
  const mine = ours(field(loc, 'metadata', 'annotations'), doc.metadata.annotations, SLO_KEYS);
  const service = spec.service as string;
  if (!SERVICE_RE.test(service)) {
    error(field(loc, 'spec', 'service'), `${show(service)} cannot name a service in rule labels`, 'use letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
  }
  const services = registry.names('Service');
  if (services.length && !services.includes(service)) {
    warn(field(loc, 'spec', 'service'), `no Service named ${show(service)}; known: ${services.join(', ')}`, `add a Service document named ${service}, or fix the name`);
  }
  const labels = ruleLabels(field(loc, 'metadata', 'labels'), doc.metadata.labels);
  const time = readTimeWindow(field(loc, 'spec', 'timeWindow', 0), spec.timeWindow[0]);
  const source = readSource(slo, registry);
  const groupBy = groupByAnnotation(mine);
  const catalog = catalogSli(mine);
  const annotated = catalog ? undefined : nativeSliAnnotation(mine);
  const convention = conventionOf(mine);
  const method = spec.budgetingMethod as BudgetingMethod;
  const objectives = spec.objectives as Raw[];
  const nameAnnotation = mine.get(SLO_KEYS.name);
  // The name makes the SLO id, rule file names and label values: it follows the native name rules.
  if (nameAnnotation && (!SERVICE_RE.test(nameAnnotation.text) || nameAnnotation.text.length > 128)) {
    error(nameAnnotation.loc, `${show(nameAnnotation.text)} cannot name an SLO`, 'use at most 128 letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
  }
  const names = objectiveNames(nameAnnotation?.text ?? slo.name, objectives);
  const out: Slo[] = [];
  objectives.forEach((o, i) => {
    const obj = field(loc, 'spec', 'objectives', i);
    const before = errorCount(loc);
    if (o.indicator !== undefined || o.indicatorRef !== undefined || o.compositeWeight !== undefined) {
      error(obj, 'composite SLOs (an indicator or compositeWeight per objective) are not supported', 'write one SLO per indicator');
      return;
    }
    if ((o.target === undefined) === (o.targetPercent === undefined)) {
      error(obj, o.target === undefined ? 'the objective needs target or targetPercent' : 'give target or targetPercent, not both', 'target: 0.999 is the same as targetPercent: 99.9');
      return;
    }
    const percent: number = o.target !== undefined ? tidy(o.target * 100) : o.targetPercent;
    const fromIndicator = source && buildSli(source, method, obj, o, groupBy);
    const sli: Sli | undefined = catalog?.sli ?? annotated ?? fromIndicator;
    if (!sli || !time || !source) return;
    const errorBudget = budgetFromPercent(percent);
    const policyInput = readAlerting(slo, mine, { registry, window: time.window, calendar: time.calendar?.unit, counted: sli.kind !== 'rawErrorRatio' });
    if (!policyInput) return;
    const alerting = buildPolicy(loc.ctx, ['spec', 'alertPolicies'], policyInput, time.window, errorBudget);
    if (alerting.noData && policyInput.noDataLabel) alerting.noData.severityLabel = policyInput.noDataLabel;
    if (errorCount(loc) > before || errorCount(loc) > start) return;
    const name = names[i]!;
    const made: Slo = {
      id: `${service}-${name}`,
      service,
      name,
      description: (spec.description as string | undefined) || catalog?.description || '',
      labels,
      objective: tidy(percent / 100),
      objectivePercent: formatNumber(percent),
      errorBudget,
      window: time.window,
      ...(time.calendar ? { calendar: time.calendar as CalendarWindow } : {}),
      sli,
      ...(catalog ? { catalog: catalog.catalog } : {}),
      alerting,
      convention,
      source: { file: loc.ctx.file, line: loc.ctx.line(objectives.length > 1 ? obj.at : []), format: 'openslo', k8sName: slo.name, k8sNamespace: doc.metadata.namespace },
    };
    checkWindows(loc.ctx, ['spec'], made);
    if (errorCount(loc) === before) out.push(made);
  });
  return errorCount(loc) > start ? [] : out;
}

function readSource(slo: OsloObject, registry: Registry): SliSource | undefined {
  const spec = slo.value.spec as Raw;
  const at = field(slo.loc, 'spec');
  if ((spec.indicator === undefined) === (spec.indicatorRef === undefined)) {
    error(at, spec.indicator === undefined ? 'the SLO needs indicator or indicatorRef' : 'give indicator or indicatorRef, not both',
      'indicator: an inline SLI; indicatorRef: the name of an SLI document');
    return undefined;
  }
  let sli: OsloObject | undefined;
  if (spec.indicatorRef !== undefined) sli = registry.resolve('SLI', spec.indicatorRef, field(at, 'indicatorRef'));
  else {
    const value = spec.indicator as Raw;
    const loc = field(at, 'indicator');
    if (value.metadata && !checkName(field(loc, 'metadata', 'name'), value.metadata.name)) return undefined;
    sli = { kind: 'SLI', name: value.metadata?.name ?? '', value, loc };
  }
  return sli && readSliSource(sli, registry);
}

/** One objective keeps the SLO's name; several are told apart by their displayName, or by index when that is missing or repeated. */
function objectiveNames(base: string, objectives: Raw[]): string[] {
  if (objectives.length === 1) return [base];
  const slugs = objectives.map((o) => (typeof o.displayName === 'string' ? slug(o.displayName) : ''));
  return slugs.map((s, i) => (s && slugs.indexOf(s) === slugs.lastIndexOf(s) ? `${base}-${s}` : `${base}-${i}`));
}

function conventionOf(mine: ReturnType<typeof ours>): Convention {
  const a = mine.get(SLO_KEYS.convention);
  if (!a || a.text === 'native') return 'native';
  if (a.text === 'sloth') return 'sloth';
  error(a.loc, `${show(a.text)} is not a naming convention`, 'use native or sloth');
  return 'native';
}
