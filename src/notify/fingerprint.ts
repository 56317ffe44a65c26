/**
 * The identity of an alert: its label set, sorted by name. Two alerts with the same labels are
 * the same alert to Alertmanager, so they share one queue slot. A plain string, not a hash, so
 * two different label sets can never collide.
 */
export function fingerprint(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
