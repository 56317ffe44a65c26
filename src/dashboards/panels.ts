import type { PanelBuilder as HeatmapPanel } from '@grafana/grafana-foundation-sdk/heatmap';
import type { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import type { PanelBuilder as StateTimelinePanel } from '@grafana/grafana-foundation-sdk/statetimeline';
import type { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import type { PanelBuilder as TextPanel } from '@grafana/grafana-foundation-sdk/text';
import type { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE } from './datasource.js';
import { sdk, type dashboard } from './sdk.js';

const { MappingType, ThresholdsConfigBuilder, ThresholdsMode, DashboardLinkBuilder } = sdk.dashboard;
const {
  BigValueColorMode,
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  VisibilityMode,
  VizLegendOptionsBuilder,
} = sdk.common;
const { TextMode } = sdk.text;

/** Shared defaults of our panels, one factory per panel type (Grafana's own examples do the same). */

export type Step = { value: number | null; color: string };

export function thresholds(steps: Step[]): dashboard.ThresholdsConfigBuilder {
  // The SDK types `value` as number, but Grafana requires the base step's value to be null.
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps as dashboard.Threshold[]);
}

/** Red when spent, orange when under a quarter is left, green otherwise. */
export const BUDGET_STEPS: Step[] = [
  { value: null, color: 'red' },
  { value: 0, color: 'orange' },
  { value: 0.25, color: 'green' },
];

/** Red below the objective, green at or above it. */
export function objectiveSteps(objective: number): Step[] {
  return [
    { value: null, color: 'red' },
    { value: objective, color: 'green' },
  ];
}

/** Green under 1x (the budget lasts the window), orange above, red above the fastest page. */
export function burnSteps(pageFactor: number): Step[] {
  return [
    { value: null, color: 'green' },
    { value: 1, color: 'orange' },
    { value: pageFactor, color: 'red' },
  ];
}

export function stat(id: number, title: string, description: string): StatPanel {
  return new sdk.stat.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.Value)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .noValue('No data');
}

export function timeseries(id: number, title: string, description: string): TimeseriesPanel {
  return new sdk.timeseries.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .lineWidth(1)
    .fillOpacity(0)
    .showPoints(VisibilityMode.Never)
    .spanNulls(false)
    .legend(new VizLegendOptionsBuilder().displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).showLegend(true))
    .noValue('No data');
}

/** Thresholds drawn as dashed lines across a time series (objectives, burn-rate factors). */
export function dashedThresholds(panel: TimeseriesPanel, steps: Step[]): TimeseriesPanel {
  return panel.thresholds(thresholds(steps)).thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
}

/** No panel-wide `noValue`: Grafana would print it in every empty cell of a table. */
export function table(id: number, title: string, description: string): TablePanel {
  return new sdk.table.PanelBuilder().id(id).title(title).description(description).datasource(DATASOURCE);
}

export function text(id: number, title: string, markdown: string): TextPanel {
  return new sdk.text.PanelBuilder().id(id).title(title).mode(TextMode.Markdown).content(markdown);
}

export function stateTimeline(id: number, title: string, description: string): StateTimelinePanel {
  return new sdk.statetimeline.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .showValue(VisibilityMode.Never)
    .mergeValues(true)
    .legend(new VizLegendOptionsBuilder().displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).showLegend(false))
    .noValue('No data');
}

export function heatmap(id: number, title: string, description: string): HeatmapPanel {
  return new sdk.heatmap.PanelBuilder().id(id).title(title).description(description).datasource(DATASOURCE).calculate(false).showValue(VisibilityMode.Never);
}

/** Alert state as Sloth shows it: 0 OK, 0.5 pending, 1 firing. */
export const ALERT_STATE_MAPPINGS: dashboard.ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: {
      '0': { text: 'OK', color: 'green', index: 0 },
      '0.5': { text: 'PENDING', color: 'yellow', index: 1 },
      '1': { text: 'FIRING', color: 'red', index: 2 },
    },
  },
];

/** A data link to another dashboard, carrying the time range. */
export function dataLink(title: string, url: string): dashboard.DashboardLinkBuilder {
  return new DashboardLinkBuilder(title).url(`${url}${url.includes('?') ? '&' : '?'}\${__url_time_range}`);
}

/** Markdown text with characters that would start formatting escaped. */
export function md(text: string): string {
  // Grafana replaces `$name` in a text panel before Markdown sees it: `&#36;` is a `$` only to
  // Markdown. Line breaks would let a description start a heading or a table row of its own.
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&$\r\n\u2028\u2029]/g, (c) => MD_ESCAPES[c] ?? `\\${c}`);
}

const MD_ESCAPES: Record<string, string> = { '&': '&amp;', $: '&#36;', '\r': ' ', '\n': ' ', '\u2028': ' ', '\u2029': ' ' };

/** A URL as a Markdown link target: `encodeURI` leaves `(`, `)` and `$`, which end the link or name a variable. */
export function mdUrl(url: string): string {
  return encodeURI(url).replace(/[()$'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
