import { Backoff, type BackoffSettings } from './backoff.js';
import { CoalescingQueue } from './coalescing-queue.js';
import { alertsEndpoint, postAlerts } from './post-alerts.js';
import type { PostableAlert } from './postable-alert.js';

/** Alertmanager's own limit per POST in Prometheus's notifier (maxBatchSize). */
export const MAX_BATCH = 64;

export interface TargetSettings {
  url: string;
  timeoutMs: number;
  maxQueue: number;
  backoff: BackoffSettings;
  fetch: typeof fetch;
  log: (line: string) => void;
}

export interface TargetStats {
  /** Alerts delivered (2xx). */
  sent: number;
  /** Alerts in failed attempts: once per attempt while retrying, once for good when rejected. */
  failed: number;
  /** Alerts pushed out of a full queue before they could be delivered. */
  dropped: number;
  /** Alerts waiting. */
  pending: number;
  /** False from a failed attempt until the next delivery. */
  up: boolean;
  lastError?: string;
  /** Date.now() of the last failure. */
  lastErrorAt?: number;
}

/**
 * One Alertmanager: its own queue of the latest state per alert, one POST in flight at a time,
 * and its own backoff, so a slow or dead Alertmanager never holds up another one.
 */
export class AlertmanagerTarget {
  private readonly queue: CoalescingQueue<PostableAlert>;
  private readonly backoff: Backoff;
  private readonly endpoint: string;
  private inFlight?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly counts = { sent: 0, failed: 0, dropped: 0 };
  private up = true;
  private lastError?: { reason: string; at: number };

  constructor(private readonly settings: TargetSettings) {
    this.queue = new CoalescingQueue(settings.maxQueue);
    this.backoff = new Backoff(settings.backoff);
    this.endpoint = alertsEndpoint(settings.url);
  }

  enqueue(alerts: ReadonlyArray<readonly [string, PostableAlert]>): void {
    if (this.closed) return;
    let dropped = 0;
    for (const [fp, alert] of alerts) dropped += this.queue.put(fp, alert);
    if (dropped > 0) {
      this.counts.dropped += dropped;
      this.settings.log(
        `alertmanager ${this.settings.url}: queue full (${this.settings.maxQueue} alerts waiting); dropped the ${dropped} oldest, ${this.counts.dropped} dropped so far`,
      );
    }
    this.kick();
  }

  /** Resolves once the queue is empty, or the last attempt failed and a retry is scheduled. */
  async flush(): Promise<void> {
    for (;;) {
      this.kick();
      if (!this.inFlight) return;
      await this.inFlight;
    }
  }

  /** Cancels any scheduled retry and makes one last attempt at whatever is still queued. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // A drain under way ends at an empty queue or at a failure; only otherwise try once more.
    if (this.inFlight) await this.inFlight;
    else if (this.queue.size > 0) await this.drain();
    if (this.queue.size > 0) this.settings.log(`alertmanager ${this.settings.url}: ${this.queue.size} alerts not delivered at shutdown (${this.lastError?.reason ?? 'unknown error'})`);
  }

  stats(): TargetStats {
    const out: TargetStats = { ...this.counts, pending: this.queue.size, up: this.up };
    if (this.lastError) {
      out.lastError = this.lastError.reason;
      out.lastErrorAt = this.lastError.at;
    }
    return out;
  }

  private kick(): void {
    if (this.closed || this.inFlight || this.retryTimer || this.queue.size === 0) return;
    this.inFlight = this.drain().then(() => {
      this.inFlight = undefined;
      this.kick();
    });
  }

  /** Sends batches until the queue is empty or an attempt fails; never rejects. */
  private async drain(): Promise<void> {
    while (this.queue.size > 0) {
      const batch = this.queue.head(MAX_BATCH);
      const outcome = await postAlerts(this.settings.fetch, this.endpoint, batch.map(([, a]) => a), this.settings.timeoutMs).catch(
        (e: unknown) => ({ kind: 'retry', reason: String(e) }) as const,
      );
      const n = batch.length;
      if (outcome.kind === 'retry') {
        this.counts.failed += n;
        this.lastError = { reason: outcome.reason, at: Date.now() };
        this.up = false;
        this.scheduleRetry(n, outcome.reason);
        return;
      }
      for (const [fp, alert] of batch) this.queue.settle(fp, alert);
      if (outcome.kind === 'rejected') {
        this.counts.failed += n;
        this.lastError = { reason: outcome.reason, at: Date.now() };
        this.settings.log(`alertmanager ${this.settings.url}: rejected ${n} alerts, not resending them (${outcome.reason})`);
      } else {
        this.counts.sent += n;
      }
      if (!this.up) {
        this.settings.log(`alertmanager ${this.settings.url}: reachable again after ${this.backoff.failuresInARow} failed attempts`);
      }
      this.up = true;
      this.backoff.reset();
    }
  }

  private scheduleRetry(n: number, reason: string): void {
    if (this.closed) return;
    const delay = this.backoff.next();
    this.settings.log(
      `alertmanager ${this.settings.url}: could not send ${n} alerts (${reason}); ${this.queue.size} waiting, attempt ${this.backoff.failuresInARow + 1} in ${delay}ms`,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delay);
    this.retryTimer.unref();
  }
}
