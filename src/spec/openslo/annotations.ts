import { show } from '../errors.js';
import { error, field, warn, type Loc, type Raw } from './objects.js';

/**
 * Annotations of ours carry what OpenSLO v1 cannot hold, so that `slo convert` round-trips:
 * the reader honours them and they win over what the OpenSLO fields would give.
 */
export const PREFIX = 'slo.caas.dev/';

/** On the SLO. */
export const SLO_KEYS = {
  name: 'name',
  convention: 'convention',
  catalog: 'catalog',
  sli: 'sli',
  groupBy: 'group-by',
  alertName: 'alert-name',
  alertLabels: 'alert-labels',
  alertAnnotations: 'alert-annotations',
  noData: 'no-data',
  budgetExhausted: 'budget-exhausted',
  minEvents: 'min-events',
  runbookUrl: 'runbook-url',
} as const;

/** On an AlertCondition. */
export const CONDITION_KEYS = { tier: 'tier', shortWindow: 'short-window', severity: 'severity' } as const;

export function key(name: string): string {
  return PREFIX + name;
}

/** Our annotations of an object by short name; unknown ones are reported. */
export function ours(loc: Loc, annotations: Raw | undefined, known: Record<string, string>): Map<string, { text: string; loc: Loc }> {
  const out = new Map<string, { text: string; loc: Loc }>();
  const names = new Set(Object.values(known));
  for (const [k, v] of Object.entries(annotations ?? {})) {
    if (!k.startsWith(PREFIX)) continue;
    const name = k.slice(PREFIX.length);
    const at = field(loc, k);
    if (!names.has(name)) {
      warn(at, `unknown annotation ${show(k)}: it is ignored`, `known here: ${[...names].map((n) => PREFIX + n).join(', ')}`);
      continue;
    }
    out.set(name, { text: String(v), loc: at });
  }
  return out;
}

/** Annotations that are not ours, for alert annotations. */
export function foreign(annotations: Raw | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => !k.startsWith(PREFIX) && !k.startsWith('openslo.com/')).map(([k, v]) => [k, String(v)]));
}

export function jsonAnnotation(a: { text: string; loc: Loc } | undefined): unknown {
  if (!a) return undefined;
  try {
    return JSON.parse(a.text);
  } catch (e) {
    error(a.loc, `not JSON: ${(e as Error).message}`, 'this annotation is written by slo convert; fix the JSON or remove the annotation');
    return undefined;
  }
}
