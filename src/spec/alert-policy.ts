import { DEFAULT_BUDGET_EXHAUSTED_FOR, DEFAULT_NO_DATA_FOR } from '../model/constants.js';
import { formatNumber } from '../model/numbers.js';
import { budgetShareFor, defaultShortWindow, DEFAULT_TIERS, factorFor, type TierTemplate } from '../model/policy.js';
import type { AlertPolicy, AlertTier, Severity } from '../model/slo.js';
import { parseDuration, type Millis } from '../model/duration.js';
import type { DocContext } from './context.js';
import type { Path } from './yaml-source.js';

export interface SeverityInput {
  disabled?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface TierInput {
  severity?: Severity;
  longWindow?: string;
  shortWindow?: string;
  factor?: number;
  budgetPercent?: number;
  for?: string;
  disabled?: boolean;
  /** Severity label value when it is not the severity itself (Pyrra's critical/warning). */
  severityLabel?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type ToggleInput = boolean | { for?: string; severity?: Severity; severityLabel?: string } | undefined;

/** The alerting section of any input format, already in our vocabulary. */
export interface PolicyInput {
  name: string;
  disabled?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  page?: SeverityInput;
  ticket?: SeverityInput;
  tiers?: Record<string, TierInput>;
  noData?: ToggleInput;
  budgetExhausted?: ToggleInput;
  minEvents?: number;
  runbookUrl?: string;
  /** Replaces the default tier templates (Sloth AlertWindows catalogs). */
  templates?: readonly TierTemplate[];
}

/**
 * Builds the tiers of one SLO. Paths point problems at the user's own field, whatever the format.
 */
export function buildPolicy(ctx: DocContext, at: Path, input: PolicyInput, sloWindow: Millis, errorBudget: number): AlertPolicy {
  const tiers: AlertTier[] = [];
  if (!input.disabled) {
    const templates = input.templates ?? DEFAULT_TIERS;
    const overrides = input.tiers ?? {};
    const names = [...templates.map((t) => t.name), ...Object.keys(overrides).filter((n) => !templates.some((t) => t.name === n))];
    for (const name of names) {
      const tier = buildTier(ctx, [...at, 'tiers', name], name, templates.find((t) => t.name === name), overrides[name], sloWindow, errorBudget);
      if (!tier) continue;
      const sev = input[tier.severity];
      if (sev?.disabled) continue;
      tier.labels = { ...input.labels, ...sev?.labels, ...tier.labels };
      tier.annotations = { ...input.annotations, ...sev?.annotations, ...tier.annotations };
      tiers.push(tier);
    }
  }
  return {
    name: input.name,
    tiers,
    noData: toggle(ctx, [...at, 'noData'], input.noData, DEFAULT_NO_DATA_FOR, 'ticket'),
    budgetExhausted: toggle(ctx, [...at, 'budgetExhausted'], input.budgetExhausted, DEFAULT_BUDGET_EXHAUSTED_FOR, 'ticket'),
    minEvents: input.minEvents,
    runbookUrl: input.runbookUrl,
    labels: input.labels ?? {},
    annotations: input.annotations ?? {},
  };
}

function buildTier(
  ctx: DocContext,
  at: Path,
  name: string,
  template: TierTemplate | undefined,
  o: TierInput | undefined,
  sloWindow: Millis,
  errorBudget: number,
): AlertTier | undefined {
  if (o?.disabled) return undefined;
  if (!template && (!o?.severity || !o.longWindow || (o.factor === undefined && o.budgetPercent === undefined))) {
    ctx.error(at, `tier ${JSON.stringify(name)} is not a default tier (${DEFAULT_TIERS.map((t) => t.name).join(', ')}) and is incomplete`,
      'a new tier needs severity, longWindow and factor or budgetPercent');
    return undefined;
  }
  const longWindow = durationField(ctx, [...at, 'longWindow'], o?.longWindow) ?? template!.longWindow;
  const shortWindow = durationField(ctx, [...at, 'shortWindow'], o?.shortWindow) ??
    (o?.longWindow || !template ? defaultShortWindow(longWindow) : template.shortWindow);
  if (shortWindow >= longWindow) {
    ctx.error([...at, 'shortWindow'], `the short window must be shorter than the long window`,
      'the Workbook suggests one twelfth of the long window');
  }
  if (o?.factor !== undefined && o.budgetPercent !== undefined) {
    ctx.error(at, 'give factor or budgetPercent, not both', 'keep the one you reason in; the other follows from the SLO window');
  }
  let factor: number;
  let budgetShare: number;
  if (o?.factor !== undefined) {
    factor = o.factor;
    budgetShare = budgetShareFor(factor, sloWindow, longWindow);
  } else {
    budgetShare = o?.budgetPercent !== undefined ? o.budgetPercent / 100 : template!.budgetShare;
    factor = factorFor(budgetShare, sloWindow, longWindow);
  }
  if (factor * errorBudget >= 1) {
    ctx.warn(at, `tier ${name} can never fire: a burn rate of ${formatNumber(factor)} needs an error ratio of ${formatNumber(factor * errorBudget)}, over 100%`,
      'lower the factor or budgetPercent, or the objective');
  }
  return {
    name,
    severity: o?.severity ?? template!.severity,
    longWindow,
    shortWindow,
    factor,
    budgetShare,
    for: durationField(ctx, [...at, 'for'], o?.for) ?? 0,
    ...(o?.severityLabel ? { severityLabel: o.severityLabel } : {}),
    labels: o?.labels ?? {},
    annotations: o?.annotations ?? {},
  };
}

function toggle(ctx: DocContext, at: Path, t: ToggleInput, defaultFor: Millis, defaultSeverity: Severity) {
  if (!t) return undefined;
  if (t === true) return { for: defaultFor, severity: defaultSeverity };
  return {
    for: durationField(ctx, [...at, 'for'], t.for) ?? defaultFor,
    severity: t.severity ?? defaultSeverity,
    ...(t.severityLabel ? { severityLabel: t.severityLabel } : {}),
  };
}

export function durationField(ctx: DocContext, at: Path, text: string | undefined): Millis | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(String(text));
  if (ms === undefined) ctx.error(at, `${JSON.stringify(text)} is not a duration`, 'write a duration such as 5m, 1h, 28d or 4w');
  return ms;
}
