import { DATASOURCE } from './datasource.js';
import { sdk, type prometheus } from './sdk.js';

const { DataqueryBuilder, PromQueryFormat, QueryEditorMode } = sdk.prometheus;

export interface QueryOptions {
  legend?: string;
  /** Stat and table panels read one value per series: an instant query is cheaper and exact. */
  instant?: boolean;
  format?: 'table' | 'time_series' | 'heatmap';
  /** Smallest step Grafana may use, e.g. `1h` for series that only change hourly. */
  interval?: string;
}

const FORMATS = { table: PromQueryFormat.Table, time_series: PromQueryFormat.TimeSeries, heatmap: PromQueryFormat.Heatmap } as const;

/** A Prometheus query in code mode, so that Grafana shows the generated PromQL as written. */
export function promQuery(refId: string, expr: string, opts: QueryOptions = {}): prometheus.DataqueryBuilder {
  const q = new DataqueryBuilder().datasource(DATASOURCE).refId(refId).expr(expr).editorMode(QueryEditorMode.Code);
  if (opts.legend !== undefined) q.legendFormat(opts.legend);
  if (opts.instant) q.instant();
  else q.range();
  if (opts.format) q.format(FORMATS[opts.format]);
  if (opts.interval) q.interval(opts.interval);
  return q;
}

/** refIds A, B, ... Z, AA, AB, ... */
export function refId(i: number): string {
  const letter = String.fromCharCode(65 + (i % 26));
  return i < 26 ? letter : `${refId(Math.floor(i / 26) - 1)}${letter}`;
}
