import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { RECORDS } from '../model/naming.js';
import type { Slo } from '../model/slo.js';
import { FLEET, fleet, perSlo, type FleetFilter } from './fleet.js';
import { BUDGET_STEPS, burnSteps, table, thresholds, type Step } from './panels.js';
import { promQuery, refId } from './query.js';

export interface Column {
  title: string;
  /** One value per SLO, labelled by `slo_id` only (see `perSlo`). */
  expr: string;
  unit: string;
  decimals?: number;
  steps?: Step[];
  /** Shown in an empty cell; default a dash. */
  noValue?: string;
}

const DASHBOARD_LABEL = 'slo_dashboard';

/** Fleet tables mix SLOs with different tiers: a burn of 6x (the Workbook's slow page at 30d) is red. */
export const FLEET_PAGE_BURN = 6;

/** Columns most fleet tables share; each reads a series the meta rules record. */
export function standardColumns(slos: readonly Slo[], filter: FleetFilter): Record<'objective' | 'window' | 'sli' | 'errorRatio' | 'budget' | 'burnNow' | 'burnPeriod' | 'firing', Column> {
  const f = (m: string) => fleet(m, slos, filter);
  // Grouped SLOs record a burn rate per group but one budget: match on the SLO alone.
  const errorRatio = `${f(RECORDS.periodBurnRate)} * on (${FLEET.id}) group_left () ${f(RECORDS.errorBudget)}`;
  // No firing alert is a count of zero, not a blank cell.
  const zeroPerSlo = perSlo('max', `0 * ${f(RECORDS.objective)}`);
  return {
    objective: { title: 'Objective', expr: perSlo('max', f(RECORDS.objective)), unit: 'percentunit', decimals: 3 },
    window: { title: 'Window', expr: perSlo('max', f(RECORDS.periodDays)), unit: 'suffix: d', decimals: 0 },
    sli: { title: 'SLI (window)', expr: perSlo('min', `1 - ${errorRatio}`), unit: 'percentunit', decimals: 3 },
    errorRatio: { title: 'Error ratio (window)', expr: perSlo('max', errorRatio), unit: 'percentunit', decimals: 4 },
    budget: {
      title: 'Budget left',
      expr: perSlo('min', f(RECORDS.budgetRemaining)),
      unit: 'percentunit',
      decimals: 1,
      steps: BUDGET_STEPS,
    },
    burnNow: {
      title: 'Burn rate now (5m)',
      expr: perSlo('max', f(RECORDS.currentBurnRate)),
      unit: 'x',
      decimals: 2,
      steps: burnSteps(FLEET_PAGE_BURN),
    },
    burnPeriod: { title: 'Burn rate (window)', expr: perSlo('max', f(RECORDS.periodBurnRate)), unit: 'x', decimals: 2 },
    firing: {
      title: 'Firing alerts',
      expr: `${perSlo('count', fleet('ALERTS', slos, { ...filter, extra: [...(filter.extra ?? []), 'alertstate="firing"'] }))} or ${zeroPerSlo}`,
      unit: 'none',
      steps: [
        { value: null, color: 'green' },
        { value: 1, color: 'red' },
      ],
    },
  };
}

/**
 * One row per SLO: the first query brings service, name and dashboard uid from the info series,
 * every column is joined to it on `slo_id`. The SLO name links to the SLO's service dashboard.
 */
export function fleetTable(id: number, title: string, description: string, slos: readonly Slo[], filter: FleetFilter, columns: Column[]): TablePanel {
  const info = perSlo('max', fleet((n) => n.infoMetric, slos, filter), [FLEET.service, FLEET.name, DASHBOARD_LABEL]);
  const panel = table(id, title, description).withTarget(promQuery('A', info, { instant: true, format: 'table' }));
  const rename: Record<string, string> = { [FLEET.service]: 'Service', [FLEET.name]: 'SLO' };
  const exclude: Record<string, boolean> = { 'Value #A': true, Time: true };
  columns.forEach((c, i) => {
    const ref = refId(i + 1);
    panel.withTarget(promQuery(ref, c.expr, { instant: true, format: 'table' }));
    rename[`Value #${ref}`] = c.title;
  });
  for (let i = 1; i <= columns.length + 1; i++) exclude[`Time ${i}`] = true;
  panel
    .withTransformation({ id: 'joinByField', options: { byField: FLEET.id, mode: 'outer' } })
    .withTransformation({ id: 'organize', options: { excludeByName: exclude, renameByName: rename } })
    .overrideByName(FLEET.id, [{ id: 'custom.hidden', value: true }])
    .overrideByName(DASHBOARD_LABEL, [{ id: 'custom.hidden', value: true }])
    .overrideByName('SLO', [
      {
        id: 'links',
        value: [
          {
            title: 'Open the SLO on its service dashboard',
            url: `/d/\${__data.fields.${DASHBOARD_LABEL}}?var-slo=\${__value.raw}&\${__url_time_range}`,
          },
        ],
      },
    ]);
  for (const c of columns) {
    const props: dashboard.DynamicConfigValue[] = [
      { id: 'unit', value: c.unit },
      { id: 'noValue', value: c.noValue ?? '–' },
    ];
    if (c.decimals !== undefined) props.push({ id: 'decimals', value: c.decimals });
    if (c.steps) {
      props.push({ id: 'thresholds', value: thresholds(c.steps).build() });
      props.push({ id: 'custom.cellOptions', value: { type: 'color-text' } });
    }
    panel.overrideByName(c.title, props);
  }
  return panel;
}
