import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { formatDuration } from '../model/duration.js';
import { OVERVIEW_DASHBOARDS, panelBlock } from '../model/dashboard-ids.js';
import { RECORDS } from '../model/naming.js';
import { formatNumber } from '../model/numbers.js';
import type { Slo } from '../model/slo.js';
import { sloWindows } from '../model/windows.js';
import { grafanaSelector, renderSelector } from '../promql/selector.js';
import { frame, withPanels } from './dashboard-frame.js';
import { FLEET_PAGE_BURN, fleetTable, type Column } from './fleet-table.js';
import { fleet, perSlo } from './fleet.js';
import { Grid } from './grid.js';
import { burnSteps, dashedThresholds, heatmap, text, timeseries, type Step } from './panels.js';
import { promQuery, refId } from './query.js';
import { latencySignals, type LatencySignal } from './raw-signals.js';
import { sdk } from './sdk.js';

const { RowBuilder } = sdk.dashboard;
const { YAxisConfigBuilder } = sdk.heatmap;

const KIND = 'debug';
const QUANTILES = [0.5, 0.9, 0.99];

function latencyRow(grid: Grid, signal: LatencySignal): void {
  const h = signal.histogram;
  const block = panelBlock(`${KIND}:${signal.native}:${renderSelector(h)}`) * 10;
  const who = signal.slos.map(({ slo }) => `${slo.service}/${slo.name}`).join(', ');
  grid.row(new RowBuilder(`${h.metric}`).id(block));
  const steps: Step[] = [{ value: null, color: 'green' }, ...[...new Set(signal.slos.map((s) => s.threshold))].sort((a, b) => a - b).map((value) => ({ value, color: 'red' }))];
  const quantiles = dashedThresholds(
    timeseries(block + 1, `${h.metric}: quantiles`, `p50, p90 and p99 of the histogram the SLI reads (SLOs: ${who}); dashed lines are the SLO thresholds (${signal.slos.map((s) => `${formatNumber(s.threshold)}s`).join(', ')}).`),
    steps,
  ).unit('s');
  if (signal.native) {
    const sel = grafanaSelector(h);
    QUANTILES.forEach((q, i) => quantiles.withTarget(promQuery(refId(i), `histogram_quantile(${q}, sum(rate(${sel}[$__rate_interval])))`, { legend: `p${q * 100}` })));
    grid.add(quantiles, 24, 8);
    return;
  }
  const bucket = grafanaSelector({ ...h, metric: `${h.metric}_bucket` });
  QUANTILES.forEach((q, i) => quantiles.withTarget(promQuery(refId(i), `histogram_quantile(${q}, sum by (le) (rate(${bucket}[$__rate_interval])))`, { legend: `p${q * 100}` })));
  grid.add(
    heatmap(block + 2, `${h.metric}: distribution`, `Observations per second in each latency bucket (SLOs: ${who}).`)
      .yAxis(new YAxisConfigBuilder().unit('s'))
      .withTarget(promQuery('A', `sum by (le) (rate(${bucket}[$__rate_interval]))`, { format: 'heatmap', legend: '{{le}}' })),
    12,
    8,
  );
  grid.add(quantiles, 12, 8);
}

/** For debugging: latency distributions behind the latency SLIs and every window's burn rate side by side. */
export function debugDashboard(slos: readonly Slo[]): dashboard.Dashboard {
  const meta = OVERVIEW_DASHBOARDS.debug;
  const builder = frame(
    { uid: meta.uid, title: meta.title, description: 'Why an SLO burns: the latency histograms the SLIs read, and every window\'s burn rate per SLO.', tags: ['overview'], from: 'now-6h' },
    slos,
    {},
  );
  const grid = new Grid();
  grid.row(new RowBuilder('Burn rate per window').id(1));
  const windows = [...new Set(slos.flatMap((s) => sloWindows(s)))].sort((a, b) => a - b);
  const columns: Column[] = windows.map((w) => ({
    title: formatDuration(w),
    expr: perSlo('max', fleet(RECORDS.burnRate(formatDuration(w)), slos)),
    unit: 'x',
    decimals: 2,
    noValue: '',
    steps: burnSteps(FLEET_PAGE_BURN),
  }));
  grid.add(
    fleetTable(2, 'Burn rate per window, every SLO', 'Burn rate over each window the SLOs compute (worst group); a blank cell means the SLO does not use that window.', slos, {}, columns),
    24,
    Math.min(16, 4 + slos.length),
  );
  const signals = latencySignals(slos);
  if (!signals.length) grid.add(text(3, 'Latency', 'No latency SLI in this set: no histogram to show.'), 24, 3);
  for (const s of signals) latencyRow(grid, s);
  return withPanels(builder, grid);
}
