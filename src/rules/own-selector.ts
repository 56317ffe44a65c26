import { idLabels } from '../model/naming.js';
import type { Slo } from '../model/slo.js';
import { idSelector } from '../promql/selector.js';

type Identity = Pick<Slo, 'convention' | 'id' | 'service' | 'name'>;

interface Memo {
  /** The identity the matchers were rendered for: a changed SLO object renders afresh. */
  key: string;
  read: (metric: string) => string;
}

// One SLO's rules, alerts and tests read a dozen recorded series back many times; each
// `idSelector` call built matcher objects and quoted the three label values again (about 130 MB
// of garbage for 1,000 SLOs). The `{...}` part depends on the SLO alone, so it is rendered once
// and every selector is the metric name followed by it.
const memos = new WeakMap<Identity, Memo>();

/** `metric{<id labels>}` for this SLO's own recorded series, as `idSelector` renders it. */
export function ownSelector(slo: Identity): (metric: string) => string {
  const key = `${slo.convention}\u0000${slo.id}\u0000${slo.service}\u0000${slo.name}`;
  const memo = memos.get(slo);
  if (memo && memo.key === key) return memo.read;
  // idSelector('', ids) is exactly the matcher block that follows the metric name.
  const matchers = idSelector('', idLabels(slo));
  const read = (metric: string): string => metric + matchers;
  memos.set(slo, { key, read });
  return read;
}
