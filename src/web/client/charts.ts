import uPlot from 'uplot';
import type { Zone } from './format.js';

export interface LineSpec {
  label: string;
  values: Array<number | null>;
  color: string;
  dash?: number[];
  width?: number;
}

function css(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * A line chart in `el`: times in Unix seconds, one series per line. Axes follow the page's
 * colours and time zone; `yFormat` labels the y axis.
 */
export function lineChart(el: HTMLElement, title: string, times: number[], lines: LineSpec[], zone: Zone, yFormat: (v: number) => string, yRange?: [number | null, number | null]): uPlot {
  const axis = { stroke: css('--fg-muted'), grid: { stroke: css('--grid'), width: 1 }, ticks: { stroke: css('--grid') } };
  const opts: uPlot.Options = {
    title,
    width: Math.max(320, el.clientWidth || 640),
    height: 220,
    tzDate: zone === 'utc' ? (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') : undefined,
    scales: {
      y: yRange ? { range: (_u, min, max) => [yRange[0] ?? min, yRange[1] ?? max] } : {},
    },
    axes: [axis, { ...axis, size: 80, values: (_u, vals) => vals.map(yFormat) }],
    series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: l.width ?? 1.5, dash: l.dash, spanGaps: false, value: (_u: uPlot, v: number | null) => (v === null ? '–' : yFormat(v)) }))],
    legend: { show: true },
  };
  el.replaceChildren();
  return new uPlot(opts, [times, ...lines.map((l) => l.values)] as uPlot.AlignedData, el);
}
