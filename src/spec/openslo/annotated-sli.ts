import { CATALOG, Params } from '../../catalog/index.js';
import type { CatalogRef, Sli } from '../../model/slo.js';
import { LABEL_NAME_RE } from '../../promql/quote.js';
import { show } from '../errors.js';
import { nativeSli } from '../sli-fields.js';
import { jsonAnnotation, SLO_KEYS, type ours } from './annotations.js';
import { error, type Raw } from './objects.js';

type Ours = ReturnType<typeof ours>;

/** A catalog SLI named in `slo.caas.dev/catalog`: built exactly as the native format builds it. */
export function catalogSli(mine: Ours): { sli: Sli; description: string; catalog: CatalogRef } | undefined {
  const a = mine.get(SLO_KEYS.catalog);
  const ref = jsonAnnotation(a) as { name?: unknown; params?: Record<string, unknown> } | undefined;
  if (!a || ref === undefined) return undefined;
  const entry = typeof ref?.name === 'string' ? CATALOG.get(ref.name) : undefined;
  if (!entry) {
    error(a.loc, `unknown catalog SLI ${show(ref?.name)}`, `known: ${[...CATALOG.keys()].join(', ')}`);
    return undefined;
  }
  const params = new Params(ref.params ?? {}, (param, message, hint) => error(a.loc, `catalog parameter ${param}: ${message}`, hint));
  const built = entry.build(params);
  return { sli: built.sli, description: built.description, catalog: { name: entry.name, params: ref.params ?? {} } };
}

/** An SLI OpenSLO cannot express, kept by `slo convert` in `slo.caas.dev/sli` in the native format's SLI form. */
export function nativeSliAnnotation(mine: Ours): Sli | undefined {
  const a = mine.get(SLO_KEYS.sli);
  const raw = jsonAnnotation(a) as Raw | undefined;
  if (!a || raw === undefined) return undefined;
  const kinds = ['events', 'latency', 'boolGauge', 'timeslice', 'errorRatio'];
  if (typeof raw !== 'object' || raw === null || Object.keys(raw).length !== 1 || !kinds.includes(Object.keys(raw)[0]!)) {
    error(a.loc, `must hold one native SLI (${kinds.join(', ')})`, 'this annotation is written by slo convert; fix or remove it');
    return undefined;
  }
  try {
    return nativeSli(a.loc.ctx, a.loc.at, raw);
  } catch (e) {
    error(a.loc, `not a native SLI: ${(e as Error).message}`, 'this annotation is written by slo convert; fix or remove it');
    return undefined;
  }
}

/** `slo.caas.dev/group-by`: labels to keep, comma-separated (OpenSLO SLIs have no grouping). */
export function groupByAnnotation(mine: Ours): string[] {
  const a = mine.get(SLO_KEYS.groupBy);
  if (!a) return [];
  const labels = a.text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const l of labels) if (!LABEL_NAME_RE.test(l)) error(a.loc, `${show(l)} is not a label name`, 'list label names separated by ","');
  return labels;
}
