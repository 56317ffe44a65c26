/**
 * Rules in Sloth's structure (slo-math.md §6) for the benchmark's simple events SLOs: per SLO an
 * SLI group with one ratio rule per window straight from raw `rate()` over that window, the
 * period rule as Sloth's "optimized" average of the 5m ratios, the metadata group and the two
 * multi-window alerts. Written here from the documented layout, for comparison only.
 */
import { metricOf, routeOf } from './slo-spec.js';

const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
const OBJECTIVE = 0.999;

export function slothId(i: number): string {
  return `bench-svc${Math.floor(i / 100)}-requests-${routeOf(i)}`;
}

function sloRules(i: number): string {
  const id = slothId(i);
  const service = `bench-svc${Math.floor(i / 100)}`;
  const name = `requests-${routeOf(i)}`;
  const ids = `sloth_id="${id}", sloth_service="${service}", sloth_slo="${name}"`;
  const on = 'on(sloth_id, sloth_slo, sloth_service) group_left';
  const labels = (w: string) => `      labels:\n        sloth_id: ${id}\n        sloth_service: ${service}\n        sloth_slo: ${name}\n        sloth_window: ${w}\n`;
  const meta = `      labels:\n        sloth_id: ${id}\n        sloth_service: ${service}\n        sloth_slo: ${name}\n`;
  const bad = `${metricOf(i)}{route="${routeOf(i)}",code=~"5.."}`;
  const total = `${metricOf(i)}{route="${routeOf(i)}"}`;
  const out: string[] = [`  - name: sloth-slo-sli-recordings-${id}\n    rules:\n`];
  for (const w of WINDOWS) {
    out.push(`    - record: slo:sli_error:ratio_rate${w}\n      expr: |\n        (sum(rate(${bad}[${w}])))\n        /\n        (sum(rate(${total}[${w}])))\n${labels(w)}`);
  }
  out.push(
    `    - record: slo:sli_error:ratio_rate30d\n      expr: |\n        sum_over_time(slo:sli_error:ratio_rate5m{${ids}}[30d])\n        / ignoring (sloth_window)\n        count_over_time(slo:sli_error:ratio_rate5m{${ids}}[30d])\n${labels('30d')}`,
  );
  out.push(`  - name: sloth-slo-meta-recordings-${id}\n    rules:\n`);
  out.push(`    - record: slo:objective:ratio\n      expr: vector(${OBJECTIVE})\n${meta}`);
  out.push(`    - record: slo:error_budget:ratio\n      expr: vector(1-${OBJECTIVE})\n${meta}`);
  out.push(`    - record: slo:time_period:days\n      expr: vector(30)\n${meta}`);
  out.push(`    - record: slo:current_burn_rate:ratio\n      expr: |\n        slo:sli_error:ratio_rate5m{${ids}}\n        / ${on}\n        slo:error_budget:ratio{${ids}}\n${meta}`);
  out.push(`    - record: slo:period_burn_rate:ratio\n      expr: |\n        slo:sli_error:ratio_rate30d{${ids}}\n        / ${on}\n        slo:error_budget:ratio{${ids}}\n${meta}`);
  out.push(`    - record: slo:period_error_budget_remaining:ratio\n      expr: 1 - slo:period_burn_rate:ratio{${ids}}\n${meta}`);
  out.push(`    - record: sloth_slo_info\n      expr: vector(1)\n${meta}        sloth_objective: "99.9"\n`);
  const burn = (w: string, f: number) => `max(slo:sli_error:ratio_rate${w}{${ids}} > (${f} * ${1 - OBJECTIVE}))`;
  const pair = (a: string, b: string, f: number) => `(${burn(a, f)} without (sloth_window)\n          and\n          ${burn(b, f)} without (sloth_window))`;
  out.push(`  - name: sloth-slo-alerts-${id}\n    rules:\n`);
  out.push(`    - alert: ErrorBudgetBurn\n      expr: |\n        ${pair('5m', '1h', 14.4)}\n        or ignoring (sloth_window)\n        ${pair('30m', '6h', 6)}\n      labels:\n        sloth_severity: page\n`);
  out.push(`    - alert: ErrorBudgetBurn\n      expr: |\n        ${pair('2h', '1d', 3)}\n        or ignoring (sloth_window)\n        ${pair('6h', '3d', 1)}\n      labels:\n        sloth_severity: ticket\n`);
  return out.join('');
}

/** One rule file for SLOs 0..count-1, as `sloth generate` would lay them out. */
export function slothRuleFile(count: number): string {
  const parts = ['groups:\n'];
  for (let i = 0; i < count; i++) parts.push(sloRules(i));
  return parts.join('');
}

/** Only the 5m ratio rules, for backfilling the history the period rule averages. */
export function slothBackfillRules(count: number): Array<{ record: string; expr: string; labels: Record<string, string> }> {
  return Array.from({ length: count }, (_, i) => ({
    record: 'slo:sli_error:ratio_rate5m',
    expr: `(sum(rate(${metricOf(i)}{route="${routeOf(i)}",code=~"5.."}[5m]))) / (sum(rate(${metricOf(i)}{route="${routeOf(i)}"}[5m])))`,
    labels: { sloth_id: slothId(i), sloth_service: `bench-svc${Math.floor(i / 100)}`, sloth_slo: `requests-${routeOf(i)}`, sloth_window: '5m' },
  }));
}
