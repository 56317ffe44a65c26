import { show } from '../errors.js';
import { readMetric, type MetricQuery } from './metric-source.js';
import { error, field, type Loc, type OsloObject, type Raw } from './objects.js';
import type { Registry } from './registry.js';

/** What an SLI measures, before the SLO's budgeting method says how it is counted. */
export type SliSource =
  | { kind: 'ratio'; loc: Loc; counter?: boolean; good?: MetricQuery; bad?: MetricQuery; total: MetricQuery }
  | { kind: 'raw'; loc: Loc; rawType: 'success' | 'failure'; raw: MetricQuery }
  | { kind: 'threshold'; loc: Loc; metric: MetricQuery };

/** The SLI spec of an inline indicator or an SLI document. */
export function readSliSource(sli: OsloObject, registry: Registry): SliSource | undefined {
  const spec = sli.value.spec as Raw;
  const loc = field(sli.loc, 'spec');
  if ((spec.thresholdMetric === undefined) === (spec.ratioMetric === undefined)) {
    error(loc, 'give exactly one of thresholdMetric and ratioMetric',
      'ratioMetric: good (or bad) over total events; thresholdMetric: one value compared with each objective\'s op and value');
    return undefined;
  }
  if (spec.thresholdMetric) {
    const metric = readMetric(field(loc, 'thresholdMetric'), spec.thresholdMetric, registry);
    return metric && { kind: 'threshold', loc: field(loc, 'thresholdMetric'), metric };
  }
  const r = spec.ratioMetric as Raw;
  const rl = field(loc, 'ratioMetric');
  const read = (k: string) => (r[k] === undefined ? undefined : readMetric(field(rl, k), r[k], registry));
  if (r.raw !== undefined) {
    const others = ['good', 'bad', 'total'].filter((k) => r[k] !== undefined);
    if (others.length) {
      error(field(rl, others[0]!), 'raw cannot be combined with good, bad or total', 'keep raw (a precomputed ratio) or good/bad over total');
      return undefined;
    }
    if (r.rawType === undefined) {
      error(rl, 'raw needs rawType', 'rawType: success when the query gives the share of good events, failure when it gives the error ratio');
      return undefined;
    }
    const raw = read('raw');
    return raw && { kind: 'raw', loc: rl, rawType: r.rawType, raw };
  }
  if (r.rawType !== undefined) error(field(rl, 'rawType'), 'rawType is only for raw', 'remove it, or use raw instead of good/bad and total');
  if ((r.good === undefined) === (r.bad === undefined)) {
    error(rl, r.good === undefined ? 'give good or bad, with total' : 'give good or bad, not both', 'good: events that met the objective, or bad: events that did not');
    return undefined;
  }
  if (r.total === undefined) {
    error(rl, 'total is missing', 'total: all events, good and bad');
    return undefined;
  }
  const good = read('good');
  const bad = read('bad');
  const total = read('total');
  if (!total || (!good && !bad)) return undefined;
  if (r.counter !== undefined && typeof r.counter !== 'boolean') error(field(rl, 'counter'), `must be true or false (got ${show(r.counter)})`);
  return { kind: 'ratio', loc: rl, counter: r.counter, good, bad, total };
}
