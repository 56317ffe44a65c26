import { NAMINGS, type Naming } from '../model/naming.js';
import type { Convention, Slo } from '../model/slo.js';
import { quoteLabelValue } from '../promql/quote.js';

/** The label names fleet queries produce, whichever convention a series was recorded under. */
export const FLEET = { id: 'slo_id', service: 'slo_service', name: 'slo_name' } as const;

export interface FleetFilter {
  /** Matched with `=`; may be a Grafana variable such as `$service`. */
  service?: string;
  /** Matched with `=~`; may be a multi-value Grafana variable such as `$slo`. */
  nameRegex?: string;
  /** Extra matchers written as `label="value"` or `label!=""`. */
  extra?: string[];
}

function conventionsOf(slos: readonly Slo[]): Convention[] {
  const set = new Set(slos.map((s) => s.convention));
  return (['native', 'sloth'] as const).filter((c) => set.has(c));
}

function selector(metric: string, n: Naming, f: FleetFilter): string {
  const m = [`${n.idLabel}!=""`];
  if (f.service !== undefined) m.push(`${n.serviceLabel}=${quoteLabelValue(f.service)}`);
  if (f.nameRegex !== undefined) m.push(`${n.nameLabel}=~${quoteLabelValue(f.nameRegex)}`);
  m.push(...(f.extra ?? []));
  return `${metric}{${m.join(', ')}}`;
}

/** Copies Sloth's identity labels to ours so that one table can hold SLOs of both conventions. */
function normalised(expr: string, n: Naming): string {
  if (n.convention === 'native') return expr;
  let out = expr;
  for (const [to, from] of [
    [FLEET.id, n.idLabel],
    [FLEET.service, n.serviceLabel],
    [FLEET.name, n.nameLabel],
  ] as const) {
    out = `label_replace(${out}, "${to}", "$1", "${from}", "(.*)")`;
  }
  return out;
}

/**
 * A recorded series of every SLO in the set, with `slo_id`, `slo_service` and `slo_name` whatever
 * the convention. With only native SLOs (the usual case) this is a plain selector.
 */
export function fleet(metric: string | ((n: Naming) => string), slos: readonly Slo[], filter: FleetFilter = {}): string {
  const name = (n: Naming) => (typeof metric === 'string' ? metric : metric(n));
  const parts = conventionsOf(slos).map((c) => normalised(selector(name(NAMINGS[c]), NAMINGS[c], filter), NAMINGS[c]));
  return parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join(' or ');
}

/** An aggregation per SLO (`min by (slo_id) (...)`): the worst group of a grouped SLO speaks for it. */
export function perSlo(op: 'min' | 'max' | 'count', expr: string, extraBy: string[] = []): string {
  return `${op} by (${[FLEET.id, ...extraBy].join(', ')}) (${expr})`;
}
