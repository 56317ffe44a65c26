import { BASE_WINDOW } from '../model/constants.js';
import { formatDuration } from '../model/duration.js';
import { RESERVED_LABELS } from '../model/naming.js';
import type { Slo } from '../model/slo.js';
import type { DocContext } from './context.js';
import type { Path } from './yaml-source.js';

/**
 * Count-based SLIs sum whole base windows, so every window must be a multiple of the base;
 * raw error-ratio queries are evaluated over each window directly and may use any window.
 */
export function checkWindows(ctx: DocContext, at: Path, slo: Slo): void {
  const base = formatDuration(BASE_WINDOW);
  const counted = slo.sli.kind !== 'rawErrorRatio';
  if (counted && slo.window % BASE_WINDOW !== 0) {
    ctx.error([...at, 'window'], `the SLO window ${formatDuration(slo.window)} is not a multiple of the ${base} base window`, `round it to a multiple of ${base}`);
  }
  for (const t of slo.alerting.tiers) {
    for (const [field, w] of [['longWindow', t.longWindow], ['shortWindow', t.shortWindow]] as const) {
      if (counted && w % BASE_WINDOW !== 0) {
        ctx.error([...at, 'alerting', 'tiers', t.name, field], `tier ${t.name}: ${formatDuration(w)} is not a multiple of the ${base} base window`,
          `use a multiple of ${base}, e.g. ${formatDuration(Math.max(BASE_WINDOW, Math.round(w / BASE_WINDOW) * BASE_WINDOW))}`);
      }
      if (w > slo.window) ctx.error([...at, 'alerting', 'tiers', t.name, field], `tier ${t.name}: ${formatDuration(w)} is longer than the SLO window`);
      // The period's own length names the period-to-date series (`_month`), not a rolling window.
      else if (slo.calendar && w === slo.window) {
        ctx.error([...at, 'alerting', 'tiers', t.name, field], `tier ${t.name}: ${formatDuration(w)} is the nominal length of the calendar ${slo.calendar.unit}; alert windows roll and must be shorter than the period`,
          'use a shorter window, e.g. 3d, or a rolling SLO window');
      }
    }
  }
  const groupBy = 'groupBy' in slo.sli ? slo.sli.groupBy : [];
  for (const label of [...Object.keys(slo.labels), ...groupBy]) {
    if (RESERVED_LABELS.has(label)) {
      ctx.error([...at], `label ${JSON.stringify(label)} is set by the generated rules themselves`, 'rename it');
    }
  }
}
