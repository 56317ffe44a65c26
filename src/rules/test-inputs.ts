import { parser } from '@prometheus-io/lezer-promql';
import { BASE_WINDOW } from '../model/constants.js';
import { formatDuration } from '../model/duration.js';
import { RECORDS } from '../model/naming.js';
import { formatNumber } from '../model/numbers.js';
import { sloWindows } from '../model/windows.js';
import type { CounterExpr, Matcher, Selector, Slo } from '../model/slo.js';
import { matches, valueAgainst, valueFor } from '../promql/label-values.js';
import { quoteLabelValue } from '../promql/quote.js';
import { parseSelector } from '../promql/selector-parse.js';
import { isTemplate, renderTemplate } from '../promql/template.js';
import { seriesLabels } from './recording.js';
import type { RenderOptions } from './types.js';

/** Error ratio over time as constant pieces: `[minutes, ratio]`. */
export type Schedule = ReadonlyArray<readonly [number, number]>;

export interface InputSeries {
  series: string;
  values: string;
}

/** Turns a schedule into input series that drive the SLO's own queries. */
export interface Feeder {
  /** How the inputs reach the rules, for the comment at the top of the test file. */
  how: string;
  /** Labels the SLI's output series carry besides the SLO's own (grouping labels). */
  groupLabels: Record<string, string>;
  series(schedule: Schedule): InputSeries[];
}

/** Events per minute in synthetic scenarios: large enough for minEvents guards and exact ratios. */
const RATE = 1000;

function seriesText(metric: string, labels: Record<string, string>): string {
  const body = Object.entries(labels).map(([k, v]) => `${k}=${quoteLabelValue(v)}`).join(', ');
  return `${metric}{${body}}`;
}

/** A counter growing at `rate(ratio)` per minute through each piece, in promtool's expanding notation. */
function counterValues(schedule: Schedule, rate: (ratio: number) => number): string {
  const parts: string[] = [];
  let value = 0;
  schedule.forEach(([minutes, ratio], i) => {
    const step = rate(ratio);
    const start = i === 0 ? 0 : value + step;
    const count = i === 0 ? minutes : minutes - 1;
    parts.push(`${formatNumber(start)}+${formatNumber(step)}x${count}`);
    value = start + step * count;
  });
  return parts.join(' ');
}

function gaugeValues(schedule: Schedule, value: (ratio: number) => number): string {
  return schedule.map(([minutes, ratio], i) => `${formatNumber(value(ratio))}+0x${i === 0 ? minutes : minutes - 1}`).join(' ');
}

/** Label values satisfying every matcher, except `against`, which the result must fail. */
function labelsFor(matchers: readonly Matcher[], against?: Matcher): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const labels = [...new Set([...matchers.map((m) => m.label), ...(against ? [against.label] : [])])];
  for (const label of labels) {
    const own = matchers.filter((m) => m.label === label);
    const candidates = [...own.map(valueFor), against?.label === label ? valueAgainst(against) : undefined, '200', 'synthetic', 'x'];
    const pick = candidates.find(
      (v) => v !== undefined && own.every((m) => matches(m, v)) && !(against?.label === label && matches(against, v)),
    );
    if (pick === undefined) return undefined;
    if (pick !== '') out[label] = pick;
  }
  return out;
}

function firstPositive(expr: CounterExpr): Selector | undefined {
  if (isTemplate(expr)) return singleSelector(expr.promql);
  return expr.terms.find((t) => t.sign > 0)?.selector;
}

/** The one vector selector of a query such as `sum(rate(x{a="b"}[{{.window}}]))`, if it has exactly one. */
function singleSelector(promql: string): Selector | undefined {
  const text = renderTemplate({ promql }, '5m');
  const found: string[] = [];
  parser.parse(text).iterate({
    enter(n) {
      if (n.name === 'VectorSelector') {
        found.push(text.slice(n.from, n.to));
        return false;
      }
      return undefined;
    },
  });
  if (found.length !== 1) return undefined;
  try {
    return parseSelector(found[0]!);
  } catch {
    return undefined;
  }
}

type Planned = { series: string; part: (ratio: number) => number };

/**
 * Counters that split traffic so that the SLO's own queries see exactly the scheduled ratio.
 * `part` is the share of traffic the `selected` selector (bad or good events) gets.
 */
function splitCounters(total: Selector, selected: Selector, part: (ratio: number) => number, group: Record<string, string>): Planned[] | undefined {
  if (total.metric === selected.metric) {
    const extra = selected.matchers.filter((m) => !total.matchers.some((t) => t.label === m.label && t.op === m.op && t.value === m.value));
    if (!extra.length) return undefined;
    const inLabels = labelsFor([...total.matchers, ...extra]);
    const outLabels = labelsFor(total.matchers, extra[0]);
    if (!inLabels || !outLabels) return undefined;
    return [
      { series: seriesText(total.metric, { ...group, ...inLabels }), part },
      { series: seriesText(total.metric, { ...group, ...outLabels }), part: (r) => 1 - part(r) },
    ];
  }
  const t = labelsFor(total.matchers);
  const s = labelsFor(selected.matchers);
  if (!t || !s) return undefined;
  return [
    { series: seriesText(total.metric, { ...group, ...t }), part: () => 1 },
    { series: seriesText(selected.metric, { ...group, ...s }), part },
  ];
}

