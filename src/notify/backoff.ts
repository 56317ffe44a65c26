export interface BackoffSettings {
  initial: number;
  max: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { initial: 500, max: 30_000 };

/**
 * Exponential backoff with jitter: after the n-th failure in a row, wait
 * `min(max, initial · 2^(n-1))` scaled by a random factor in [0.5, 1), so several engines that
 * lost the same Alertmanager do not retry in lockstep.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly settings: BackoffSettings = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** Records one more failure and returns how long to wait before the next attempt. */
  next(): number {
    this.failures++;
    const base = Math.min(this.settings.max, this.settings.initial * 2 ** Math.min(this.failures - 1, 30));
    return Math.round(base * (0.5 + this.random() / 2));
  }

  reset(): void {
    this.failures = 0;
  }

  /** Failures since the last success. */
  get failuresInARow(): number {
    return this.failures;
  }
}
