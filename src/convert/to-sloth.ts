import { DAY, type Millis } from '../model/duration.js';
import { DEFAULT_TIERS, type TierTemplate } from '../model/policy.js';
import type { Slo } from '../model/slo.js';
import { durationText } from './durations.js';
import { rereadSloth } from './reread.js';
import { slothAlerting } from './sloth-alerting.js';
import { slothSli } from './sloth-sli.js';
import { byId } from './to-native.js';
import type { ConvertOutput, SloWriter } from './types.js';
import { Losses } from './unsupported.js';
import { yamlDocs } from './yaml-docs.js';

type Raw = Record<string, unknown>;

/** Sloth's own default period (--default-slo-period) and the periods it has built-in catalogs for. */
const SLOTH_DEFAULT_PERIOD = 30 * DAY;
const BUILT_IN_PERIODS = new Set([28 * DAY, 30 * DAY]);

function sameTemplates(a: readonly TierTemplate[], b: readonly TierTemplate[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function alertWindowsDoc(period: Millis, templates: readonly TierTemplate[]): Raw {
  const pair = (name: string) => {
    const t = templates.find((x) => x.name === name)!;
    return { errorBudgetPercent: Number((t.budgetShare * 100).toPrecision(12)), shortWindow: durationText(t.shortWindow), longWindow: durationText(t.longWindow) };
  };
  return {
    apiVersion: 'sloth.slok.dev/v1',
    kind: 'AlertWindows',
    spec: {
      sloPeriod: durationText(period),
      page: { quick: pair('page-fast'), slow: pair('page-slow') },
      ticket: { quick: pair('ticket-fast'), slow: pair('ticket-slow') },
    },
  };
}

function commonLosses(slo: Slo, losses: Losses): void {
  if (slo.convention !== 'sloth') {
    losses.lose(slo, ['convention'], 'identity labels',
      'rules from Sloth specs label series sloth_id/sloth_service/sloth_slo and alerts sloth_severity, not slo_id/slo_service/slo_name and severity; dashboards and alert routes keyed on them must change');
  }
  if (slo.calendar) losses.lose(slo, ['calendar', 'window'], `the calendar window (${slo.calendar.unit})`, 'Sloth windows roll; there is no calendar budget');
  else if (slo.window !== SLOTH_DEFAULT_PERIOD) {
    losses.lose(slo, [], `the ${durationText(slo.window)} window`, `Sloth specs carry no window: generate with --default-slo-period ${durationText(slo.window)} (Sloth's default is 30d)`);
  }
  if (slo.maintenance?.length) losses.lose(slo, ['maintenance'], 'maintenance windows', 'Sloth has no maintenance; keep the native Maintenance documents beside the Sloth specs for slo');
  if (slo.catalog) losses.lose(slo, ['catalog'], `catalog SLI ${slo.catalog.name}`, 'Sloth has no catalog; the SLI is written as the PromQL the catalog builds');
  if (slo.source.k8sNamespace) {
    losses.lose(slo, [], `namespace ${slo.source.k8sNamespace}`, 'prometheus/v1 specs have no namespace for the PrometheusRule; pass it when you apply the rules');
  }
}

/**
 * Sloth `prometheus/v1` specs, one document per service. Alert tiers other than Sloth's default
 * catalog (and every period Sloth has no built-in catalog for) become AlertWindows documents at
 * the top; Sloth reads those from --slo-period-windows-path, so they go into a file of their own
 * there, while slo reads them from anywhere in its inputs.
 */
export const toSloth: SloWriter = (slos): ConvertOutput => {
  const losses = new Losses();
  const sorted = [...slos].sort(byId);
  const catalogs = new Map<Millis, { templates: TierTemplate[]; owner: string }>();
  const services = new Map<string, Raw[]>();
  for (const slo of sorted) {
    commonLosses(slo, losses);
    const sli = slothSli(slo, losses);
    const { alerting, templates } = slothAlerting(slo, losses);
    const have = catalogs.get(slo.window);
    if (!have) catalogs.set(slo.window, { templates, owner: slo.id });
    else if (!sameTemplates(have.templates, templates)) {
      losses.lose(slo, ['alerting.tiers'], 'alert windows', `Sloth has one alert-window catalog per SLO period, and ${have.owner} already sets the ${durationText(slo.window)} one; this SLO gets those tiers`);
    }
    const list = services.get(slo.service) ?? [];
    list.push({
      name: slo.name,
      objective: Number(slo.objectivePercent),
      ...(slo.description ? { description: slo.description } : {}),
      ...(Object.keys(slo.labels).length ? { labels: slo.labels } : {}),
      sli,
      alerting,
    });
    services.set(slo.service, list);
  }
  const windowDocs = [...catalogs]
    .filter(([period, c]) => !BUILT_IN_PERIODS.has(period) || !sameTemplates(c.templates, DEFAULT_TIERS))
    .sort(([a], [b]) => a - b)
    .map(([period, c]) => ({
      comment: `Alert windows for ${durationText(period)} SLOs. Sloth reads these from --slo-period-windows-path: move this document to a file there.`,
      value: alertWindowsDoc(period, c.templates),
    }));
  const serviceDocs = [...services.keys()].sort().map((service) => ({ value: { version: 'prometheus/v1', service, slos: services.get(service) } }));
  const yaml = yamlDocs('Converted by slo-engine (slo convert --to sloth).', [...windowDocs, ...serviceDocs]);
  // Read back as Sloth runs: one period at a time, the SLO's own window as --default-slo-period.
  const back = new Map<string, Slo>();
  const problems: string[] = [];
  for (const period of new Set(sorted.map((s) => s.window))) {
    const r = rereadSloth(yaml, period);
    problems.push(...r.problems);
    for (const slo of sorted) if (slo.window === period && r.slos.has(slo.id)) back.set(slo.id, r.slos.get(slo.id)!);
  }
  losses.verify(sorted, back, 'Sloth', [...new Set(problems)]);
  return { yaml, unsupported: losses.messages };
};
