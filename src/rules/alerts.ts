import { formatDuration, humanDuration } from '../model/duration.js';
import { periodWords } from '../model/windows.js';
import { serviceDashboardPath, sloPanelPath, type SloPanel } from '../model/dashboard-ids.js';
import { namingOf, RECORDS, TIER_LABELS } from '../model/naming.js';
import { formatNumber } from '../model/numbers.js';
import { exhaustionTime } from '../model/policy.js';
import type { AlertTier, Slo } from '../model/slo.js';
import { literalTemplateText } from './go-template.js';
import { ownSelector, seriesLabels } from './recording.js';
import type { AlertingRule, RenderOptions } from './types.js';

function percent(share: number): string {
  return `${formatNumber(share * 100)}%`;
}

function grafana(opts: RenderOptions): string {
  return opts.grafanaUrl.replace(/\/+$/, '');
}

/**
 * Annotations every alert of the SLO carries: the service dashboard with the SLO selected, and
 * the one panel that explains this alert. The user's own annotations win over these.
 */
function commonAnnotations(slo: Slo, opts: RenderOptions, panel: SloPanel): Record<string, string> {
  const dashboard = `${grafana(opts)}${serviceDashboardPath(slo.service, slo.name)}`;
  return { dashboard, panel: `${grafana(opts)}${sloPanelPath(slo.service, slo.name, slo.id, panel)}`, runbook_url: literalTemplateText(slo.alerting.runbookUrl ?? dashboard) };
}

function tierAnnotations(slo: Slo, tier: AlertTier): Record<string, string> {
  const n = namingOf(slo);
  const who = `{{ $labels.${n.serviceLabel} }}/{{ $labels.${n.nameLabel} }}`;
  const long = formatDuration(tier.longWindow);
  const short = formatDuration(tier.shortWindow);
  const description =
    `The error budget of ${who} (objective ${slo.objectivePercent}% over ${periodWords(slo)}) is burning ` +
    `{{ printf "%.2f" $value }}x over ${long}, and over ${short} too, above the ${formatNumber(tier.factor)}x threshold of tier ${tier.name}. ` +
    `${percent(tier.budgetShare)} of the budget is spent by the time this fires; ` +
    `at ${formatNumber(tier.factor)}x the whole budget lasts ${humanDuration(exhaustionTime(tier.factor, slo.window))}.`;
  if (slo.convention === 'sloth') {
    return {
      title: `(${tier.severity}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
      summary: `{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected.`,
      description,
    };
  }
  return { summary: `${who}: error budget burning {{ printf "%.1f" $value }}x over ${long} (${tier.name})`, description };
}

/** `max without (window)` drops the window label so that the two windows of a pair can be joined. */
function burnAbove(slo: Slo, window: number, factor: number): string {
  const n = namingOf(slo);
  return `max without (${n.windowLabel}) (${ownSelector(slo)(RECORDS.burnRate(formatDuration(window)))} > ${formatNumber(factor)})`;
}

/** Labels a tier's alert rule sets: the user's, then which severity, tier and window pair fired. */
export function tierAlertLabels(slo: Slo, tier: AlertTier, opts: RenderOptions): Record<string, string> {
  return {
    ...opts.extraLabels,
    ...tier.labels,
    [namingOf(slo).severityLabel]: tier.severityLabel ?? tier.severity,
    [TIER_LABELS.tier]: tier.name,
    [TIER_LABELS.long]: formatDuration(tier.longWindow),
    [TIER_LABELS.short]: formatDuration(tier.shortWindow),
    [TIER_LABELS.exhaustion]: humanDuration(exhaustionTime(tier.factor, slo.window)),
  };
}

/** One alert per tier (window pair), so that the labels say which pair fired. */
export function burnRateAlerts(slo: Slo, opts: RenderOptions): AlertingRule[] {
  const n = namingOf(slo);
  const own = ownSelector(slo);
  // The same links for every tier: the panel id hashes the SLO id, so it is computed once.
  const common = slo.alerting.tiers.length ? commonAnnotations(slo, opts, 'burnRate') : {};
  return slo.alerting.tiers.map((tier) => {
    const parts = [burnAbove(slo, tier.longWindow, tier.factor), burnAbove(slo, tier.shortWindow, tier.factor)];
    if (slo.alerting.minEvents !== undefined && slo.sli.kind !== 'rawErrorRatio') {
      parts.push(`max without (${n.windowLabel}) (${own(RECORDS.totalEvents(formatDuration(tier.longWindow)))} >= ${slo.alerting.minEvents})`);
    }
    return {
      alert: slo.alerting.name,
      expr: parts.join('\nand\n'),
      ...(tier.for > 0 ? { for: formatDuration(tier.for) } : {}),
      labels: tierAlertLabels(slo, tier, opts),
      annotations: { ...common, ...tierAnnotations(slo, tier), ...tier.annotations },
    };
  });
}

/** The optional no-data and budget-exhausted alerts. */
export function guardAlerts(slo: Slo, opts: RenderOptions): AlertingRule[] {
  const n = namingOf(slo);
  const own = ownSelector(slo);
  const labels = { ...opts.extraLabels, ...slo.alerting.labels };
  const who = `${slo.service}/${slo.name}`;
  const out: AlertingRule[] = [];
  const noData = slo.alerting.noData;
  if (noData) {
    const series = slo.sli.kind === 'rawErrorRatio' ? RECORDS.errorRatio('5m') : RECORDS.totalEvents('5m');
    out.push({
      alert: 'SLONoData',
      expr: `absent(${own(series)})`,
      for: formatDuration(noData.for),
      labels: { ...labels, ...seriesLabels(slo, opts), [n.severityLabel]: noData.severityLabel ?? noData.severity },
      annotations: {
        ...commonAnnotations(slo, opts, 'events'),
        summary: `${who}: the SLI has had no data for ${formatDuration(noData.for)}`,
        description: `No series feeds the SLI of ${who}: the exporter, the scrape or the query is broken, or there was no traffic at all. Burn-rate alerts cannot fire while this lasts.`,
        ...slo.alerting.annotations,
      },
    });
  }
  const exhausted = slo.alerting.budgetExhausted;
  if (exhausted) {
    out.push({
      alert: 'SLOErrorBudgetExhausted',
      expr: `${own(RECORDS.budgetRemaining)} <= 0`,
      for: formatDuration(exhausted.for),
      labels: { ...labels, [n.severityLabel]: exhausted.severityLabel ?? exhausted.severity },
      annotations: {
        ...commonAnnotations(slo, opts, 'burndown'),
        summary: `${who}: the ${periodWords(slo)} error budget is spent`,
        description: `${who} has used all of its error budget for ${slo.calendar ? `this ${slo.calendar.unit}` : `the last ${formatDuration(slo.window)}`} (objective ${slo.objectivePercent}%); {{ printf "%.1f" $value }} of it remains.`,
        ...slo.alerting.annotations,
      },
    });
  }
  return out;
}
