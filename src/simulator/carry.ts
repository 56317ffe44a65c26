/**
 * Whole events from fractional expectations without drift: whatever a step cannot emit as a
 * whole event carries over to the next. The total emitted so far is the expected total rounded
 * (the carry starts at one half), so a configured share comes out exactly in the long run, and
 * even a 5-minute window is off by at most one event. Rare events (one an hour) show up after
 * half their interval rather than a whole one.
 */
export class Carry {
  private rest = 0.5;

  take(expected: number): number {
    const due = this.rest + Math.max(0, expected);
    // The epsilon keeps 0.1 + 0.2 + 0.7 from emitting 0 events where 1 is due.
    const n = Math.floor(due + 1e-9);
    this.rest = due - n;
    return n;
  }
}

/**
 * Splits `n` events over categories with fixed shares, each category keeping its own carry.
 * Shares should add up to at most 1; whatever they leave goes to the last, extra, category.
 */
export class Splitter {
  private readonly carries: Carry[];

  constructor(categories: number) {
    this.carries = Array.from({ length: categories }, () => new Carry());
  }

  /** Returns shares.length + 1 counts adding up to n; the last one is the remainder. */
  split(n: number, shares: readonly number[]): number[] {
    let left = n;
    const out = shares.map((share, i) => {
      const c = Math.min(left, this.carries[i]!.take(n * share));
      left -= c;
      return c;
    });
    out.push(left);
    return out;
  }
}

/** Whole events for one step of a steady rate with ±15% noise, so counters do not tick like clocks. */
export function eventsIn(carry: Carry, rng: () => number, perSecond: number, seconds: number): number {
  return carry.take(perSecond * seconds * (0.85 + 0.3 * rng()));
}
