import { DEFAULT_BUDGET_EXHAUSTED_FOR, DEFAULT_NO_DATA_FOR } from '../model/constants.js';
import type { Millis } from '../model/duration.js';
import { durationText } from './durations.js';
import { tidy } from '../model/numbers.js';
import { budgetShareFor, DEFAULT_TIERS, factorFor, type TierTemplate } from '../model/policy.js';
import type { AlertPolicy, AlertTier, Severity, Slo } from '../model/slo.js';
import type { Losses } from './unsupported.js';

type Raw = Record<string, unknown>;

const TIER_NAME = /^[a-z0-9][-a-z0-9]*$/;

/** Entries of `own` that the policy-wide map does not already give (buildPolicy merges them back). */
export function ownEntries(own: Record<string, string>, inherited: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(own).filter(([k, v]) => inherited[k] !== v));
}

function toggle(t: { for: Millis; severity: Severity; severityLabel?: string } | undefined, defaultFor: Millis): unknown {
  if (!t) return undefined;
  if (t.for === defaultFor && t.severity === 'ticket' && t.severityLabel === undefined) return true;
  return { for: durationText(t.for), severity: t.severity, ...(t.severityLabel !== undefined ? { severityLabel: t.severityLabel } : {}) };
}

/**
 * A tier as a change to its default template, or in full when it is a tier of its own. Factor or
 * budget share is written as whichever reads back to both exactly.
 */
function tierOut(slo: Slo, tier: AlertTier, template: TierTemplate | undefined, losses: Losses): Raw {
  const o: Raw = {};
  const sameWindows = template !== undefined && tier.longWindow === template.longWindow && tier.shortWindow === template.shortWindow;
  if (!template || tier.severity !== template.severity) o.severity = tier.severity;
  if (!sameWindows) {
    o.longWindow = durationText(tier.longWindow);
    o.shortWindow = durationText(tier.shortWindow);
  }
  const asTemplate = sameWindows && tier.budgetShare === template.budgetShare && tier.factor === factorFor(template.budgetShare, slo.window, template.longWindow);
  if (!asTemplate) {
    const percent = tidy(tier.budgetShare * 100);
    if (budgetShareFor(tier.factor, slo.window, tier.longWindow) === tier.budgetShare) o.factor = tier.factor;
    else if (percent / 100 === tier.budgetShare && factorFor(percent / 100, slo.window, tier.longWindow) === tier.factor) o.budgetPercent = percent;
    else o.factor = tier.factor;
  }
  if (tier.for > 0) o.for = durationText(tier.for);
  if (tier.severityLabel !== undefined) o.severityLabel = tier.severityLabel;
  const labels = ownEntries(tier.labels, slo.alerting.labels);
  const annotations = ownEntries(tier.annotations, slo.alerting.annotations);
  if (Object.keys(labels).length) o.labels = labels;
  if (Object.keys(annotations).length) o.annotations = annotations;
  return o;
}

/** The tier order the native reader produces: default tiers first, in their order, then the others. */
function nativeOrder(tiers: readonly AlertTier[]): string[] {
  const names = tiers.map((t) => t.name);
  return [...DEFAULT_TIERS.map((t) => t.name).filter((n) => names.includes(n)), ...names.filter((n) => !DEFAULT_TIERS.some((t) => t.name === n))];
}

/** `spec.alerting` of a native spec that reads back as `slo.alerting`. */
export function nativeAlerting(slo: Slo, losses: Losses): Raw {
  const p: AlertPolicy = slo.alerting;
  const out: Raw = { name: p.name };
  if (Object.keys(p.labels).length) out.labels = p.labels;
  if (Object.keys(p.annotations).length) out.annotations = p.annotations;
  const noData = toggle(p.noData, DEFAULT_NO_DATA_FOR);
  const exhausted = toggle(p.budgetExhausted, DEFAULT_BUDGET_EXHAUSTED_FOR);
  if (noData !== undefined) out.noData = noData;
  if (exhausted !== undefined) out.budgetExhausted = exhausted;
  if (p.minEvents !== undefined) out.minEvents = p.minEvents;
  if (p.tiers.length === 0 && noData === undefined && exhausted === undefined) {
    out.disabled = true;
    return out;
  }
  const tiers: Raw = {};
  for (const t of DEFAULT_TIERS) if (!p.tiers.some((x) => x.name === t.name)) tiers[t.name] = { disabled: true };
  for (const tier of p.tiers) {
    if (!TIER_NAME.test(tier.name)) {
      losses.lose(slo, ['alerting.tiers'], `tier ${JSON.stringify(tier.name)}`, 'native tier names use lower-case letters, digits and "-"');
    }
    const o = tierOut(slo, tier, DEFAULT_TIERS.find((t) => t.name === tier.name), losses);
    // A default tier left as it is needs no entry.
    if (Object.keys(o).length || !DEFAULT_TIERS.some((t) => t.name === tier.name)) tiers[tier.name] = o;
  }
  if (nativeOrder(p.tiers).join() !== p.tiers.map((t) => t.name).join()) {
    losses.lose(slo, ['alerting.tiers'], 'tier order', 'the native reader lists the default tiers first; the tiers are the same, in another order');
  }
  if (Object.keys(tiers).length) out.tiers = tiers;
  return out;
}
