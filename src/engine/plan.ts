import type { CompareOp, CounterExpr, Selector, Slo } from '../model/slo.js';
import { leMatcher } from '../promql/selector.js';
import { isTemplate } from '../promql/template.js';
import { compileSelector, type LabelTest } from './matchers.js';

/**
 * What one matched series contributes to its SLO's buckets. A bucket holds two sums, `total` and
 * `num`; the SLO's `badOf` turns them into bad events per base window, applying the same
 * clamp the recording rules apply per base window.
 */
export type InputRole =
  /** Counter increase added to total (sign -1 subtracts). */
  | { kind: 'counter'; into: 'total' | 'num'; sign: 1 | -1 }
  /** Every sample counts one event in total; its value (0..1) is added to num. */
  | { kind: 'gauge' }
  /** The value, sampled at every slice boundary, counts one slice; a slice that meets the threshold adds 1 to num. */
  | { kind: 'slice'; sliceMs: number; op: CompareOp; threshold: number };

export interface Input {
  metric: string;
  test: LabelTest;
  role: InputRole;
}

export interface SliPlan {
  /** `ingest`: computed from remote-write/OTLP samples. `query`: needs a Prometheus-compatible API. */
  mode: 'ingest' | 'query';
  /** Why an SLO cannot be computed from ingested samples, for logs and the API. */
  queryReason?: string;
  inputs: Input[];
  groupBy: string[];
  /** Bad events of one base window from its two sums. */
  badOf: (total: number, num: number) => number;
  /** The `num` sum that gives `bad` back through `badOf`: how history read from a query API is stored. */
  numOf: (total: number, bad: number) => number;
}

const QUERY_ONLY = (reason: string, groupBy: string[] = []): SliPlan => ({ mode: 'query', queryReason: reason, inputs: [], groupBy, badOf: (_t, n) => n, numOf: (_t, b) => b });
/** For SLIs whose num counts good events (or samples, or slices). */
const numIsGood = { badOf: (t: number, n: number) => Math.max(t - n, 0), numOf: (t: number, b: number) => t - b };

function counterInputs(expr: CounterExpr, into: 'total' | 'num'): Input[] | undefined {
  if (isTemplate(expr)) return undefined;
  return expr.terms.map((t) => ({ metric: t.selector.metric, test: compileSelector(t.selector), role: { kind: 'counter', into, sign: t.sign } }));
}

function selectorInput(sel: Selector, role: InputRole): Input {
  return { metric: sel.metric, test: compileSelector(sel), role };
}

/** The stream-side reading of an SLO's SLI, mirroring `baseExpressions` in src/rules/sli-expressions.ts. */
export function planSli(slo: Slo): SliPlan {
  const sli = slo.sli;
  switch (sli.kind) {
    case 'events': {
      const total = counterInputs(sli.total, 'total');
      const num = counterInputs((sli.good ?? sli.bad)!, 'num');
      if (!total || !num) return QUERY_ONLY('its events are written as PromQL', sli.groupBy);
      // good: bad = clamp_min(total - good, 0); bad: clamp_min(sum of signed bad terms, 0).
      const kind = sli.good ? numIsGood : { badOf: (_t: number, n: number) => Math.max(n, 0), numOf: (_t: number, b: number) => b };
      return { mode: 'ingest', inputs: [...total, ...num], groupBy: sli.groupBy, ...kind };
    }
    case 'latency': {
      if (sli.native) return QUERY_ONLY('native histograms are read through the query API', sli.groupBy);
      const count: Selector = { metric: `${sli.histogram.metric}_count`, matchers: sli.histogram.matchers };
      const bucket: Selector = { metric: `${sli.histogram.metric}_bucket`, matchers: [...sli.histogram.matchers, leMatcher(sli.threshold)] };
      return {
        mode: 'ingest',
        inputs: [selectorInput(count, { kind: 'counter', into: 'total', sign: 1 }), selectorInput(bucket, { kind: 'counter', into: 'num', sign: 1 })],
        groupBy: sli.groupBy,
        ...numIsGood,
      };
    }
    case 'boolGauge':
      if (isTemplate(sli.gauge)) return QUERY_ONLY('its gauge is written as PromQL', sli.groupBy);
      return { mode: 'ingest', inputs: [selectorInput(sli.gauge, { kind: 'gauge' })], groupBy: sli.groupBy, badOf: (t, n) => t - n, numOf: (t, b) => t - b };
    case 'timeslice':
      if (isTemplate(sli.value)) return QUERY_ONLY('its value is written as PromQL', sli.groupBy);
      return {
        mode: 'ingest',
        inputs: [selectorInput(sli.value, { kind: 'slice', sliceMs: sli.slice, op: sli.op, threshold: sli.threshold })],
        groupBy: sli.groupBy,
        badOf: (t, n) => t - n,
        numOf: (t, b) => t - b,
      };
    case 'rawErrorRatio':
      return QUERY_ONLY('it is a raw error-ratio query');
  }
}

export function compare(v: number, op: CompareOp, threshold: number): boolean {
  switch (op) {
    case '<':
      return v < threshold;
    case '<=':
      return v <= threshold;
    case '>':
      return v > threshold;
    case '>=':
      return v >= threshold;
  }
}
