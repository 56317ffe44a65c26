import type { Matcher, Selector, Slo } from '../model/slo.js';
import { grafanaSelector, renderSelector } from '../promql/selector.js';
import { outOfGrafanasReach } from '../promql/grafana-safe.js';
import { isTemplate, renderTemplate } from '../promql/template.js';
import { BASE_WINDOW } from '../model/constants.js';
import { formatDuration } from '../model/duration.js';

/**
 * Raw series the overview dashboards plot beside the SLOs. They are taken from the SLIs' own
 * selectors, so a panel reads only metrics some SLO already depends on and filters them the same way.
 */

export function withCatalog(slos: readonly Slo[], name: string): Slo[] {
  return slos.filter((s) => s.catalog?.name === name);
}

/** The value a timeslice SLI compares with its threshold, as an instant expression. */
export function sliceValue(slo: Slo): string | undefined {
  if (slo.sli.kind !== 'timeslice') return undefined;
  const v = slo.sli.value;
  return isTemplate(v) ? outOfGrafanasReach(renderTemplate(v, formatDuration(BASE_WINDOW))) : grafanaSelector(v);
}

export interface ControlPlaneSignals {
  /** 5xx requests, as the SLI counts them. */
  errors: Selector;
  /** The same requests whatever their code: what the errors are zero-filled from. */
  requests: Selector;
  /** The latency histogram (without `_bucket`) and the matchers the SLI applies to it, minus verbs and bounds. */
  latency?: Selector;
}

export function controlPlaneSignals(slo: Slo): ControlPlaneSignals | undefined {
  const sli = slo.sli;
  if (sli.kind !== 'events' || !sli.bad || isTemplate(sli.bad)) return undefined;
  const terms = sli.bad.terms.filter((t) => t.sign > 0).map((t) => t.selector);
  const errors = terms.find((s) => s.matchers.some((m) => m.label === 'code'));
  if (!errors) return undefined;
  const count = terms.find((s) => s.metric.endsWith('_count'));
  const keep = (m: Matcher) => m.label !== 'verb' && m.label !== 'le' && m.label !== 'scope';
  return {
    errors,
    requests: { metric: errors.metric, matchers: errors.matchers.filter((m) => m.label !== 'code') },
    ...(count ? { latency: { metric: count.metric.replace(/_count$/, ''), matchers: count.matchers.filter(keep) } } : {}),
  };
}

export interface LatencySignal {
  histogram: Selector;
  native: boolean;
  /** SLOs reading this histogram, each with its threshold. */
  slos: Array<{ slo: Slo; threshold: number }>;
}

/** Every histogram a latency SLI reads, once, with the thresholds held against it. */
export function latencySignals(slos: readonly Slo[]): LatencySignal[] {
  const byKey = new Map<string, LatencySignal>();
  for (const slo of slos) {
    if (slo.sli.kind !== 'latency') continue;
    const key = `${slo.sli.native}:${renderSelector(slo.sli.histogram)}`;
    const entry = byKey.get(key) ?? { histogram: slo.sli.histogram, native: slo.sli.native, slos: [] };
    entry.slos.push({ slo, threshold: slo.sli.threshold });
    byKey.set(key, entry);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
}
