import { formatDuration, MINUTE } from '../model/duration.js';
import { namingOf } from '../model/naming.js';
import { formatNumber } from '../model/numbers.js';
import type { AlertTier, Slo } from '../model/slo.js';
import { quoteLabelValue } from '../promql/quote.js';
import { tierAlertLabels } from './alerts.js';
import { maintenanceScenario } from './maintenance.js';
import { seriesLabels } from './recording.js';
import { feederFor, type Feeder, type Schedule } from './test-inputs.js';
import type { RenderOptions } from './types.js';
import { GENERATED_HEADER, sorted, toYaml } from './yaml-out.js';

interface Check {
  at: number;
  firing: AlertTier[];
}

interface Scenario {
  name: string;
  schedule: Schedule;
  checks: Check[];
  /** Series besides the feeder's, e.g. the engine's maintenance series. */
  extra?: Array<{ series: string; values: string }>;
}

const minutes = (ms: number) => Math.round(ms / MINUTE);

/** Burn rates are compared with a margin so that float rounding can never decide a test. */
function firingAt(tiers: readonly AlertTier[], burn: number): AlertTier[] {
  return tiers.filter((t) => t.factor < burn);
}

/**
 * Scenarios with a constant error ratio make every window hold the same ratio, so the expected
 * alerts follow from the factors alone. The checks wait for the longest `for` to pass.
 */
function scenarios(slo: Slo): Scenario[] {
  const tiers = slo.alerting.tiers;
  if (!tiers.length) {
    return [{ name: 'with alerts disabled, even a full outage stays silent', schedule: [[90, 1]], checks: [{ at: 80, firing: [] }] }];
  }
  const eb = slo.errorBudget;
  const maxBurn = 1 / eb;
  const maxFor = Math.max(...tiers.map((t) => minutes(t.for)));
  const settle = Math.max(65, maxFor + 15);
  const factors = [...new Set(tiers.map((t) => t.factor))].sort((a, b) => a - b);
  const pageFactors = tiers.filter((t) => t.severity === 'page').map((t) => t.factor);
  const ticketFactors = tiers.filter((t) => t.severity === 'ticket').map((t) => t.factor);
  const out: Scenario[] = [];
  // A burn between two factors, never within 10% of one, so rounding cannot decide the outcome.
  const between = (lo: number, hi: number) => Number((hi === Infinity ? lo * 1.5 : Math.sqrt(lo * hi)).toPrecision(3));
  const above = (f: number) => between(f, factors.find((x) => x > f * 1.0001) ?? Infinity);
  if (pageFactors.length) {
    const burn = Math.min(above(Math.max(...pageFactors)), maxBurn);
    if (burn > Math.max(...pageFactors) * 1.1) {
      out.push({ name: `a fast burn (${formatNumber(burn)}x) pages`, schedule: [[settle + 10, burn * eb]], checks: [{ at: settle, firing: firingAt(tiers, burn) }] });
      const longestShort = Math.max(...tiers.map((t) => minutes(t.shortWindow)));
      const end = settle + 10;
      out.push({
        name: `a page resolves once the burn stops`,
        schedule: [[end, burn * eb], [longestShort + maxFor + 20, 0]],
        checks: [
          { at: settle, firing: firingAt(tiers, burn) },
          { at: end + longestShort + 15, firing: [] },
        ],
      });
    }
  }
  if (ticketFactors.length) {
    const lowestPage = pageFactors.length ? Math.min(...pageFactors) : Infinity;
    const burn = Math.min(above(Math.min(...ticketFactors)), maxBurn);
    if (burn < lowestPage && burn > Math.min(...ticketFactors) * 1.1) {
      out.push({ name: `a slow burn (${formatNumber(burn)}x) opens a ticket but does not page`, schedule: [[settle + 10, burn * eb]], checks: [{ at: settle, firing: firingAt(tiers, burn) }] });
    }
  }
  const quiet = Math.min(factors[0]! / 2, 0.5);
  out.push({ name: `a burn of ${formatNumber(quiet)}x, below every threshold, stays silent`, schedule: [[settle + 10, quiet * eb]], checks: [{ at: settle, firing: [] }] });
  return out;
}

function alertSelector(slo: Slo): string {
  const n = namingOf(slo);
  return `ALERTS{alertname=${quoteLabelValue(slo.alerting.name)},alertstate="firing",${n.idLabel}=${quoteLabelValue(slo.id)}}`;
}

function expectedSample(slo: Slo, tier: AlertTier, opts: RenderOptions, group: Record<string, string>): { labels: string; value: number } {
  const labels: Record<string, string> = {
    ...seriesLabels(slo, opts),
    ...group,
    ...tierAlertLabels(slo, tier, opts),
    alertname: slo.alerting.name,
    alertstate: 'firing',
  };
  const body = Object.entries(sorted(labels)).map(([k, v]) => `${k}=${quoteLabelValue(v)}`).join(', ');
  return { labels: `ALERTS{${body}}`, value: 1 };
}

type Sample = ReturnType<typeof expectedSample>;

function testGroup(slo: Slo, opts: RenderOptions, feeder: Feeder, s: Scenario, samples: Map<AlertTier, Sample>) {
  // A tier's expected alert is the same in every scenario and check: its labels are sorted and quoted once.
  const sampleOf = (t: AlertTier) => {
    let v = samples.get(t);
    if (!v) samples.set(t, (v = expectedSample(slo, t, opts, feeder.groupLabels)));
    return v;
  };
  return {
    name: s.name,
    interval: '1m',
    input_series: [...feeder.series(s.schedule), ...(s.extra ?? [])],
    promql_expr_test: s.checks.map((c) => ({
      expr: alertSelector(slo),
      eval_time: formatDuration(c.at * MINUTE),
      exp_samples: c.firing.map(sampleOf),
    })),
  };
}

/**
 * A promtool unit test for one SLO: a fast burn pages, a slow burn tickets, a burn below every
 * threshold stays silent and a page resolves after recovery, on series that drive the SLO's rules.
 */
export function unitTestFile(slo: Slo, ruleFileName: string, opts: RenderOptions): string {
  const feeder = feederFor(slo, opts);
  const samples = new Map<AlertTier, Sample>();
  const comment = feeder
    ? `# Inputs: ${feeder.how}.\n`
    : '# Inputs: none. No synthetic series can drive this SLI\'s queries, so this test only proves that no data pages nobody.\n';
  const groups = feeder
    ? [...scenarios(slo), ...maintenanceScenario(slo, opts, feeder.series([[1, 0]]).every((i) => !i.series.startsWith('slo:')))].map((s) => testGroup(slo, opts, feeder, s, samples))
    : [{ name: 'without data, no burn-rate alert fires', interval: '1m', input_series: [], promql_expr_test: [{ expr: alertSelector(slo), eval_time: '70m', exp_samples: [] }] }];
  return GENERATED_HEADER + comment + toYaml({ rule_files: [ruleFileName], evaluation_interval: '1m', tests: groups });
}
