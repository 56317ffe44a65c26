import type { SqliteStore } from '../store/sqlite-store.js';
import type { GroupState, SloState } from './slo-state.js';

/**
 * Puts the stored buckets back into the rings after a restart, one group at a time, as numbers
 * straight from the rows: 1,000 SLOs with 30 days of 5m buckets are 8.6 million rows, and an
 * object per row (plus its parsed labels) made start-up take minutes and left hundreds of MiB of
 * heap behind. Each group's rows come oldest first, as they were written live, so every ring
 * ends up as the live engine's was.
 */
export function restoreBuckets(store: SqliteStore, states: ReadonlyMap<string, SloState>): void {
  for (const { slo, grp, labels } of store.groups()) {
    const state = states.get(slo);
    if (!state) continue;
    // Made on the first row, as a live write would: a group with no bucket left stays absent.
    let g: GroupState | undefined;
    store.forEachBucket(slo, grp, (res, end, total, num, samples) => {
      g ??= state.group(grp, JSON.parse(labels) as Record<string, string>);
      state.addBucket(g, res, end, total, num, samples);
    });
  }
}
