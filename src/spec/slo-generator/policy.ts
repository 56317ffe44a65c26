import { BASE_WINDOW, DEFAULT_ALERT_NAME } from '../../model/constants.js';
import { formatDuration, humanDuration, type Millis } from '../../model/duration.js';
import { formatNumber } from '../../model/numbers.js';
import { defaultShortWindow } from '../../model/policy.js';
import type { AlertPolicy, Severity } from '../../model/slo.js';
import { buildPolicy, type TierInput } from '../alert-policy.js';
import { DocContext } from '../context.js';
import type { SpecProblem } from '../errors.js';
import { pathText, type Path } from '../yaml-source.js';
import type { PolicyStep, SharedPolicy } from './shared-config.js';

/**
 * A step pages when its threshold would spend the whole budget within a quarter of the SLO window.
 * That is the line between the Workbook's page pairs (14.4x, 6x) and ticket pairs (3x, 1x), and
 * Sloth's and Pyrra's at any window; slower burns open tickets.
 */
export const PAGE_BURN_RATE = 4;

export interface StepPolicy {
  /** The SLO window: the policy's longest step. */
  window: Millis;
  policy: AlertPolicy;
}

/** Tier names are label values people read: `1 hour` becomes `1-hour`. */
export function stepSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** The Workbook's short window, one twelfth of the long one, on the 5m grid when counts are summed. */
export function shortWindowFor(long: Millis, counted: boolean): Millis {
  if (!counted) return defaultShortWindow(long);
  return Math.max(BASE_WINDOW, Math.round(long / 12 / BASE_WINDOW) * BASE_WINDOW);
}

export function severityFor(burnRateThreshold: number): Severity {
  return burnRateThreshold >= PAGE_BURN_RATE ? 'page' : 'ticket';
}

/**
 * Steps with `alert: true` become window-pair tiers (the step's window as the long window, a
 * twelfth of it as the short one, its threshold as the factor). Steps without alert stay visible
 * as annotations on every alert of the SLO, so the on-call person sees the whole policy.
 */
export function stepPolicy(sloCtx: DocContext, policy: SharedPolicy, errorBudget: number, counted: boolean): StepPolicy | undefined {
  const window = Math.max(...policy.steps.map((s) => s.window));
  let ok = true;
  const slugs = new Map<string, PolicyStep>();
  const tiers: Record<string, TierInput> = {};
  const annotations: Record<string, string> = {};
  for (const step of policy.steps) {
    const slug = stepSlug(step.name) || 'step';
    const clash = slugs.get(slug);
    if (clash) {
      reportOnce(step.ctx, 'error', step.field('name'), `step names ${JSON.stringify(clash.name)} and ${JSON.stringify(step.name)} give the same tier name ${slug}`,
        'use step names that differ in letters or digits');
      ok = false;
      continue;
    }
    slugs.set(slug, step);
    if (counted && step.window % BASE_WINDOW !== 0 && (step.alert || step.window === window)) {
      reportOnce(step.ctx, 'error', step.field('window'), `${step.window / 1000}s is not a multiple of ${BASE_WINDOW / 1000}s (5 minutes)`,
        'the rules sum 5-minute counts: use a multiple of 300 seconds');
      ok = false;
      continue;
    }
    const what = `over ${humanDuration(step.window)}, a burn rate above ${formatNumber(step.burnRateThreshold)}x`;
    if (!step.alert) {
      annotations[`policy_step_${slug.replace(/-/g, '_')}`] = `${what}: ${step.messageAlert ?? 'no message'} (slo-generator step ${JSON.stringify(step.name)}, no alert)`;
      continue;
    }
    tiers[slug] = {
      severity: severityFor(step.burnRateThreshold),
      longWindow: formatDuration(step.window),
      shortWindow: formatDuration(shortWindowFor(step.window, counted)),
      factor: step.burnRateThreshold,
      annotations: {
        ...(step.messageAlert ? { message_alert: step.messageAlert } : {}),
        ...(step.messageOk ? { message_ok: step.messageOk } : {}),
      },
    };
  }
  if (!ok) return undefined;
  // buildPolicy reports against native paths; each problem is moved to the step it is about.
  const scratch: SpecProblem[] = [];
  const built = buildPolicy(new DocContext(sloCtx.doc, scratch), ['spec', 'alerting'],
    { name: DEFAULT_ALERT_NAME, templates: [], tiers, annotations }, window, errorBudget);
  for (const p of scratch) {
    const m = /^spec\.alerting\.tiers\.([a-z0-9-]+)(\.(\w+))?$/.exec(p.field);
    const step = m ? slugs.get(m[1]!) : undefined;
    const target = step ? { ctx: step.ctx, at: step.field(m![3]?.endsWith('Window') ? 'window' : 'burn_rate_threshold') } : { ctx: sloCtx, at: ['spec', 'error_budget_policy'] };
    // These depend on the SLO (its objective), so they name it.
    const message = step ? `step ${JSON.stringify(step.name)}, as used by ${sloCtx.file}: ${p.message}` : p.message;
    reportOnce(target.ctx, p.severity, target.at, message, p.hint);
    if (p.severity === 'error') ok = false;
  }
  return ok ? { window, policy: built } : undefined;
}

/** A shared config's step is read once per SLO that uses it; its problems are reported once. */
function reportOnce(ctx: DocContext, severity: SpecProblem['severity'], at: Path, message: string, hint?: string): void {
  const line = ctx.line(at);
  const field = pathText(at);
  if (ctx.problems.some((p) => p.file === ctx.file && p.line === line && p.field === field && p.message === message)) return;
  if (severity === 'error') ctx.error(at, message, hint);
  else ctx.warn(at, message, hint);
}
