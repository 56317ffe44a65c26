import { idLabels } from '../model/naming.js';
import type { Slo } from '../model/slo.js';
import { idSelector } from '../promql/selector.js';

type Identity = Pick<Slo, 'convention' | 'id' | 'service' | 'name'>;

/**
 * `metric{<id labels>}` for this SLO's own recorded series, as `idSelector` renders it. One SLO's
 * rules, alerts and tests read a dozen recorded series back many times, and an `idSelector` call
 * per read built matcher objects and quoted the three label values again (about 130 MB of garbage
 * for 1,000 SLOs). The `{...}` part depends on the SLO alone, so each caller renders it once and
 * every selector is the metric name followed by it.
 */
export function ownSelector(slo: Identity): (metric: string) => string {
  // idSelector('', ids) is exactly the matcher block that follows the metric name.
  const matchers = idSelector('', idLabels(slo));
  return (metric) => metric + matchers;
}
