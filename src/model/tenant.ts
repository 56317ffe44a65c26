import type { Slo } from './slo.js';

/** The SLO label that names its tenant, unless `slo serve --tenant-label` says otherwise. */
export const DEFAULT_TENANT_LABEL = 'tenant';

/**
 * Why a tenant ID is not valid, or undefined when it is. The rules are Cortex's and Mimir's for
 * `X-Scope-OrgID`, so the IDs a platform already uses there work here unchanged.
 */
export function tenantIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'it is empty';
  if (id.length > 150) return `it is ${id.length} characters long; at most 150`;
  if (id === '.' || id === '..') return `"${id}" is reserved`;
  const bad = /[^A-Za-z0-9!\-_.*'()]/.exec(id);
  if (bad) return `it contains ${JSON.stringify(bad[0])}; use letters, digits and ! - _ . * ' ( )`;
  return undefined;
}

/** The tenant an SLO belongs to: the value of its tenant label. */
export function tenantOf(slo: Slo, label: string): string | undefined {
  return slo.labels[label];
}
