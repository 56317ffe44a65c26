import { AlertmanagerTarget, type TargetStats } from './alertmanager-target.js';
import { DEFAULT_BACKOFF, type BackoffSettings } from './backoff.js';
import type { EngineAlert } from './engine-alert.js';
import { toPostable, type PostableAlert } from './postable-alert.js';
import { ResendPolicy } from './resend-policy.js';

export interface NotifierOptions {
  /** Alertmanager base URLs (`http://host:9093`); each gets every alert independently. */
  urls: string[];
  /** Prometheus's --rules.alert.resend-delay. Default 60 000. */
  resendDelayMs?: number;
  /** The engine's evaluation interval; `endsAt` covers 4 × max(resendDelay, evalInterval). */
  evalIntervalMs?: number;
  /** Per POST, body included. Default 10 000. */
  timeoutMs?: number;
  /** Distinct alerts that may wait for one Alertmanager before the oldest are dropped. Default 10 000. */
  maxQueue?: number;
  /** Retry delays after failures. Default 500 ms doubling to 30 s, jittered. */
  backoffMs?: BackoffSettings;
  /** Where failures, drops and recoveries are reported. Default: stderr. */
  log?: (line: string) => void;
  /** Sent as every alert's `generatorURL` when set. */
  generatorUrl?: string;
  fetch?: typeof fetch;
}

export interface NotifierStats {
  sent: number;
  failed: number;
  /** Alerts waiting, summed over Alertmanagers. */
  pending: number;
  dropped: number;
  lastError?: string;
  perUrl: Record<string, { sent: number; failed: number; up: boolean }>;
}

const DEFAULTS = { resendDelayMs: 60_000, timeoutMs: 10_000, maxQueue: 10_000 };

/**
 * Sends the engine's alerts to Alertmanager the way Prometheus does (which alerts, when, with
 * which `startsAt`/`endsAt`), but keeps what could not be delivered: each Alertmanager has a
 * queue of the latest state per alert, retried with backoff until it is accepted.
 */
export class AlertmanagerNotifier {
  private readonly policy: ResendPolicy;
  private readonly targets = new Map<string, AlertmanagerTarget>();
  private readonly generatorUrl?: string;
  private closed = false;

  constructor(opts: NotifierOptions) {
    if (opts.urls.length === 0) throw new Error('AlertmanagerNotifier needs at least one Alertmanager URL');
    const resendDelayMs = nonNegative('resendDelayMs', opts.resendDelayMs ?? DEFAULTS.resendDelayMs);
    const evalIntervalMs = nonNegative('evalIntervalMs', opts.evalIntervalMs ?? 0);
    const timeoutMs = positive('timeoutMs', opts.timeoutMs ?? DEFAULTS.timeoutMs);
    const maxQueue = positive('maxQueue', opts.maxQueue ?? DEFAULTS.maxQueue);
    const backoff = opts.backoffMs ?? DEFAULT_BACKOFF;
    positive('backoffMs.initial', backoff.initial);
    if (backoff.max < backoff.initial) throw new Error(`backoffMs.max (${backoff.max}) is below backoffMs.initial (${backoff.initial})`);
    const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const fetchFn = opts.fetch ?? fetch;

    this.policy = new ResendPolicy(resendDelayMs, evalIntervalMs);
    if (opts.generatorUrl) this.generatorUrl = opts.generatorUrl;
    for (const url of opts.urls) {
      new URL(url); // throws on a malformed URL, before anything is sent
      if (!this.targets.has(url)) this.targets.set(url, new AlertmanagerTarget({ url, timeoutMs, maxQueue, backoff, fetch: fetchFn, log }));
    }
  }

  /** Called after every evaluation with the current alert set (like Prometheus's sendAlerts). */
  update(alerts: EngineAlert[], nowMs: number): void {
    if (this.closed) return;
    const due = this.policy.due(alerts, nowMs);
    if (due.length === 0) return;
    const batch: Array<readonly [string, PostableAlert]> = due.map((d) => [d.fingerprint, toPostable(d.alert, d.validUntil, this.generatorUrl)]);
    for (const target of this.targets.values()) target.enqueue(batch);
  }

  /** Waits until every queued alert was delivered, or failed for now and waits for a retry. */
  async flush(): Promise<void> {
    await Promise.all([...this.targets.values()].map((t) => t.flush()));
  }

  /** Stops retry timers and makes one last attempt per Alertmanager; later updates are ignored. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.targets.values()].map((t) => t.close()));
  }

  stats(): NotifierStats {
    const out: NotifierStats = { sent: 0, failed: 0, pending: 0, dropped: 0, perUrl: {} };
    let lastError: { text: string; at: number } | undefined;
    for (const [url, target] of this.targets) {
      const s: TargetStats = target.stats();
      out.sent += s.sent;
      out.failed += s.failed;
      out.pending += s.pending;
      out.dropped += s.dropped;
      if (s.lastError !== undefined && s.lastErrorAt !== undefined && (!lastError || s.lastErrorAt >= lastError.at)) {
        lastError = { text: `${url}: ${s.lastError}`, at: s.lastErrorAt };
      }
      out.perUrl[url] = { sent: s.sent, failed: s.failed, up: s.up };
    }
    if (lastError) out.lastError = lastError.text;
    return out;
  }
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0, got ${value}`);
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number > 0, got ${value}`);
  return value;
}
