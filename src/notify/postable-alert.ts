import { isResolved, type EngineAlert } from './engine-alert.js';

/** One element of the JSON array posted to Alertmanager's `/api/v2/alerts` (its `postableAlert`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339. */
  startsAt: string;
  /** RFC 3339: the resolution time, or how long Alertmanager should consider the alert firing. */
  endsAt: string;
  generatorURL?: string;
}

/**
 * Maps an alert as Prometheus's sendAlerts does: `startsAt` is when it fired (the time it became
 * active if the engine did not say), `endsAt` is the resolution time once resolved and otherwise
 * `validUntil`, after which Alertmanager resolves it by itself if no re-send arrives.
 */
export function toPostable(alert: EngineAlert, validUntilMs: number, generatorUrl?: string): PostableAlert {
  const out: PostableAlert = {
    labels: sortedCopy(alert.labels),
    annotations: sortedCopy(alert.annotations),
    startsAt: new Date(alert.firedAt ?? alert.activeAt).toISOString(),
    endsAt: new Date(isResolved(alert) ? alert.resolvedAt : validUntilMs).toISOString(),
  };
  if (generatorUrl) out.generatorURL = generatorUrl;
  return out;
}

function sortedCopy(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
