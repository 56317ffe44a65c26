/**
 * Alerts waiting for one Alertmanager, at most one per fingerprint: a newer state replaces the
 * older one and moves to the back, so the queue holds each alert's latest state, not every
 * re-send. Bounded: past `max` entries the oldest are dropped and counted by the caller.
 */
export class CoalescingQueue<T> {
  private readonly items = new Map<string, T>();

  constructor(private readonly max: number) {}

  /** Queues `item` as the latest state of `key`; returns how many oldest entries were dropped. */
  put(key: string, item: T): number {
    this.items.delete(key);
    this.items.set(key, item);
    let dropped = 0;
    for (const oldest of this.items.keys()) {
      if (this.items.size <= this.max) break;
      this.items.delete(oldest);
      dropped++;
    }
    return dropped;
  }

  /** The `n` oldest entries, left in place until settled. */
  head(n: number): Array<[string, T]> {
    const out: Array<[string, T]> = [];
    for (const entry of this.items) {
      if (out.length >= n) break;
      out.push(entry);
    }
    return out;
  }

  /** Removes `key` if it still holds `item`; a newer state queued meanwhile stays to be sent. */
  settle(key: string, item: T): void {
    if (this.items.get(key) === item) this.items.delete(key);
  }

  get size(): number {
    return this.items.size;
  }
}
