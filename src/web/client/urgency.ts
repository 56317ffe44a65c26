import type { GroupJson, SloJson } from './api.js';

/** The windows the list shows burn rates for: the tiers' windows, fastest first. */
export const LIST_WINDOWS = ['5m', '1h', '6h', '1d', '3d'];

export function firing(slo: SloJson, severity?: string): boolean {
  return slo.alerts.some((a) => a.state === 'firing' && a.tier !== null && (!severity || a.severity === severity));
}

/** The group that needs attention first: the fastest 1h burn, then the least budget. */
export function worstGroup(slo: SloJson): GroupJson | undefined {
  return [...slo.groups].sort((a, b) => (b.windows['1h']?.burnRate ?? -1) - (a.windows['1h']?.burnRate ?? -1) || (a.budgetRemaining ?? 2) - (b.budgetRemaining ?? 2))[0];
}

/** no-data, stale and unavailable SLOs are never shown as healthy. */
export function state(slo: SloJson): 'page' | 'ticket' | 'pending' | 'no-data' | 'stale' | 'unavailable' | 'exhausted' | 'ok' {
  if (firing(slo, 'page')) return 'page';
  if (firing(slo, 'ticket')) return 'ticket';
  if (slo.source === 'unavailable') return 'unavailable';
  if (slo.groups.length === 0) return 'no-data';
  if (slo.stale) return 'stale';
  if (slo.alerts.some((a) => a.state === 'pending')) return 'pending';
  if (slo.groups.some((g) => g.budgetRemaining !== null && g.budgetRemaining <= 0)) return 'exhausted';
  return 'ok';
}

const RANK: Record<ReturnType<typeof state>, number> = { page: 0, ticket: 1, 'no-data': 2, stale: 2, pending: 3, exhausted: 4, ok: 5, unavailable: 6 };

/** Urgency order: firing pages, then tickets, then SLOs without data, then the fastest burn, then the least budget. */
export function byUrgency(a: SloJson, b: SloJson): number {
  const ga = worstGroup(a);
  const gb = worstGroup(b);
  return (
    RANK[state(a)] - RANK[state(b)] ||
    (gb?.windows['1h']?.burnRate ?? gb?.windows['5m']?.burnRate ?? -1) - (ga?.windows['1h']?.burnRate ?? ga?.windows['5m']?.burnRate ?? -1) ||
    (ga?.budgetRemaining ?? 2) - (gb?.budgetRemaining ?? 2) ||
    a.id.localeCompare(b.id)
  );
}
