import type { Matcher, Selector } from '../model/slo.js';

export type LabelTest = (labels: Record<string, string>) => boolean;

/** A matcher as Prometheus applies it: regexes are anchored, and a missing label reads as "". */
export function compileMatcher(m: Matcher): LabelTest {
  const { label, op, value } = m;
  switch (op) {
    case '=':
      return (l) => (l[label] ?? '') === value;
    case '!=':
      return (l) => (l[label] ?? '') !== value;
    case '=~': {
      const re = new RegExp(`^(?:${value})$`, 's');
      return (l) => re.test(l[label] ?? '');
    }
    case '!~': {
      const re = new RegExp(`^(?:${value})$`, 's');
      return (l) => !re.test(l[label] ?? '');
    }
  }
}

/** All matchers of a selector (the metric name is matched by the index, not here). */
export function compileSelector(sel: Selector): LabelTest {
  const tests = sel.matchers.map(compileMatcher);
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0]!;
  return (l) => tests.every((t) => t(l));
}
