import { BASE_WINDOW, DEFAULT_ALERT_NAME } from '../../model/constants.js';
import { formatDuration, parseDuration, type Millis } from '../../model/duration.js';
import { defaultShortWindow } from '../../model/policy.js';
import type { Severity } from '../../model/slo.js';
import type { PolicyInput, TierInput, ToggleInput } from '../alert-policy.js';
import { LABEL_NAME_RE } from '../../promql/quote.js';
import { show } from '../errors.js';
import { CONDITION_KEYS, foreign, jsonAnnotation, ours, SLO_KEYS } from './annotations.js';
import { durationAt } from './durations.js';
import { ruleLabels } from './labels.js';
import { checkName } from './names.js';
import { error, field, warn, type Loc, type OsloObject, type Raw } from './objects.js';
import type { Registry } from './registry.js';

/** page and critical page; every other word opens a ticket, and the alert's severity label keeps the word. */
export function severityOf(word: string): Severity {
  return ['page', 'critical'].includes(word.toLowerCase()) ? 'page' : 'ticket';
}

/**
 * The short window of a tier read from one lookback window: the Workbook's one twelfth, on the 5m
 * grid count-based SLIs are summed on (at least 5m), or to the minute for raw ratios.
 */
export function derivedShortWindow(long: Millis, counted: boolean): Millis {
  if (!counted) return defaultShortWindow(long);
  return Math.max(BASE_WINDOW, Math.round(long / 12 / BASE_WINDOW) * BASE_WINDOW);
}

interface Context {
  registry: Registry;
  /** SLO window: no lookback may be longer. */
  window: Millis;
  /** The calendar unit of a calendar window, whose nominal length no lookback may equal. */
  calendar?: string;
  /** Count-based SLIs sum 5m windows, so their alert windows must be multiples of 5m. */
  counted: boolean;
}

/**
 * The SLO's alert policies as our policy input: each burn-rate AlertCondition is one tier, its
 * lookbackWindow the long window. Without alert policies there are no burn-rate alerts.
 */
export function readAlerting(slo: OsloObject, sloAnnotations: ReturnType<typeof ours>, c: Context): (PolicyInput & { noDataLabel?: string }) | undefined {
  const items = (slo.value.spec.alertPolicies ?? []) as Raw[];
  const tiers: Record<string, TierInput> = {};
  const tierAt = new Map<string, Loc>();
  const noDataFrom: Array<{ severity: Severity; label?: string }> = [];
  let ok = true;
  items.forEach((item, i) => {
    const at = field(slo.loc, 'spec', 'alertPolicies', i);
    const policy: OsloObject | undefined = item.alertPolicyRef !== undefined
      ? c.registry.resolve('AlertPolicy', item.alertPolicyRef, field(at, 'alertPolicyRef'))
      : inline('AlertPolicy', at, item);
    if (!policy) {
      ok = false;
      return;
    }
    const read = readPolicy(policy, c);
    if (!read) {
      ok = false;
      return;
    }
    if (read.noData) noDataFrom.push(read.noData);
    if (!read.tier) return;
    const [name, tier, loc] = read.tier;
    const first = tierAt.get(name);
    if (first) {
      error(loc, `this SLO already has an alert condition named ${show(name)} (from ${first.ctx.file}:${first.ctx.line(first.at)})`,
        'each condition becomes one alert tier named after it: give the conditions different names');
      ok = false;
      return;
    }
    tierAt.set(name, loc);
    tiers[name] = tier;
  });
  if (!ok) return undefined;
  const ann = (k: string) => sloAnnotations.get(k);
  const noDataAnnotation = jsonAnnotation(ann(SLO_KEYS.noData)) as { for?: string; severity?: Severity; severityLabel?: string } | undefined;
  // The most severe policy that alerts on no data sets its severity, and its word the label.
  const fromPolicy = noDataFrom.find((n) => n.severity === 'page') ?? noDataFrom[0];
  const noData = noDataAnnotation
    ? { ...(noDataAnnotation.for ? { for: noDataAnnotation.for } : {}), ...(noDataAnnotation.severity ? { severity: noDataAnnotation.severity } : {}) }
    : fromPolicy && { severity: fromPolicy.severity };
  const minEvents = ann(SLO_KEYS.minEvents);
  return {
    noDataLabel: noDataAnnotation ? noDataAnnotation.severityLabel : fromPolicy?.label,
    name: ann(SLO_KEYS.alertName)?.text ?? DEFAULT_ALERT_NAME,
    templates: [],
    tiers,
    labels: jsonAnnotation(ann(SLO_KEYS.alertLabels)) as Record<string, string> | undefined,
    annotations: jsonAnnotation(ann(SLO_KEYS.alertAnnotations)) as Record<string, string> | undefined,
    noData,
    budgetExhausted: jsonAnnotation(ann(SLO_KEYS.budgetExhausted)) as ToggleInput,
    minEvents: minEvents ? Number(minEvents.text) : undefined,
    runbookUrl: ann(SLO_KEYS.runbookUrl)?.text,
  };
}

