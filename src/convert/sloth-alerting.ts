import { DEFAULT_TIERS, factorFor, type TierTemplate } from '../model/policy.js';
import type { AlertTier, Severity, Slo } from '../model/slo.js';
import { ownEntries } from './native-alerting.js';
import type { Losses } from './unsupported.js';

type Raw = Record<string, unknown>;

export interface SlothAlerting {
  alerting: Raw;
  /** The four tiers as Sloth's alert-window catalog for the SLO's period. */
  templates: TierTemplate[];
}

const SEVERITIES: Severity[] = ['page', 'ticket'];

function same(a: Record<string, string>, b: Record<string, string>): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

/** Labels and annotations a severity's alerts share beyond the SLO-wide ones; undefined when its tiers differ. */
function severityExtras(tiers: readonly AlertTier[], slo: Slo): Raw | undefined {
  const labels = tiers.map((t) => ownEntries(t.labels, slo.alerting.labels));
  const annotations = tiers.map((t) => ownEntries(t.annotations, slo.alerting.annotations));
  if (labels.some((l) => !same(l, labels[0]!)) || annotations.some((a) => !same(a, annotations[0]!))) return undefined;
  return { ...(Object.keys(labels[0] ?? {}).length ? { labels: labels[0] } : {}), ...(Object.keys(annotations[0] ?? {}).length ? { annotations: annotations[0] } : {}) };
}

/**
 * Sloth alerts on a page and a ticket severity, each with a quick and a slow window pair from its
 * catalog for the SLO period, factors derived from budget percentages. Tiers that fit that shape
 * become the catalog (the writer emits it when it is not the default); the rest is reported.
 */
export function slothAlerting(slo: Slo, losses: Losses): SlothAlerting {
  const p = slo.alerting;
  const lose = (fields: string[], feature: string, why: string) => losses.lose(slo, fields, feature, why);
  if (p.noData) lose(['alerting.noData'], 'the no-data alert', 'Sloth has no no-data alert');
  if (p.budgetExhausted) lose(['alerting.budgetExhausted'], 'the budget-exhausted alert', 'Sloth has no budget-exhausted alert');
  if (p.minEvents !== undefined) lose(['alerting.minEvents'], 'minEvents', 'Sloth alerts have no minimum-events guard');
  if (p.runbookUrl) lose(['alerting.runbookUrl'], 'the runbook URL', 'Sloth has no runbook field; add it to alerting.annotations by hand if you need it');
  const alerting: Raw = {
    name: p.name,
    ...(Object.keys(p.labels).length ? { labels: p.labels } : {}),
    ...(Object.keys(p.annotations).length ? { annotations: p.annotations } : {}),
  };
  const templates = DEFAULT_TIERS.map((t) => ({ ...t }));
  if (p.tiers.length === 0) {
    alerting.page_alert = { disable: true };
    alerting.ticket_alert = { disable: true };
    return { alerting, templates };
  }
  const groups = SEVERITIES.map((sev) => [...p.tiers.filter((t) => t.severity === sev)].sort((a, b) => a.longWindow - b.longWindow));
  if (groups.some((g) => g.length !== 0 && g.length !== 2)) {
    lose(['alerting.tiers'], `tiers ${p.tiers.map((t) => `${t.name} (${t.severity})`).join(', ')}`,
      'Sloth alerts on two window pairs per severity, page and ticket; these tiers cannot be written, and Sloth\'s default tiers apply instead');
    return { alerting, templates };
  }
  SEVERITIES.forEach((sev, i) => {
    const g = groups[i]!;
    const key = `${sev}_alert`;
    if (g.length === 0) {
      alerting[key] = { disable: true };
      return;
    }
    g.forEach((tier, j) => {
      const name = `${sev}-${j === 0 ? 'fast' : 'slow'}`;
      const at = templates.findIndex((t) => t.name === name);
      templates[at] = { name, severity: sev, longWindow: tier.longWindow, shortWindow: tier.shortWindow, budgetShare: tier.budgetShare };
      if (tier.name !== name) lose(['alerting.tiers'], `tier ${tier.name}`, `Sloth names tiers by severity and speed; it becomes ${name}`);
      if (tier.for > 0) lose(['alerting.tiers'], `tier ${tier.name}: for`, 'Sloth alerts fire as soon as both windows burn; there is no for');
      if (tier.severityLabel !== undefined) {
        lose(['alerting.tiers'], `tier ${tier.name}: severity label ${JSON.stringify(tier.severityLabel)}`, 'Sloth sets its own sloth_severity label (page or ticket)');
      }
      if (factorFor(tier.budgetShare, slo.window, tier.longWindow) !== tier.factor) {
        lose(['alerting.tiers'], `tier ${tier.name}: factor ${tier.factor}`, 'Sloth derives factors from the budget percentage of its catalog, which gives another factor here');
      }
    });
    const extras = severityExtras(g, slo);
    if (!extras) lose(['alerting.tiers'], `the ${sev} tiers' labels and annotations`, `Sloth gives both ${sev} tiers the same labels and annotations, and these differ`);
    if (extras && Object.keys(extras).length) alerting[key] = extras;
  });
  return { alerting, templates };
}
