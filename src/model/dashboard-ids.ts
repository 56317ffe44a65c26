import { createHash } from 'node:crypto';

/** Lower-case slug safe for URLs and uids. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

const uidCache = new Map<string, string>();

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * Grafana uids may hold 40 characters. A readable slug plus a hash of the full name keeps them
 * stable across runs and distinct for services whose slugs collide after truncation.
 */
export function dashboardUid(kind: string, name: string): string {
  // Every rule and panel of a service links to its dashboard: hash each name once.
  const key = `${kind}\u0000${name}`;
  let uid = uidCache.get(key);
  if (uid === undefined) {
    const head = `${kind}-${slug(name)}`.slice(0, 31).replace(/-+$/, '');
    uidCache.set(key, (uid = `${head}-${shortHash(key)}`));
  }
  return uid;
}

export function serviceDashboardUid(service: string): string {
  return dashboardUid('slo', service);
}

/** Path of a service's detail dashboard, with the SLO preselected. */
export function serviceDashboardPath(service: string, sloName: string): string {
  const q = new URLSearchParams({ 'var-service': service, 'var-slo': sloName });
  return `/d/${serviceDashboardUid(service)}/${slug(`slo ${service}`)}?${q.toString()}`;
}

/** The panels of an SLO's row in its service dashboard, by role; the value is the id offset. */
export const SLO_PANELS = {
  row: 0,
  about: 1,
  sli: 2,
  budget: 3,
  sliOverTime: 4,
  burndown: 5,
  burnRate: 6,
  alerts: 7,
  events: 8,
} as const;

export type SloPanel = keyof typeof SLO_PANELS;

/**
 * A block of ten panel ids per key (an SLO id, a histogram), derived from the key alone: adding
 * or removing other SLOs never renumbers a panel, so alert links and Git diffs stay stable.
 * Ids stay under 2^31 (Grafana stores them as int32 in places). Blocks 0-9 are left to fixed panels.
 */
export function panelBlock(key: string): number {
  const n = createHash('sha256').update(key).digest().readUInt32BE(0);
  return 10 + (n % 99_999_990);
}

export function sloPanelId(sloId: string, panel: SloPanel): number {
  return panelBlock(sloId) * 10 + SLO_PANELS[panel];
}

/** Link to one panel of an SLO's row, shown on its own (`viewPanel`), with the SLO preselected. */
export function sloPanelPath(service: string, sloName: string, sloId: string, panel: SloPanel): string {
  return `${serviceDashboardPath(service, sloName)}&viewPanel=${sloPanelId(sloId, panel)}`;
}

export const OVERVIEW_DASHBOARDS = {
  executive: { uid: dashboardUid('slo-overview', 'executive'), title: 'SLOs / Executive overview', file: 'overview-executive.json' },
  oncall: { uid: dashboardUid('slo-overview', 'on-call'), title: 'SLOs / On-call', file: 'overview-on-call.json' },
  debug: { uid: dashboardUid('slo-overview', 'debug'), title: 'SLOs / Debug', file: 'overview-debug.json' },
} as const;
