import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { OVERVIEW_DASHBOARDS, panelBlock } from '../model/dashboard-ids.js';
import { RECORDS } from '../model/naming.js';
import type { Slo } from '../model/slo.js';
import { frame, withPanels } from './dashboard-frame.js';
import { fleetTable, standardColumns } from './fleet-table.js';
import { fleet } from './fleet.js';
import { Grid } from './grid.js';
import { BUDGET_STEPS, dashedThresholds, md, objectiveSteps, stat, text, thresholds, timeseries } from './panels.js';
import { promQuery, refId } from './query.js';
import { sliceValue, withCatalog } from './raw-signals.js';
import { SloQueries } from './slo-queries.js';
import { sdk } from './sdk.js';

const { RowBuilder } = sdk.dashboard;

const KIND = 'executive';

/** A stat of the SLI over its window for every SLO built on one catalog SLI, or how to add one. */
function catalogStat(grid: Grid, slos: readonly Slo[], catalog: string, title: string, fixedId: number): void {
  const using = withCatalog(slos, catalog);
  if (!using.length) {
    grid.add(
      text(fixedId, title, `No SLO in this set uses the **${md(catalog)}** catalog SLI. Add one under \`slos/\` with \`sli: { catalog: { name: ${md(catalog)} } }\` and run \`slo generate\`; \`slo catalog\` lists its parameters.`),
      8,
      6,
    );
    return;
  }
  const panel = stat(fixedId, title, `SLI over each SLO's window; red below the objective. SLOs: ${using.map((s) => `${s.service}/${s.name}`).join(', ')}.`)
    .unit('percentunit')
    .decimals(3)
    .thresholds(thresholds(objectiveSteps(Math.min(...using.map((s) => s.objective)))));
  using.forEach((slo, i) => {
    const q = new SloQueries(slo);
    panel.withTarget(promQuery(refId(i), q.sli(slo.window), { instant: true, legend: `${slo.service}/${slo.name}${q.groupLegend ? ` ${q.groupLegend}` : ''}` }));
    // Each SLO is coloured against its own objective.
    panel.overrideByQuery(refId(i), [{ id: 'thresholds', value: thresholds(objectiveSteps(slo.objective)).build() }]);
  });
  grid.add(panel, 8, 6);
}

/** For executives: are the platform's promises kept, what does a request cost, how much budget is left. */
export function executiveDashboard(slos: readonly Slo[]): dashboard.Dashboard {
  const meta = OVERVIEW_DASHBOARDS.executive;
  const builder = frame(
    { uid: meta.uid, title: meta.title, description: 'The platform\'s promises at a glance: SLIs over their windows, cost per request and the error budget left for every SLO.', tags: ['overview'], from: 'now-7d' },
    slos,
    {},
  );
  const grid = new Grid();
  grid.row(new RowBuilder('Platform').id(1));
  catalogStat(grid, slos, 'control-plane-availability', 'Control-plane availability', 2);
  catalogStat(grid, slos, 'deployment-success', 'Deployment success', 3);
  catalogStat(grid, slos, 'cost-per-request', 'Cost per request within budget', 4);

  const cost = withCatalog(slos, 'cost-per-request');
  cost.forEach((slo) => {
    const value = sliceValue(slo)!;
    grid.add(
      dashedThresholds(
        timeseries(panelBlock(`${KIND}:${slo.id}`) * 10 + 1, `Cost per request: ${slo.service}/${slo.name}`, 'Dollars per request, per namespace, as the SLI computes it (OpenCost allocation cost over request rate); the dashed line is the ceiling.'),
        [{ value: null, color: 'green' }, { value: slo.sli.kind === 'timeslice' ? slo.sli.threshold : 0, color: 'red' }],
      )
        .withTarget(promQuery('A', value, { legend: '{{namespace}}' }))
        .unit('currencyUSD')
        .decimals(6)
        .axisSoftMin(0),
      12,
      8,
    );
  });
  grid.newLine();

  grid.row(new RowBuilder('Every SLO').id(5));
  const cols = standardColumns(slos, {});
  grid.add(
    fleetTable(6, 'Every SLO', 'Objective, SLI, error ratio and budget left over each SLO\'s window; the SLO name opens its service dashboard.', slos, {}, [
      cols.objective,
      cols.window,
      cols.sli,
      cols.errorRatio,
      cols.budget,
      cols.firing,
    ]).sortBy([{ build: () => ({ displayName: 'Budget left', desc: false }) }]),
    24,
    Math.min(16, 4 + slos.length),
  );
  grid.add(
    timeseries(7, 'Error budget left, every SLO', 'Share of each SLO\'s error budget left over its window.')
      .withTarget(promQuery('A', `min by (slo_service, slo_name) (${fleet(RECORDS.budgetRemaining, slos)})`, { legend: '{{slo_service}}/{{slo_name}}' }))
      .unit('percentunit')
      .decimals(1)
      .thresholds(thresholds(BUDGET_STEPS)),
    24,
    8,
  );
  return withPanels(builder, grid);
}
