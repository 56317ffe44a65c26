import type { Matcher, Selector } from '../model/slo.js';
import { formatNumber } from '../model/numbers.js';
import { escapeRegex, quoteLabelValue } from './quote.js';

export function renderMatchers(matchers: readonly Matcher[]): string {
  return matchers.map((m) => `${m.label}${m.op}${quoteLabelValue(m.value)}`).join(',');
}

export function renderSelector(sel: Selector, extra: readonly Matcher[] = [], suffix = ''): string {
  const all = [...sel.matchers, ...extra];
  return `${sel.metric}${suffix}${all.length ? `{${renderMatchers(all)}}` : ''}`;
}

/**
 * Matches a histogram bucket bound whether the exporter wrote `5` (Prometheus 2) or the server
 * normalised it to `5.0` (Prometheus 3); an exact `le="5"` goes silently empty on Prometheus 3.
 */
export function leMatcher(bound: number): Matcher {
  const text = formatNumber(bound);
  const value = Number.isInteger(bound) ? `${escapeRegex(text)}(\\.0)?` : escapeRegex(text);
  return { label: 'le', op: '=~', value };
}

/** Selector with identity labels for reading back recorded series. */
export function idSelector(metric: string, ids: Record<string, string>): string {
  const matchers = Object.entries(ids).map(([label, value]) => ({ label, op: '=' as const, value }));
  return renderSelector({ metric, matchers });
}
