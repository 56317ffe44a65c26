/** Prometheus's alert lifecycle: pending until `for` has passed, firing, then inactive (resolved). */
export type AlertStateName = 'pending' | 'firing' | 'inactive';

export interface ActiveAlert {
  key: string;
  /** Id of the SLO the alert belongs to. */
  slo: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: AlertStateName;
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  value: number;
}

/** Resolved alerts stay known this long, so that their resolution is re-sent like Prometheus does. */
const KEEP_RESOLVED = 15 * 60_000;

export interface Condition {
  key: string;
  slo: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number;
  forMs: number;
}

/**
 * Moves every alert one evaluation forward. Keys of alerts whose lifecycle changed (created,
 * pending to firing, resolved, other labels) go into `changed` (when given), so that the caller
 * stores only those; dropped alerts are simply gone from `alerts`. A new value alone is not a
 * change worth storing: like Prometheus, which restores only when an alert became active, the
 * engine recomputes value and annotations at its first evaluation after a restart, and writing
 * every firing alert each time its burn rate moves cost more than the whole evaluation.
 */
export function stepAlerts(alerts: Map<string, ActiveAlert>, conditions: readonly Condition[], now: number, changed?: Set<string>): void {
  const seen = new Set<string>();
  for (const c of conditions) {
    seen.add(c.key);
    let a = alerts.get(c.key);
    if (!a || a.state === 'inactive') {
      a = { key: c.key, slo: c.slo, labels: c.labels, annotations: c.annotations, state: 'pending', activeAt: now, value: c.value };
      alerts.set(c.key, a);
      changed?.add(c.key);
    } else if (a.labels !== c.labels) changed?.add(c.key);
    a.value = c.value;
    a.labels = c.labels;
    a.annotations = c.annotations;
    if (a.state === 'pending' && now - a.activeAt >= c.forMs) {
      a.state = 'firing';
      a.firedAt = now;
      changed?.add(c.key);
    }
  }
  for (const [key, a] of alerts) {
    if (seen.has(key)) continue;
    if (a.state === 'pending') alerts.delete(key);
    else if (a.state === 'firing') {
      a.state = 'inactive';
      a.resolvedAt = now;
      changed?.add(key);
    } else if (a.resolvedAt !== undefined && now - a.resolvedAt > KEEP_RESOLVED) alerts.delete(key);
  }
}
