import { parseDuration } from '../../model/duration.js';
import { formatNumber } from '../../model/numbers.js';
import { DEFAULT_RESOLUTION } from '../../model/constants.js';
import type { Matcher, Selector, Sli } from '../../model/slo.js';
import { parseSelector, SelectorSyntaxError } from '../../promql/selector-parse.js';
import { leMatcher } from '../../promql/selector.js';
import type { DocContext } from '../context.js';
import type { Path } from '../yaml-source.js';

type Raw = Record<string, any>;

export const INDICATORS = ['ratio', 'latency', 'latencyNative', 'bool_gauge'] as const;
export type IndicatorKind = (typeof INDICATORS)[number];

export interface PyrraIndicator {
  kind: IndicatorKind;
  sli: Sli;
  /**
   * The selector whose `=` matchers Pyrra copies onto every rule as labels (`job="api"`):
   * the total of ratio and latency indicators, the gauge itself for bool_gauge.
   */
  labelSource: Selector;
  grouping: string[];
}

/** A plain vector selector, as Pyrra requires; it adds rate(), increase() and sum itself. */
function selector(ctx: DocContext, at: Path, text: string): Selector | undefined {
  try {
    return parseSelector(text);
  } catch (e) {
    if (!(e instanceof SelectorSyntaxError)) throw e;
    const why = e.message.replace(/; ranges, functions and operators belong in a `promql:` query/, '');
    ctx.error(at, `Pyrra needs a plain vector selector here: ${why}`,
      'write only metric{label="value"}: Pyrra wraps it in rate(), increase() and sum by (grouping) itself');
    return undefined;
  }
}

const FLOAT_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function sameMatchers(a: readonly Matcher[], b: readonly Matcher[]): boolean {
  const key = (m: Matcher) => `${m.label}\u0000${m.op}\u0000${m.value}`;
  const ka = a.map(key).sort();
  const kb = b.map(key).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/**
 * Pyrra's `latency` indicator: success is `<h>_bucket{…,le="x"}`, total `<h>_count{…}`.
 * When both select the same histogram with the same matchers it is our classic `latency` SLI,
 * whose `le` matcher also matches Prometheus 3's `x.0`; otherwise the two selectors are kept
 * as they are, as good and total events.
 */
function latencySli(ctx: DocContext, at: Path, raw: Raw, groupBy: string[]): { sli: Sli; total: Selector } | undefined {
  const success = selector(ctx, [...at, 'success', 'metric'], raw.success.metric);
  const total = selector(ctx, [...at, 'total', 'metric'], raw.total.metric);
  if (!success || !total) return undefined;
  const les = success.matchers.filter((m) => m.label === 'le');
  if (les.length !== 1) {
    ctx.error([...at, 'success', 'metric'], les.length ? 'more than one le matcher' : 'the success selector has no le matcher, so it cannot tell fast requests from slow ones',
      'select one bucket of the histogram, e.g. http_request_duration_seconds_bucket{job="api",le="0.5"}');
    return undefined;
  }
  const le = les[0]!;
  const bound = Number(le.value);
  if ((le.op !== '=' && le.op !== '=~') || !FLOAT_RE.test(le.value) || !Number.isFinite(bound) || bound <= 0) {
    ctx.error([...at, 'success', 'metric'], `le${le.op}${JSON.stringify(le.value)} is not a bucket bound`,
      'write le="<upper bound in seconds>" with a positive number, e.g. le="0.5"');
    return undefined;
  }
  if (!total.metric.endsWith('_count')) ctx.warn([...at, 'total', 'metric'], `${total.metric} is usually a histogram's _count series`);
  if (!success.metric.endsWith('_bucket')) ctx.warn([...at, 'success', 'metric'], `${success.metric} is usually a histogram's _bucket series`);
  const base = total.metric.replace(/_count$/, '');
  const others = success.matchers.filter((m) => m !== le);
  const canonical = formatNumber(bound) === le.value;
  if (total.metric === `${base}_count` && success.metric === `${base}_bucket` && sameMatchers(others, total.matchers) && canonical) {
    return { sli: { kind: 'latency', histogram: { metric: base, matchers: total.matchers }, threshold: bound, native: false, groupBy }, total };
  }
  // A bound written as Prometheus 2 writes it is widened to Prometheus 3's form too; any other spelling is kept as written.
  const good = canonical ? { ...success, matchers: [...others, leMatcher(bound)] } : success;
  return { sli: { kind: 'events', good: { terms: [{ selector: good, sign: 1 }] }, total: { terms: [{ selector: total, sign: 1 }] }, groupBy }, total };
}

/** The one indicator of a Pyrra SLO as a model SLI. */
export function readIndicator(ctx: DocContext, at: Path, indicator: Raw): PyrraIndicator | undefined {
  const present = INDICATORS.filter((k) => indicator[k] !== undefined);
  if (present.includes('ratio') && present.includes('latency')) {
    ctx.error(at, 'ratio and latency are both set; Pyrra refuses this ("cannot have ratio and latency indicators at the same time")',
      'keep one: ratio for errors/total counters, latency for a histogram bucket over its count');
    return undefined;
  }
  const kind = present[0]!;
  if (present.length > 1) {
    ctx.warn([...at, present[1]!], `only ${kind} is used: Pyrra takes the first of ${INDICATORS.join(', ')} that is set and ignores ${present.slice(1).join(', ')}`,
      `remove ${present.slice(1).join(', ')}`);
  }
  const p = [...at, kind];
  const raw = indicator[kind] as Raw;
  const grouping: string[] = raw.grouping ?? [];
  switch (kind) {
    case 'ratio': {
      const errors = selector(ctx, [...p, 'errors', 'metric'], raw.errors.metric);
      const total = selector(ctx, [...p, 'total', 'metric'], raw.total.metric);
      if (!errors || !total) return undefined;
      if (raw.errors.metric.trim() === raw.total.metric.trim()) {
        ctx.warn([...p, 'errors', 'metric'], 'the errors and total selectors are the same, so every event counts as an error', 'select only the failed events, e.g. add code=~"5.."');
      }
      return {
        kind,
        sli: { kind: 'events', bad: { terms: [{ selector: errors, sign: 1 }] }, total: { terms: [{ selector: total, sign: 1 }] }, groupBy: grouping },
        labelSource: total,
        grouping,
      };
    }
    case 'latency': {
      const r = latencySli(ctx, p, raw, grouping);
      return r && { kind, sli: r.sli, labelSource: r.total, grouping };
    }
    case 'latencyNative': {
      const total = selector(ctx, [...p, 'total', 'metric'], raw.total.metric);
      const ms = parseDuration(String(raw.latency));
      if (ms === undefined) ctx.error([...p, 'latency'], `${JSON.stringify(raw.latency)} is not a duration`, 'write the latency objective as a duration such as 200ms or 1s');
      if (!total || ms === undefined) return undefined;
      return { kind, sli: { kind: 'latency', histogram: total, threshold: ms / 1000, native: true, groupBy: grouping }, labelSource: total, grouping };
    }
    case 'bool_gauge': {
      const gauge = selector(ctx, [...p, 'metric'], raw.metric);
      if (!gauge) return undefined;
      return { kind, sli: { kind: 'boolGauge', gauge, resolution: DEFAULT_RESOLUTION, groupBy: grouping }, labelSource: gauge, grouping };
    }
  }
}