function inline(kind: 'AlertPolicy' | 'AlertCondition', loc: Loc, value: Raw): OsloObject | undefined {
  if (!checkName(field(loc, 'metadata', 'name'), value.metadata.name)) return undefined;
  return { kind, name: value.metadata.name, value, loc };
}

interface PolicyRead {
  tier?: [string, TierInput, Loc];
  noData?: { severity: Severity; label?: string };
}

function readPolicy(policy: OsloObject, c: Context): PolicyRead | undefined {
  const spec = policy.value.spec as Raw;
  const at = field(policy.loc, 'spec');
  for (const [i, t] of ((spec.notificationTargets ?? []) as Raw[]).entries()) {
    // Routing is Alertmanager's job: targets do not change the rules, so a missing one only warns.
    if (t.targetRef !== undefined) c.registry.resolve('AlertNotificationTarget', t.targetRef, field(at, 'notificationTargets', i, 'targetRef'), 'warning');
  }
  const conditions = (spec.conditions ?? []) as Raw[];
  if (conditions.length > 1) {
    error(field(at, 'conditions', 1), `AlertPolicy ${show(policy.name)} has ${conditions.length} conditions; OpenSLO allows one`,
      'write one AlertPolicy per condition (each becomes one alert tier)');
    return undefined;
  }
  if (conditions.length === 0) {
    warn(field(at, 'conditions'), `AlertPolicy ${show(policy.name)} has no condition, so it raises no burn-rate alert`, 'add a burnrate AlertCondition');
  }
  const cond = conditions[0] && (conditions[0].conditionRef !== undefined
    ? c.registry.resolve('AlertCondition', conditions[0].conditionRef, field(at, 'conditions', 0, 'conditionRef'))
    : inline('AlertCondition', field(at, 'conditions', 0), conditions[0]));
  if (conditions[0] && !cond) return undefined;
  const tier = cond ? readCondition(cond, ruleLabels(field(policy.loc, 'metadata', 'labels'), policy.value.metadata.labels), c) : undefined;
  if (cond && !tier) return undefined;
  if (spec.alertWhenBreaching === false && tier) {
    warn(field(at, 'alertWhenBreaching'), `alertWhenBreaching is false, so condition ${show(tier[0])} raises no burn-rate alert`, 'set it to true to alert on the burn rate');
  }
  return {
    tier: spec.alertWhenBreaching === false ? undefined : tier,
    noData: spec.alertWhenNoData === true ? { severity: tier?.[1].severity ?? 'ticket', label: tier?.[1].severityLabel } : undefined,
  };
}

