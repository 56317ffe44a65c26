import { BASE_WINDOW } from '../model/constants.js';
import { sloPanelId, type SloPanel } from '../model/dashboard-ids.js';
import { formatDuration, humanDuration } from '../model/duration.js';
import { formatNumber } from '../model/numbers.js';
import { exhaustionTime } from '../model/policy.js';
import type { Slo } from '../model/slo.js';
import { periodWords, sloWindows } from '../model/windows.js';
import type { Grid } from './grid.js';
import {
  ALERT_STATE_MAPPINGS,
  BUDGET_STEPS,
  dashedThresholds,
  md,
  mdUrl,
  objectiveSteps,
  stat,
  stateTimeline,
  text,
  thresholds,
  timeseries,
  type Step,
} from './panels.js';
import { promQuery, refId } from './query.js';
import { SloQueries } from './slo-queries.js';
import { sdk } from './sdk.js';

const { RowBuilder } = sdk.dashboard;

/** What one unit of the SLI is called, for titles and units. */
function eventsNoun(slo: Slo): { noun: string; perSecond: boolean } {
  switch (slo.sli.kind) {
    case 'timeslice':
      return { noun: 'slices', perSecond: false };
    case 'boolGauge':
      return { noun: 'samples', perSecond: false };
    default:
      return { noun: 'events', perSecond: true };
  }
}

function about(slo: Slo): string {
  const tiers = slo.alerting.tiers;
  const lines = [
    `**${md(slo.service)} / ${md(slo.name)}**: ${md(slo.description || 'no description')}`,
    '',
    `Objective **${md(slo.objectivePercent)}%** over **${md(periodWords(slo))}** (error budget ${md(formatNumber(slo.errorBudget * 100))}%), SLI kind ${md(slo.sli.kind)}${slo.catalog ? `, catalog ${md(slo.catalog.name)}` : ''}.`,
    '',
  ];
  if (tiers.length) {
    lines.push('| tier | severity | windows | burn rate | budget lasts |', '|---|---|---|---|---|');
    for (const t of tiers) {
      lines.push(
        `| ${md(t.name)} | ${t.severity} | ${formatDuration(t.longWindow)} / ${formatDuration(t.shortWindow)} | ${md(formatNumber(t.factor))}x | ${md(humanDuration(exhaustionTime(t.factor, slo.window)))} |`,
      );
    }
  } else lines.push('Burn-rate alerts are disabled for this SLO.');
  if (slo.alerting.runbookUrl) lines.push('', `[Runbook](${mdUrl(slo.alerting.runbookUrl)})`);
  return lines.join('\n');
}

/** Dashed lines at each tier's factor: ticket tiers orange, page tiers red, sorted as Grafana requires. */
function factorSteps(slo: Slo): Step[] {
  const byFactor = new Map<number, string>();
  for (const t of slo.alerting.tiers) {
    if (t.severity === 'page' || !byFactor.has(t.factor)) byFactor.set(t.factor, t.severity === 'page' ? 'red' : 'orange');
  }
  return [{ value: null, color: 'green' }, ...[...byFactor].sort((a, b) => a[0] - b[0]).map(([value, color]) => ({ value, color }))];
}

/**
 * One SLO's row of the service dashboard: what it promises, whether it holds, how fast the budget
 * burns per alert window, which tiers fire, and the events behind it.
 */
