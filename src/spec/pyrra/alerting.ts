import { DEFAULT_ALERT_NAME } from '../../model/constants.js';
import { formatDuration, type Millis } from '../../model/duration.js';
import type { AlertPolicy, Severity } from '../../model/slo.js';
import { buildPolicy, type TierInput } from '../alert-policy.js';
import type { DocContext } from '../context.js';
import { pyrraAbsentFor, pyrraWindows, toBaseWindows, type PyrraWindow } from './windows.js';

type Raw = Record<string, any>;

/**
 * Our severity for a Pyrra severity word. The label keeps the word itself, so existing routes
 * on `severity="critical"` keep matching; unknown words keep the tier's own severity.
 */
function severityOf(word: string, fallback: Severity): Severity {
  if (word === 'critical' || word === 'page') return 'page';
  if (word === 'warning' || word === 'ticket' || word === 'info') return 'ticket';
  return fallback;
}

const DEFAULT_SEVERITY: Record<PyrraWindow['severity'], Severity> = { critical: 'page', warning: 'ticket' };

/**
 * Pyrra's windows, rounded to whole base windows: a window that is not a sum of 5m pieces cannot
 * be computed from the 5m increases, so it moves to the nearest one, with a warning.
 */
function tierInput(ctx: DocContext, windowText: string, w: PyrraWindow, label: string): TierInput | undefined {
  const long = toBaseWindows(w.long);
  const short = toBaseWindows(w.short);
  const pyrra = `${formatDuration(w.short)}/${formatDuration(w.long)}`;
  if (short >= long) {
    ctx.error(['spec', 'window'], `Pyrra's ${w.name} tier for a ${windowText} window uses ${pyrra} (short/long); in whole 5m base windows ` +
      `that is ${formatDuration(short)}/${formatDuration(long)}, and the short window must be shorter than the long one`,
      'use a window of 4d or more (Pyrra scales its alert windows with it), or set alerting.burnrates: false');
    return undefined;
  }
  if (long !== w.long || short !== w.short) {
    ctx.warn(['spec', 'window'], `Pyrra's ${w.name} tier for a ${windowText} window uses ${pyrra} (short/long); ` +
      `it becomes ${formatDuration(short)}/${formatDuration(long)}, the nearest whole 5m base windows, so it may fire up to a few minutes apart from Pyrra's`,
      'windows such as 28d or 4w give Pyrra windows that are whole 5m multiples');
  }
  return {
    severity: severityOf(label, DEFAULT_SEVERITY[w.severity]),
    severityLabel: label,
    longWindow: formatDuration(long),
    shortWindow: formatDuration(short),
    factor: w.factor,
    ...(w.for > 0 ? { for: formatDuration(w.for) } : {}),
  };
}

/**
 * Pyrra's four tiers with its own windows, factors and `for`, its severity words (or the
 * `severities` overrides) and its absent alert as our no-data alert.
 */
export function readAlerting(
  ctx: DocContext,
  spec: Raw,
  sloWindow: Millis,
  target: number,
  errorBudget: number,
  annotations: Record<string, string>,
): AlertPolicy {
  const alerting: Raw = spec.alerting ?? {};
  const severities: Raw = alerting.severities ?? {};
  if (alerting.disabled !== undefined) {
    ctx.warn(['spec', 'alerting', 'disabled'], 'alerting.disabled is deprecated in Pyrra', `write alerting.burnrates: ${!alerting.disabled}`);
  }
  const burnrates = alerting.disabled !== true && alerting.burnrates !== false;
  const tiers: Record<string, TierInput> = {};
  if (burnrates) {
    for (const w of pyrraWindows(sloWindow)) {
      const t = tierInput(ctx, String(spec.window), w, severities[w.key] ?? w.severity);
      if (t) tiers[w.name] = t;
    }
  }
  const policy = buildPolicy(
    ctx,
    ['spec', 'alerting'],
    { name: alerting.name ?? DEFAULT_ALERT_NAME, disabled: !burnrates, templates: [], tiers, annotations },
    sloWindow,
    errorBudget,
  );
  if (alerting.absent !== false) {
    if (alerting.absentName !== undefined && alerting.absentName !== 'SLONoData') {
      ctx.warn(['spec', 'alerting', 'absentName'], `the no-data alert is always named SLONoData here, not ${alerting.absentName}`,
        'route on alertname="SLONoData"; the engine and dashboards find the alert by that name');
    }
    const label = severities.absent ?? 'critical';
    policy.noData = { for: pyrraAbsentFor(sloWindow, target), severity: severityOf(label, 'page'), severityLabel: label };
  }
  return policy;
}
