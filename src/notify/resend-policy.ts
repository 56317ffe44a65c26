import { MINUTE } from '../model/duration.js';
import { isResolved, type EngineAlert } from './engine-alert.js';
import { fingerprint } from './fingerprint.js';

/** How long a resolved alert keeps being re-sent (Prometheus's resolvedRetention). */
export const RESOLVED_RETENTION_MS = 15 * MINUTE;

export interface DueAlert {
  fingerprint: string;
  alert: EngineAlert;
  /** The `endsAt` of a firing alert: now + 4 × max(resendDelay, evalInterval). */
  validUntil: number;
}

interface Tracked {
  alert: EngineAlert;
  lastSentAt?: number;
}

/**
 * Decides after each evaluation which alerts go to Alertmanager, as Prometheus's
 * AlertingRule.sendAlerts and Alert.needsSending do:
 *
 * - pending alerts are never sent;
 * - a firing alert is sent at the first evaluation that sees it firing, then again once
 *   `lastSentAt + resendDelay` lies strictly before the evaluation time (so with a resend delay
 *   equal to the evaluation interval it goes out every other evaluation, as in Prometheus);
 * - a resolved alert is sent at once, then re-sent on the same schedule until 15 minutes after
 *   its resolution, even if the engine stops reporting it.
 *
 * A new episode (a different `activeAt` under the same labels) starts with nothing sent, as
 * Prometheus starts it with a fresh Alert. A firing or pending alert that simply disappears from
 * the engine's set (its rule was removed) is forgotten: Alertmanager resolves it when the
 * `endsAt` last sent passes, as it does when a Prometheus rule is deleted.
 */
export class ResendPolicy {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly resendDelayMs: number,
    private readonly evalIntervalMs: number,
  ) {}

  due(alerts: readonly EngineAlert[], nowMs: number): DueAlert[] {
    const seen = new Set<string>();
    for (const alert of alerts) {
      const fp = fingerprint(alert.labels);
      seen.add(fp);
      const known = this.tracked.get(fp);
      if (known && known.alert.activeAt === alert.activeAt) known.alert = alert;
      else this.tracked.set(fp, { alert });
    }
    const validUntil = nowMs + 4 * Math.max(this.resendDelayMs, this.evalIntervalMs);
    const due: DueAlert[] = [];
    for (const [fp, t] of this.tracked) {
      if (!this.keep(t.alert, seen.has(fp), nowMs)) {
        this.tracked.delete(fp);
        continue;
      }
      if (!this.needsSending(t, nowMs)) continue;
      t.lastSentAt = nowMs;
      due.push({ fingerprint: fp, alert: t.alert, validUntil });
    }
    return due;
  }

  /** How many alerts are remembered (firing, pending, or resolved within the retention). */
  get size(): number {
    return this.tracked.size;
  }

  private keep(alert: EngineAlert, reported: boolean, nowMs: number): boolean {
    if (isResolved(alert)) return !(alert.resolvedAt + RESOLVED_RETENTION_MS < nowMs);
    return reported && alert.state !== 'inactive';
  }

  private needsSending(t: Tracked, nowMs: number): boolean {
    const { alert, lastSentAt } = t;
    if (alert.state === 'pending') return false;
    if (lastSentAt === undefined) return true;
    if (isResolved(alert) && alert.resolvedAt > lastSentAt) return true;
    return lastSentAt + this.resendDelayMs < nowMs;
  }
}
