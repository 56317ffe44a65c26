import { ownLabel, setLabel } from '../label-set.js';
import { otlpLabelName } from './names.js';

/** An attribute with its value already turned into a label value string. */
export interface Attribute {
  key: string;
  value: string;
}

/** Labels every series of one resource carries: only the identity, never the other attributes. */
export interface ResourceIdentity {
  job?: string;
  instance?: string;
}

/** A data point we refuse while keeping the rest of the request (an OTLP partial success). */
export class PointRejected extends Error {}

/**
 * `service.name` (prefixed by `service.namespace/` when set) becomes `job` and `service.instance.id`
 * becomes `instance`, as Prometheus's OTLP receiver maps them. Other resource attributes belong on
 * `target_info`, which the engine does not keep, so they are not copied onto every series.
 */
export function resourceIdentity(attrs: Attribute[]): ResourceIdentity {
  const get = (key: string) => attrs.find((a) => a.key === key)?.value;
  const name = get('service.name');
  const namespace = get('service.namespace');
  const instance = get('service.instance.id');
  const out: ResourceIdentity = {};
  if (name !== undefined) out.job = namespace ? `${namespace}/${name}` : name;
  if (instance !== undefined) out.instance = instance;
  return out;
}

/**
 * The labels of one data point's series without `__name__`: its attributes under Prometheus label
 * names, then `job`/`instance` from the resource, which win over attributes of those names.
 * Attributes are taken in key order; two keys that map to one label name (`a.b`, `a_b`) join their
 * values with `;`, as Prometheus does. Empty values are left out: an empty label is no label.
 */
export function pointLabels(attrs: Attribute[], identity: ResourceIdentity): Record<string, string> {
  const labels: Record<string, string> = {};
  const sorted = attrs.length > 1 ? [...attrs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) : attrs;
  for (const { key, value } of sorted) {
    const name = otlpLabelName(key);
    if (name === '') throw new PointRejected(`attribute key ${JSON.stringify(key.slice(0, 64))} has no valid label name; use letters, digits, '_' or '.' in attribute keys`);
    if (value === '') continue;
    const existing = ownLabel(labels, name);
    setLabel(labels, name, existing ? `${existing};${value}` : value);
  }
  if (identity.job) labels.job = identity.job;
  if (identity.instance) labels.instance = identity.instance;
  return labels;
}
