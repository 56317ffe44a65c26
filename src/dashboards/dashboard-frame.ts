import { GENERATED_TAG } from '../model/constants.js';
import type { Slo } from '../model/slo.js';
import { DATASOURCE, datasourceVariable } from './datasource.js';
import { fleet, type FleetFilter } from './fleet.js';
import type { Grid } from './grid.js';
import { sdk, type dashboard } from './sdk.js';

const { AnnotationQueryBuilder, DashboardBuilder, DashboardCursorSync, DashboardLinkBuilder, DashboardLinkType } = sdk.dashboard;

export const SLO_TAG = 'slo';

export interface FrameOptions {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  /** e.g. `now-6h` */
  from: string;
}

/**
 * What every generated dashboard shares: the datasource variable, UTC-neutral browser time,
 * shared crosshair, a minute refresh, links to the other SLO dashboards, and burn-rate alert
 * changes drawn as annotations.
 */
export function frame(opts: FrameOptions, slos: readonly Slo[], alertFilter: FleetFilter): dashboard.DashboardBuilder {
  return new DashboardBuilder(opts.title)
    .uid(opts.uid)
    .description(opts.description)
    .tags([SLO_TAG, ...opts.tags, GENERATED_TAG])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: opts.from, to: 'now' })
    .refresh('1m')
    .withVariable(datasourceVariable())
    .annotation(
      new AnnotationQueryBuilder()
        .name('Burn-rate alerts')
        .datasource(DATASOURCE)
        .enable(true)
        .iconColor('red')
        .expr(fleet('ALERTS', slos, { ...alertFilter, extra: [...(alertFilter.extra ?? []), 'alertstate="firing"'] }))
        .step('1m')
        .titleFormat('{{slo_service}}/{{slo_name}} {{alertname}}')
        .tagKeys('severity,sloth_severity,slo_tier,long,short'),
    )
    .link(new DashboardLinkBuilder('SLO dashboards').type(DashboardLinkType.Dashboards).tags([SLO_TAG]).asDropdown(true).includeVars(false).keepTime(true));
}

/**
 * The builder's output with our own grid positions. The SDK writes `placement: inControlsMenu`
 * on links and annotations; Grafana 12 then moves them into the controls menu, which drops
 * dashboard-list links altogether. Without it they show in the top bar on every version.
 */
export function withPanels(builder: dashboard.DashboardBuilder, grid: Grid): dashboard.Dashboard {
  const built = builder.build();
  const noPlacement = <T extends { placement?: unknown }>(x: T): T => {
    const { placement: _drop, ...rest } = x;
    return rest as T;
  };
  return {
    ...built,
    links: (built.links ?? []).map(noPlacement),
    annotations: { ...built.annotations, list: (built.annotations.list ?? []).map(noPlacement) },
    panels: grid.panels(),
  };
}