function counterFeeder(how: string, planned: Planned[], group: Record<string, string>): Feeder {
  return {
    how,
    groupLabels: group,
    series: (schedule) => planned.map((p) => ({ series: p.series, values: counterValues(schedule, (r) => RATE * p.part(r)) })),
  };
}

/**
 * The group of the synthetic series: `test`, unless the SLI's selector constrains the label
 * (`groupBy: [path]` with `path="/api"`): then a value it matches, which the recorded series and
 * the expected alerts carry.
 */
function groupLabelsFor(groupBy: readonly string[], sel: Selector | undefined): Record<string, string> {
  return Object.fromEntries(
    groupBy.map((g) => {
      const own = sel?.matchers.filter((m) => m.label === g) ?? [];
      return [g, (own.length ? labelsFor(own)?.[g] : undefined) ?? 'test'];
    }),
  );
}

/** Picks how to feed an SLO's rules in a promtool test; undefined when no synthetic input can drive its queries. */
export function feederFor(slo: Slo, opts: RenderOptions): Feeder | undefined {
  const sli = slo.sli;
  const pinning = sli.kind === 'events' ? firstPositive(sli.total) : sli.kind === 'latency' ? sli.histogram : sli.kind === 'boolGauge' && !isTemplate(sli.gauge) ? sli.gauge : undefined;
  const group = groupLabelsFor('groupBy' in sli ? sli.groupBy : [], pinning);
  const base = formatDuration(BASE_WINDOW);
  const own = seriesLabels(slo, opts);
  const windowLabel = slo.convention === 'sloth' ? 'sloth_window' : 'slo_window';
  switch (sli.kind) {
    case 'events': {
      const total = firstPositive(sli.total);
      const selected = firstPositive(sli.bad ?? sli.good!);
      if (!total || !selected) return undefined;
      const part = sli.bad ? (r: number) => r : (r: number) => 1 - r;
      const planned = splitCounters(total, selected, part, group);
      return planned && counterFeeder('synthetic counters that the SLI\'s own selectors read', planned, group);
    }
    case 'latency': {
      if (sli.native) return undefined;
      const labels = labelsFor(sli.histogram.matchers);
      if (!labels) return undefined;
      const le = formatNumber(sli.threshold);
      return counterFeeder('a synthetic classic histogram: _count and the threshold bucket', [
        { series: seriesText(`${sli.histogram.metric}_count`, { ...group, ...labels }), part: () => 1 },
        { series: seriesText(`${sli.histogram.metric}_bucket`, { ...group, ...labels, le }), part: (r) => 1 - r },
      ], group);
    }
    case 'boolGauge': {
      if (isTemplate(sli.gauge)) break;
      const labels = labelsFor(sli.gauge.matchers);
      if (!labels) return undefined;
      const series = seriesText(sli.gauge.metric, { ...group, ...labels });
      return {
        how: 'a synthetic gauge whose value is the scheduled good fraction (real probes are 0/1; a fraction gives exact ratios)',
        groupLabels: group,
        series: (schedule) => [{ series, values: gaugeValues(schedule, (r) => 1 - r) }],
      };
    }
    case 'rawErrorRatio': {
      const windows = sloWindows(slo).filter((w) => w !== slo.window || w === BASE_WINDOW);
      return {
        how: 'the per-window error ratios directly: raw PromQL cannot be driven by synthetic inputs',
        groupLabels: {},
        series: (schedule) =>
          windows.map((w) => ({
            series: seriesText(RECORDS.errorRatio(formatDuration(w)), { ...own, [windowLabel]: formatDuration(w) }),
            values: gaugeValues(schedule, (r) => r),
          })),
      };
    }
    default:
      break;
  }
  // Expression-based gauges and time slices: feed the base-window counts their rules would record.
  const slices = sli.kind === 'timeslice' ? BASE_WINDOW / sli.slice : sli.kind === 'boolGauge' ? BASE_WINDOW / sli.resolution : 1;
  return {
    how: `the ${base} base counts directly (${slices} slice${slices === 1 ? "" : "s"} per base window): expressions over many exporters cannot be driven by synthetic inputs`,
    groupLabels: group,
    series: (schedule) => [
      { series: seriesText(RECORDS.totalEvents(base), { ...own, ...group, [windowLabel]: base }), values: gaugeValues(schedule, () => slices) },
      { series: seriesText(RECORDS.badEvents(base), { ...own, ...group, [windowLabel]: base }), values: gaugeValues(schedule, (r) => slices * r) },
    ],
  };
}
