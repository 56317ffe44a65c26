import { readFileSync } from 'node:fs';
import { BASE_WINDOW } from '../model/constants.js';
import { formatDuration } from '../model/duration.js';
import { namingOf } from '../model/naming.js';
import { sloWindows, windowStartAt } from '../model/windows.js';
import { sliRecordingRules } from '../rules/recording.js';
import type { RenderOptions } from '../rules/types.js';
import type { SloState } from '../engine/slo-state.js';

/**
 * An SLO's history for the detail page, at most `points` steps over its window: the SLI per
 * step, the budget burn-down and every alert window's burn rate, from the 5m buckets. Rolling
 * sums come from prefix sums, so the cost is one pass over the buckets.
 */
export function sloHistory(state: SloState, t: number, points = 288) {
  const { slo, plan } = state;
  const end = Math.floor(t / BASE_WINDOW) * BASE_WINDOW;
  // A calendar SLO's history is its current period: the budget it reports on.
  const n = Math.max(1, Math.round((end - windowStartAt(slo, t)) / BASE_WINDOW));
  const start = end - n * BASE_WINDOW;
  const windows = sloWindows(slo).filter((w) => w !== slo.window);
  // Steps cover the window from the first bucket with data: a young SLO gets fine steps, not
  // one point at the right edge of 30 days.
  let firstData = n;
  for (const g of state.groups.values()) {
    for (const b of g.base.entries()) {
      const i = Math.round((b.end - start) / BASE_WINDOW);
      if (i >= 1 && i <= n && b.samples > 0) firstData = Math.min(firstData, i);
    }
  }
  const span = n - firstData + 1;
  const stride = Math.max(1, Math.ceil(span / points));
  const times: number[] = [];
  for (let i = n - Math.floor((span - 1) / stride) * stride; i <= n; i += stride) times.push((start + i * BASE_WINDOW) / 1000);
  const groups = [...state.groups.values()].map((g) => {
    // Index 0 is the bucket ending at start + 5m; prefix[i] sums buckets 0..i-1.
    const total = new Float64Array(n + 1);
    const bad = new Float64Array(n + 1);
    const seen = new Uint8Array(n + 1);
    for (const b of g.base.entries()) {
      const i = Math.round((b.end - start) / BASE_WINDOW);
      if (i < 1 || i > n) continue;
      total[i] = b.total;
      bad[i] = plan.badOf(b.total, b.num);
      seen[i] = b.samples > 0 ? 1 : 0;
    }
    const pt = new Float64Array(n + 1);
    const pb = new Float64Array(n + 1);
    const ps = new Float64Array(n + 1);
    for (let i = 1; i <= n; i++) {
      pt[i] = pt[i - 1]! + total[i]!;
      pb[i] = pb[i - 1]! + bad[i]!;
      ps[i] = ps[i - 1]! + seen[i]!;
    }
    const ratio = (from: number, to: number) => {
      const a = Math.max(0, from);
      const events = pt[to]! - pt[a]!;
      return ps[to]! - ps[a]! === 0 || events <= 0 ? null : (pb[to]! - pb[a]!) / events;
    };
    const steps = times.map((s) => Math.round((s * 1000 - start) / BASE_WINDOW));
    const sli = steps.map((i) => {
      const r = ratio(i - stride, i);
      return r === null ? null : 1 - r;
    });
    const whole = pt[n]!;
    const budget = steps.map((i) => (whole > 0 && ps[i]! > 0 ? 1 - pb[i]! / (slo.errorBudget * whole) : null));
    const burn: Record<string, Array<number | null>> = {};
    for (const w of windows) {
      const k = Math.round(w / BASE_WINDOW);
      burn[formatDuration(w)] = steps.map((i) => {
        const r = ratio(i - k, i);
        return r === null ? null : r / slo.errorBudget;
      });
    }
    return { labels: g.labels, sli, budgetRemaining: budget, burn };
  });
  return { step: formatDuration(stride * BASE_WINDOW), windowStart: start / 1000, times, objective: slo.objective, groups };
}

/** The document of the spec file the SLO was loaded from, as written, and the PromQL the rules record. */
export function sloDefinition(state: SloState, render: RenderOptions) {
  const { slo } = state;
  let yaml: string | null = null;
  try {
    const lines = readFileSync(slo.source.file, 'utf8').split('\n');
    let from = 0;
    let to = lines.length;
    for (let i = 0; i < lines.length; i++) {
      if (!/^---\s*$/.test(lines[i]!)) continue;
      if (i < slo.source.line - 1) from = i + 1;
      else {
        to = i;
        break;
      }
    }
    yaml = lines.slice(from, to).join('\n').trim();
  } catch {
    // The file may have changed or gone since the SLO was loaded; the rest still stands.
  }
  const windowLabel = namingOf(slo).windowLabel;
  const rules = sliRecordingRules(slo, render).map((r) => ({ record: r.record, window: r.labels[windowLabel] ?? null, expr: r.expr }));
  return { file: slo.source.file, line: slo.source.line, format: slo.source.format, yaml, rules };
}
