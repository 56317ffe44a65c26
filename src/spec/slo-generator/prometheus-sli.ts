import type { CounterExpr, Selector, Sli } from '../../model/slo.js';
import { parseSelector, SelectorSyntaxError } from '../../promql/selector-parse.js';
import type { DocContext } from '../context.js';
import { show } from '../errors.js';
import { promqlField } from '../sli-fields.js';
import type { Path } from '../yaml-source.js';
import { substituteEnv } from './env.js';

type Raw = Record<string, unknown>;

/** slo-generator's default, the only operators whose meaning the rules reproduce: `sum(increase(x[w]))`. */
const DEFAULT_OPERATORS = ['increase', 'sum'];
/** slo-generator replaces `[window` with `[<seconds>s`; a filter may end in `[window]`. */
const WINDOW_RANGE = /\[\s*window\s*\]\s*$/;

/** A string field of the SLI with `${ENV}` substituted. */
export function sliText(ctx: DocContext, at: Path, raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') {
    ctx.error(at, `must be a non-empty string (got ${show(raw)})`);
    return undefined;
  }
  return substituteEnv(ctx, at, raw.trim());
}

/** A filter must be a plain selector: the rules compute its increase per 5m and sum it. */
export function filterSelector(ctx: DocContext, at: Path, raw: unknown): Selector | undefined {
  const text = sliText(ctx, at, raw);
  if (text === undefined) return undefined;
  try {
    return parseSelector(text.replace(WINDOW_RANGE, ''));
  } catch (e) {
    if (!(e instanceof SelectorSyntaxError)) throw e;
    ctx.error(at, `not a plain selector: ${e.message}`,
      'write metric{label="value"} (slo-generator applies increase and sum itself); put other PromQL in a query_sli expression');
    return undefined;
  }
}

const single = (selector: Selector): CounterExpr => ({ terms: [{ selector, sign: 1 }] });

/** `filter_good` with `filter_bad` or `filter_valid`: an events SLI over the same counters. */
export function goodBadRatio(ctx: DocContext, at: Path, sli: Raw, filter: (at: Path, raw: unknown) => Selector | undefined): Sli | undefined {
  if (sli.operators !== undefined && JSON.stringify(sli.operators) !== JSON.stringify(DEFAULT_OPERATORS)) {
    ctx.error([...at, 'operators'], `operators ${show(sli.operators)} are not supported: the rules count events as sum(increase(...)), slo-generator's default`,
      'remove operators; for other PromQL use method query_sli with an expression');
    return undefined;
  }
  if (sli.filter_good === undefined) {
    ctx.error(at, 'filter_good is missing', 'add filter_good: the selector of good events');
    return undefined;
  }
  if ((sli.filter_bad === undefined) === (sli.filter_valid === undefined)) {
    ctx.error(at, sli.filter_bad === undefined ? 'filter_bad or filter_valid is missing' : 'give filter_bad or filter_valid, not both',
      'filter_valid: all events that count (good ones included), or filter_bad: only the failed ones');
    return undefined;
  }
  const good = filter([...at, 'filter_good'], sli.filter_good);
  if (sli.filter_valid !== undefined) {
    const valid = filter([...at, 'filter_valid'], sli.filter_valid);
    return good && valid ? { kind: 'events', good: single(good), total: single(valid), groupBy: [] } : undefined;
  }
  const bad = filter([...at, 'filter_bad'], sli.filter_bad);
  if (!good || !bad) return undefined;
  // slo-generator counts valid events as good + bad.
  return { kind: 'events', bad: single(bad), total: { terms: [{ selector: good, sign: 1 }, { selector: bad, sign: 1 }] }, groupBy: [] };
}

/** An SLI ratio query with `[window]` becomes our error ratio `1 - (query)` over `{{.window}}`. */
function querySli(ctx: DocContext, at: Path, sli: Raw): Sli | undefined {
  const p = [...at, 'expression'];
  const text = sliText(ctx, p, sli.expression);
  if (text === undefined) return undefined;
  if (!/\[\s*window/.test(text)) {
    ctx.error(p, 'the expression has no [window] range, so every window would compute the same value',
      'write the range as [window], e.g. sum(rate(good_total[window])) / sum(rate(all_total[window]))');
    return undefined;
  }
  const errorRatio = promqlField(ctx, p, `1 - (${text.replace(/\[\s*window/g, '[{{.window}}')})`, true);
  return errorRatio && { kind: 'rawErrorRatio', errorRatio };
}

/** A `_bucket` selector and a bucket bound: our latency SLI over the same histogram. */
function distributionCut(ctx: DocContext, at: Path, sli: Raw): Sli | undefined {
  const p = [...at, 'expression'];
  const selector = filterSelector(ctx, p, sli.expression);
  const threshold = bucketBound(ctx, [...at, 'threshold_bucket'], sli.threshold_bucket);
  if (sli.good_below_threshold === false) {
    ctx.error([...at, 'good_below_threshold'], 'good events above the threshold are not supported', 'count the fast events as good: remove good_below_threshold');
    return undefined;
  }
  if (!selector || threshold === undefined) return undefined;
  if (!selector.metric.endsWith('_bucket')) {
    ctx.error(p, `${selector.metric} is not a histogram's _bucket series`, `write ${selector.metric}_bucket{...}: slo-generator reads le buckets and the matching _count`);
    return undefined;
  }
  if (selector.matchers.some((m) => m.label === 'le')) {
    ctx.error(p, 'the le matcher comes from threshold_bucket', 'remove le from the expression');
    return undefined;
  }
  return { kind: 'latency', histogram: { metric: selector.metric.replace(/_bucket$/, ''), matchers: selector.matchers }, threshold, native: false, groupBy: [] };
}

function bucketBound(ctx: DocContext, at: Path, raw: unknown): number | undefined {
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n === 'number' && Number.isFinite(n) && n > 0) return n;
  ctx.error(at, `must be a bucket's upper bound in seconds, a positive number (got ${show(raw)})`, 'write the le value of the bucket, e.g. 0.25');
  return undefined;
}

/** The SLI of a Prometheus-backend SLO config. */
export function prometheusSli(ctx: DocContext, at: Path, method: string, sli: Raw): Sli | undefined {
  switch (method) {
    case 'good_bad_ratio':
      return goodBadRatio(ctx, at, sli, (p, raw) => filterSelector(ctx, p, raw));
    case 'query_sli':
      return querySli(ctx, at, sli);
    case 'distribution_cut':
      return distributionCut(ctx, at, sli);
    default:
      return undefined;
  }
}