function readCondition(cond: OsloObject, policyLabels: Record<string, string>, c: Context): [string, TierInput, Loc] | undefined {
  const spec = cond.value.spec as Raw;
  const at = field(cond.loc, 'spec', 'condition');
  const k = spec.condition as Raw;
  const mine = ours(field(cond.loc, 'metadata', 'annotations'), cond.value.metadata.annotations, CONDITION_KEYS);
  if (k.op === 'lt' || k.op === 'lte') {
    error(field(at, 'op'), `a burn-rate condition fires when the burn rate rises over the threshold; op ${k.op} is not supported`, 'use gt (or gte)');
    return undefined;
  }
  let long = durationAt(field(at, 'lookbackWindow'), k.lookbackWindow);
  const alertAfter = k.alertAfter === undefined ? 0 : durationAt(field(at, 'alertAfter'), k.alertAfter, { allowZero: true });
  if (long === undefined || alertAfter === undefined) return undefined;
  if (c.counted && long % BASE_WINDOW !== 0) {
    const rounded = Math.max(2 * BASE_WINDOW, Math.round(long / BASE_WINDOW) * BASE_WINDOW);
    warn(field(at, 'lookbackWindow'), `${formatDuration(long)} is read as ${formatDuration(rounded)}: alert windows are sums of whole ${formatDuration(BASE_WINDOW)} windows`,
      `write lookbackWindow: ${formatDuration(rounded)}`);
    long = rounded;
  }
  if (long < 2 * BASE_WINDOW && c.counted) {
    error(field(at, 'lookbackWindow'), `a lookbackWindow of ${formatDuration(long)} leaves no room for the short window (one twelfth, at least ${formatDuration(BASE_WINDOW)})`,
      `use ${formatDuration(2 * BASE_WINDOW)} or more`);
    return undefined;
  }
  if (long > c.window) {
    error(field(at, 'lookbackWindow'), `lookbackWindow ${formatDuration(long)} is longer than the SLO window ${formatDuration(c.window)}`, 'use a shorter lookback window');
    return undefined;
  }
  if (c.calendar && long === c.window) {
    error(field(at, 'lookbackWindow'), `lookbackWindow ${formatDuration(long)} is the nominal length of the calendar ${c.calendar}; lookback windows roll and must be shorter than the period`,
      'use a shorter lookback window, e.g. 3d, or a rolling time window');
    return undefined;
  }
  const shortText = mine.get(CONDITION_KEYS.shortWindow);
  const short = shortText ? parseDuration(shortText.text) : derivedShortWindow(long, c.counted);
  if (short === undefined || short >= long) {
    if (shortText) error(shortText.loc, `${show(shortText.text)} is not a duration shorter than the lookback window`, 'this annotation is written by slo convert; fix or remove it');
    else error(field(at, 'lookbackWindow'), `a lookbackWindow of ${formatDuration(long)} leaves no room for a shorter window`, 'use 2m or more');
    return undefined;
  }
  const word = String(spec.severity);
  const severityOverride = mine.get(CONDITION_KEYS.severity)?.text;
  if (severityOverride !== undefined && severityOverride !== 'page' && severityOverride !== 'ticket') {
    error(mine.get(CONDITION_KEYS.severity)!.loc, `${show(severityOverride)} is not page or ticket`);
    return undefined;
  }
  const severity = (severityOverride as Severity | undefined) ?? severityOf(word);
  const name = mine.get(CONDITION_KEYS.tier)?.text ?? cond.name;
  return [name, {
    severity,
    longWindow: formatDuration(long),
    shortWindow: formatDuration(short),
    factor: k.threshold,
    ...(alertAfter > 0 ? { for: formatDuration(alertAfter) } : {}),
    ...(word !== severity ? { severityLabel: word } : {}),
    labels: { ...policyLabels, ...ruleLabels(field(cond.loc, 'metadata', 'labels'), cond.value.metadata.labels) },
    annotations: alertAnnotations(field(cond.loc, 'metadata', 'annotations'), cond.value.metadata.annotations),
  }, field(cond.loc, 'metadata', 'name')];
}

/**
 * The condition's own annotations for its alerts. Kubernetes-style keys (`example.com/owner`)
 * are fine in OpenSLO metadata but Prometheus refuses them as annotation names, so they stay out.
 */
function alertAnnotations(loc: Loc, raw: Raw | undefined): Record<string, string> {
  const out = foreign(raw);
  for (const k of Object.keys(out)) {
    if (LABEL_NAME_RE.test(k)) continue;
    warn(field(loc, k), `annotation ${show(k)} is not copied to the alerts: Prometheus annotation names are letters, digits and "_"`,
      `name it ${k.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^(?=[0-9])/, '_')} to have it on the alerts`);
    delete out[k];
  }
  return out;
}
