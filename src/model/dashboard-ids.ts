import { createHash } from 'node:crypto';

/** Lower-case slug safe for URLs and uids. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * Grafana uids may hold 40 characters. A readable slug plus a hash of the full name keeps them
 * stable across runs and distinct for services whose slugs collide after truncation.
 */
export function dashboardUid(kind: string, name: string): string {
  const head = `${kind}-${slug(name)}`.slice(0, 31).replace(/-+$/, '');
  return `${head}-${shortHash(`${kind}\u0000${name}`)}`;
}

export function serviceDashboardUid(service: string): string {
  return dashboardUid('slo', service);
}

/** Path of a service's detail dashboard, with the SLO preselected. */
export function serviceDashboardPath(service: string, sloName: string): string {
  const q = new URLSearchParams({ 'var-service': service, 'var-slo': sloName });
  return `/d/${serviceDashboardUid(service)}/${slug(`slo ${service}`)}?${q.toString()}`;
}