export function addSloRow(grid: Grid, slo: Slo): void {
  const q = new SloQueries(slo);
  const id = (p: SloPanel) => sloPanelId(slo.id, p);
  const who = `${slo.service}/${slo.name}`;
  const legend = (prefix: string) => `${prefix}${q.groupLegend ? ` ${q.groupLegend}` : ''}`;
  const windows = sloWindows(slo);
  const tierWindows = slo.alerting.tiers.length
    ? [...new Set(slo.alerting.tiers.flatMap((t) => [t.shortWindow, t.longWindow]))].sort((a, b) => a - b)
    : windows.filter((w) => w !== slo.window);
  const firstLong = slo.alerting.tiers.length ? Math.min(...slo.alerting.tiers.map((t) => t.longWindow)) : windows.find((w) => w > BASE_WINDOW);

  grid.row(new RowBuilder(`${who}: ${slo.objectivePercent}% over ${periodWords(slo)}`).id(id('row')));

  grid.add(text(id('about'), 'What this SLO promises', about(slo)), 8, 8);

  grid.add(
    stat(id('sli'), `SLI over ${q.periodTitle}`, `Share of good ${eventsNoun(slo).noun} over the SLO window; red below the ${slo.objectivePercent}% objective.`)
      .withTarget(promQuery('A', q.sli(slo.window), { instant: true, legend: legend(slo.name) }))
      .unit('percentunit')
      .decimals(3)
      .thresholds(thresholds(objectiveSteps(slo.objective))),
    4,
    8,
  );

  grid.add(
    stat(id('budget'), `Error budget left (${q.periodTitle})`, 'Share of the error budget not yet spent in the SLO window; negative means the objective is missed.')
      .withTarget(promQuery('A', q.budgetRemaining(), { instant: true, legend: legend(slo.name) }))
      .unit('percentunit')
      .decimals(1)
      .thresholds(thresholds(BUDGET_STEPS)),
    4,
    8,
  );

  const sliOverTime = dashedThresholds(
    timeseries(id('sliOverTime'), 'SLI against the objective', `The SLI over ${q.base}${firstLong ? ` and ${formatDuration(firstLong)}` : ''} windows; the dashed line is the objective.`),
    objectiveSteps(slo.objective),
  )
    .withTarget(promQuery('A', q.sli(BASE_WINDOW), { legend: legend(`SLI ${q.base}`) }))
    .unit('percentunit')
    .decimals(3)
    // Auto-scaling ignores thresholds: keep the objective line in view.
    .axisSoftMin(Math.max(0, 1 - 2 * slo.errorBudget))
    .axisSoftMax(1);
  if (firstLong) sliOverTime.withTarget(promQuery('B', q.sli(firstLong), { legend: legend(`SLI ${formatDuration(firstLong)}`) }));
  grid.add(sliOverTime, 8, 8);

  const burn = dashedThresholds(
    timeseries(
      id('burnRate'),
      'Burn rate per alert window',
      'Error ratio divided by the error budget, for every window an alert tier reads. Dashed lines are the tiers\' thresholds: a tier fires when both of its windows are above its line.',
    ),
    factorSteps(slo),
  )
    .unit('x')
    .axisSoftMin(0)
    .axisSoftMax(Math.max(1, ...slo.alerting.tiers.map((t) => t.factor)));
  tierWindows.forEach((w, i) => burn.withTarget(promQuery(refId(i), q.burnRate(w), { legend: legend(formatDuration(w)) })));
  grid.add(burn, 12, 8);

  const alerts = stateTimeline(id('alerts'), 'Alert tiers', 'Which burn-rate tiers are firing (red) or pending (yellow), and the no-data and budget-exhausted guards when enabled.')
    .mappings(ALERT_STATE_MAPPINGS)
    .thresholds(thresholds([{ value: null, color: 'green' }, { value: 0.5, color: 'yellow' }, { value: 1, color: 'red' }]));
  const states: Array<[string, string]> = slo.alerting.tiers.map((t) => [
    `${t.name} (${formatDuration(t.longWindow)}/${formatDuration(t.shortWindow)} > ${formatNumber(t.factor)}x, ${t.severity})`,
    q.tierState(t.name),
  ]);
  if (slo.alerting.noData) states.push(['no data', q.alertState('SLONoData', {})]);
  if (slo.alerting.budgetExhausted) states.push(['budget exhausted', q.alertState('SLOErrorBudgetExhausted', {})]);
  if (states.length) {
    states.forEach(([name, expr], i) => alerts.withTarget(promQuery(refId(i), expr, { legend: name })));
    grid.add(alerts, 12, 8);
  } else grid.add(text(id('alerts'), 'Alert tiers', `Alerts are disabled for ${md(who)}: no tier can fire.`), 12, 8);

  grid.add(
    timeseries(
      id('burndown'),
      `Error budget burn-down (${q.periodTitle})`,
      `Budget left over ${slo.calendar ? q.periodTitle : `the last ${q.window}`}, counting only what was spent since the window began. Above the ideal line the budget lasts the window; below it, it runs out early. The line ends at the query's last step, so it can sit slightly off the "budget left" stat; turn off the data source's incremental querying for this panel to stay exact.`,
    )
      .withTarget(promQuery('A', q.burndown(), { legend: legend('budget left'), interval: '1h' }))
      .withTarget(promQuery('B', q.idealBurndown(), { legend: 'ideal (spent evenly)', interval: '1h' }))
      .timeFrom(q.timeFrom)
      .unit('percentunit')
      .decimals(1)
      .axisSoftMin(0)
      .axisSoftMax(1)
      .overrideByName('ideal (spent evenly)', [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }, { id: 'color', value: { mode: 'fixed', fixedColor: 'text' } }]),
    12,
    8,
  );

  const { noun, perSecond } = eventsNoun(slo);
  if (slo.sli.kind === 'rawErrorRatio') {
    grid.add(
      timeseries(id('events'), 'Error ratio per window', 'This SLI is raw PromQL returning an error ratio: there are no event counts to show.')
        .withTarget(promQuery('A', q.errorRatio(BASE_WINDOW), { legend: legend(q.base) }))
        .unit('percentunit'),
      12,
      8,
    );
  } else {
    grid.add(
      timeseries(
        id('events'),
        perSecond ? 'Good and total events per second' : `Good and total ${noun} per ${q.base}`,
        perSecond ? `Event rates over ${q.base} windows, as the SLI counts them.` : `The SLI counts ${noun}: how many of them were good in each ${q.base} window.`,
      )
        .withTarget(promQuery('A', q.totalEvents(perSecond), { legend: legend('total') }))
        .withTarget(promQuery('B', q.goodEvents(perSecond), { legend: legend('good') }))
        .unit(perSecond ? 'ops' : 'short'),
      12,
      8,
    );
  }
}
