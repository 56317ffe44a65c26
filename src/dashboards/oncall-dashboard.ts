import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { HOUR } from '../model/duration.js';
import { OVERVIEW_DASHBOARDS, panelBlock } from '../model/dashboard-ids.js';
import { RECORDS } from '../model/naming.js';
import { formatNumber } from '../model/numbers.js';
import type { Slo } from '../model/slo.js';
import { sloWindows } from '../model/windows.js';
import { grafanaSelector } from '../promql/selector.js';
import { frame, withPanels } from './dashboard-frame.js';
import { fleetTable, standardColumns, type Column } from './fleet-table.js';
import { fleet, perSlo } from './fleet.js';
import { Grid } from './grid.js';
import { ALERT_STATE_MAPPINGS, dashedThresholds, stateTimeline, table, text, thresholds, timeseries } from './panels.js';
import { promQuery } from './query.js';
import { controlPlaneSignals, sliceValue, withCatalog } from './raw-signals.js';
import { sdk } from './sdk.js';

const { RowBuilder } = sdk.dashboard;

const KIND = 'on-call';

function firingAlerts(slos: readonly Slo[]): string {
  return fleet('ALERTS', slos, { extra: ['alertstate="firing"'] });
}

function controlPlane(grid: Grid, slos: readonly Slo[]): void {
  const using = withCatalog(slos, 'control-plane-availability');
  if (!using.length) {
    grid.add(text(20, 'Control plane', 'No SLO in this set uses the **control\\-plane\\-availability** catalog SLI, so there are no kube\\-apiserver series to show.'), 24, 3);
    return;
  }
  for (const slo of using) {
    const s = controlPlaneSignals(slo);
    if (!s) continue;
    const block = panelBlock(`${KIND}:${slo.id}`) * 10;
    grid.add(
      timeseries(block + 1, `Control-plane errors: ${slo.service}/${slo.name}`, '5xx answers per second by verb and code, from the requests the SLI counts; zero per verb while there are none.')
        .withTarget(
          promQuery('A', `sum by (verb, code) (rate(${grafanaSelector(s.errors)}[$__rate_interval]))\nor on (verb)\nsum by (verb) (0 * rate(${grafanaSelector(s.requests)}[$__rate_interval]))`, {
            legend: '{{verb}} {{code}}',
          }),
        )
        .unit('reqps'),
      12,
      8,
    );
    if (s.latency) {
      const bucket = grafanaSelector({ ...s.latency, metric: `${s.latency.metric}_bucket` });
      grid.add(
        timeseries(block + 2, `Control-plane latency p99: ${slo.service}/${slo.name}`, '99th percentile request latency by verb, from the SLI\'s latency histogram (streaming verbs excluded).')
          .withTarget(promQuery('A', `histogram_quantile(0.99, sum by (le, verb) (rate(${bucket}[$__rate_interval])))`, { legend: '{{verb}}' }))
          .unit('s'),
        12,
        8,
      );
    }
  }
}

function evictions(grid: Grid, slos: readonly Slo[]): void {
  const using = withCatalog(slos, 'pod-eviction-rate');
  if (!using.length) {
    grid.add(text(21, 'Evictions', 'No SLO in this set uses the **pod\\-eviction\\-rate** catalog SLI, so there is no eviction rate to show.'), 24, 3);
    return;
  }
  for (const slo of using) {
    if (slo.sli.kind !== 'timeslice') continue;
    grid.add(
      dashedThresholds(
        timeseries(panelBlock(`${KIND}:${slo.id}`) * 10 + 3, `Eviction rate: ${slo.service}/${slo.name}`, `Evictions per 1000 pods as the SLI computes them; a slice is bad above the dashed line at ${formatNumber(slo.sli.threshold)}.`),
        [{ value: null, color: 'green' }, { value: slo.sli.threshold, color: 'red' }],
      ).withTarget(promQuery('A', sliceValue(slo)!, { legend: 'evictions per 1000 pods' })),
      12,
      8,
    );
  }
}

/** For the engineer on call: what burns fastest, what fires, and the platform signals behind it. */
export function oncallDashboard(slos: readonly Slo[]): dashboard.Dashboard {
  const meta = OVERVIEW_DASHBOARDS.oncall;
  const builder = frame(
    { uid: meta.uid, title: meta.title, description: 'What to look at first during an incident: SLOs by how fast they burn, firing burn-rate alerts and their history, evictions and the control plane.', tags: ['overview'], from: 'now-6h' },
    slos,
    {},
  );
  const grid = new Grid();
  grid.row(new RowBuilder('Burning now').id(1));
  const cols = standardColumns(slos, {});
  const columns: Column[] = [cols.burnNow];
  if (slos.some((s) => sloWindows(s).includes(HOUR))) {
    columns.push({ ...cols.burnNow, title: 'Burn rate (1h)', expr: perSlo('max', fleet(RECORDS.burnRate('1h'), slos)) });
  }
  columns.push(cols.budget, cols.firing, cols.objective);
  grid.add(
    fleetTable(2, 'SLOs by burn rate, fastest first', 'Burn rate is the error ratio over the error budget: at 1x the budget lasts exactly the SLO window. The SLO name opens its service dashboard.', slos, {}, columns).sortBy([
      { build: () => ({ displayName: 'Burn rate now (5m)', desc: true }) },
    ]),
    12,
    10,
  );
  grid.add(
    table(3, 'Firing alerts', 'Burn-rate and guard alerts firing now, with the tier and window pair that fired and how long the budget lasts at that burn.')
      .withTarget(promQuery('A', firingAlerts(slos), { instant: true, format: 'table' }))
      .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, alertstate: true } } })
      // The panel-wide text says why the table is empty; guard alerts have no tier labels, so their cells get a dash.
      .noValue('No alert is firing')
      .overrideByFieldType('string', [{ id: 'noValue', value: '–' }]),
    12,
    10,
  );
  grid.add(
    stateTimeline(4, 'Alert history', 'Every SLO alert that fired in the time range, per SLO and tier; the same changes are drawn as annotations on every SLO dashboard.')
      .withTarget(promQuery('A', `max by (slo_service, slo_name, alertname, slo_tier) (${firingAlerts(slos)})`, { legend: '{{slo_service}}/{{slo_name}} {{alertname}} {{slo_tier}}' }))
      .mappings(ALERT_STATE_MAPPINGS)
      .thresholds(thresholds([{ value: null, color: 'green' }, { value: 1, color: 'red' }]))
      .noValue('No alert fired in this time range'),
    24,
    8,
  );
  grid.add(
    timeseries(5, 'Burn rate now, every SLO', 'Burn rate over the last 5 minutes for every SLO (worst group); above 1x the budget will not last the window.')
      .withTarget(promQuery('A', `max by (slo_service, slo_name) (${fleet(RECORDS.currentBurnRate, slos)})`, { legend: '{{slo_service}}/{{slo_name}}' }))
      .unit('x'),
    24,
    8,
  );
  grid.row(new RowBuilder('Platform signals').id(6));
  evictions(grid, slos);
  grid.newLine();
  controlPlane(grid, slos);
  return withPanels(builder, grid);
}
