/** Where a contribution lands: one bucket of one group of one SLO. */
export interface BucketDelta {
  slo: string;
  group: string;
  groupLabels: Record<string, string>;
  /** Resolution in ms: the base window (5m) or the fine one (1m). */
  res: number;
  end: number;
  total: number;
  num: number;
  samples: number;
}

/** The last sample of a matched series, which the next sample's increase is measured from. */
export interface SeriesPoint {
  ts: number;
  v: number;
}

/**
 * The whole effect of one batch of requests. It is computed without touching the engine's
 * state, written to the store in one transaction, and only then applied to memory, so a failed
 * write leaves both exactly as they were.
 */
export class ChangeSet {
  readonly series = new Map<string, SeriesPoint>();
  readonly buckets = new Map<string, BucketDelta>();
  accepted = 0;
  /** Samples at or before the series' last timestamp: resends and out-of-order points. */
  duplicates = 0;
  /** Samples too old for any window, or too far in the future. */
  outOfBounds = 0;

  /**
   * slo → group → res → end → the delta in `buckets`: a lookup per sample without building (and
   * hashing) a string key from numbers; the string key is built once, when a bucket is new.
   */
  private readonly byCell = new Map<string, Map<string, Map<number, Map<number, BucketDelta>>>>();

  add(slo: string, group: string, groupLabels: Record<string, string>, res: number, end: number, total: number, num: number, samples: number): void {
    let groups = this.byCell.get(slo);
    if (!groups) this.byCell.set(slo, (groups = new Map()));
    let resolutions = groups.get(group);
    if (!resolutions) groups.set(group, (resolutions = new Map()));
    let ends = resolutions.get(res);
    if (!ends) resolutions.set(res, (ends = new Map()));
    const d = ends.get(end);
    if (d) {
      d.total += total;
      d.num += num;
      d.samples += samples;
      return;
    }
    const delta: BucketDelta = { slo, group, groupLabels, res, end, total, num, samples };
    ends.set(end, delta);
    this.buckets.set(`${slo}\u0000${group}\u0000${res}\u0000${end}`, delta);
  }

  get empty(): boolean {
    return this.series.size === 0 && this.buckets.size === 0;
  }
}
