import type { Matcher, Selector } from '../model/slo.js';
import { formatNumber } from '../model/numbers.js';
import { escapeRegex, quoteLabelValue, quoteLabelValueForGrafana } from './quote.js';

export function renderMatchers(matchers: readonly Matcher[], quote: (value: string) => string = quoteLabelValue): string {
  return matchers.map((m) => `${m.label}${m.op}${quote(m.value)}`).join(',');
}

export function renderSelector(sel: Selector, extra: readonly Matcher[] = [], suffix = '', quote?: (value: string) => string): string {
  const all = [...sel.matchers, ...extra];
  return `${sel.metric}${suffix}${all.length ? `{${renderMatchers(all, quote)}}` : ''}`;
}

/** `renderSelector` for a dashboard query: label values Grafana cannot mistake for its variables. */
export function grafanaSelector(sel: Selector): string {
  return renderSelector(sel, [], '', quoteLabelValueForGrafana);
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
