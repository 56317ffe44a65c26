/**
 * An alert as the engine's evaluation holds it, the counterpart of Prometheus's rules.Alert.
 * Times are Unix milliseconds.
 */
export interface EngineAlert {
  /** Identifies the alert; includes `alertname`. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  /** When the condition first held (the start of `for`). */
  activeAt: number;
  /** When it went from pending to firing. */
  firedAt?: number;
  /** When it went from firing to inactive. */
  resolvedAt?: number;
}

/** Inactive after having fired: Prometheus keeps sending these for a while so Alertmanager learns. */
export function isResolved(alert: EngineAlert): alert is EngineAlert & { resolvedAt: number } {
  return alert.state === 'inactive' && alert.resolvedAt !== undefined;
}
