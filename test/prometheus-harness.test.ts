import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Faults } from '../src/simulator/index.js';
import { startLoadedPrometheus, type InstantSample, type LoadedPrometheus } from './helpers/prometheus.js';

/**
 * The harness itself: real Prometheus servers loaded with simulated platform history run the
 * committed alert-rules/ unchanged. Between them every fault knob burns its SLO. Right after the
 * helper returns, every SLO must have its long-window ratio and remaining budget, burning SLOs
 * must burn at share / error budget and alert exactly on the tiers whose factor they exceed
 * (firing without `for`, pending with it), and healthy SLOs must stay under 1x and silent.
 */
const RULES_DIR = 'alert-rules';
const ruleFiles = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.rules.yaml'))
  .map((f) => join(RULES_DIR, f));
const sloIds = ruleFiles.map((f) => f.replace(/^.*\//, '').replace(/\.rules\.yaml$/, ''));

interface Scenario {
  name: string;
  options: { historyHours?: number; waitFor?: 'every-group' | 'fast-groups' };
  faults: Faults;
  /** The 1h burn rate each fault gives its SLO: the bad share over the SLO's error budget. */
  burns: Record<string, number>;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'the default (3h of history, every rule group evaluated)',
    options: {},
    faults: { podStartSlow: 0.5, evictionsPer1000PodsPerHour: 50, apiserverErrors: 0.2 },
    burns: {
      'kubelet-startup-latency': 0.5 / 0.01,
      // Every 5-minute slice is over the ceiling of 2 evictions per 1000 pods: all slices bad.
      'kubelet-eviction-rate': 1 / 0.005,
      'kube-apiserver-requests-availability': 0.2 / 0.01,
      // The same API requests under the 99.5% SLA of the calendar month.
      'kube-apiserver-requests-sla-month': 0.2 / 0.005,
    },
  },
  {
    name: 'the quick variant (1.5h of history, waiting for the alert groups only)',
    options: { historyHours: 1.5, waitFor: 'fast-groups' },
    faults: { apiserverSlow: 0.05, schedulerSlow: 0.1, imagePullSlow: 0.5, stuckDeployments: 0.25, costPerRequestFactor: 20 },
    burns: {
      'kube-apiserver-requests-availability': 0.05 / 0.01,
      'kube-apiserver-requests-sla-month': 0.05 / 0.005,
      'kube-scheduler-scheduling-latency': 0.1 / 0.01,
      'kubelet-image-pull-time': 0.5 / 0.05,
      'kube-state-metrics-deployment-success': 0.25 / 0.01,
      // About $0.0003 per request against a $0.0002 ceiling: every slice bad.
      'shop-cost-per-request': 1 / 0.05,
    },
  },
];

const loaded = new Map<Scenario, LoadedPrometheus>();

beforeAll(async () => {
  // Side by side: most of the time goes into waiting for rule evaluations, not into work.
  const started = await Promise.allSettled(SCENARIOS.map((s) => startLoadedPrometheus({ ruleFiles, faults: s.faults, ...s.options })));
  started.forEach((r, i) => r.status === 'fulfilled' && loaded.set(SCENARIOS[i]!, r.value));
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  for (const [s, p] of loaded) console.info(`${s.name}: ready in ${(p.timings.total! / 1000).toFixed(1)}s`, p.timings);
}, 300_000);

afterAll(async () => {
  await Promise.all([...loaded.values()].map((p) => p.stop()));
});

const values = (samples: InstantSample[]) => samples.map((s) => Number(s.value[1]));
/** The SLO's 1h series, or its 2h one when it has only ticket tiers (the calendar SLA SLO). */
const hourly = (prefix: string, id: string) => `{__name__=~"${prefix}(1h|2h)",slo_id="${id}"}`;
const tiersOf = (samples: InstantSample[]) => new Set(samples.map((s) => s.metric.slo_tier));

describe.each(SCENARIOS)('a Prometheus loaded with simulated history: $name', (scenario) => {
  const prom = () => loaded.get(scenario)!;
  const healthy = sloIds.filter((id) => !(id in scenario.burns));

  it('listens on 127.0.0.1 only and covers the requested hours', () => {
    expect(prom().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(prom().historyEndSec - prom().historyStartSec).toBe((scenario.options.historyHours ?? 3) * 3600);
  });

  it.each(sloIds)('records an hour-long error ratio and a remaining period budget for %s', async (id) => {
    expect(await prom().query(hourly('slo:sli_error:ratio_rate', id))).not.toEqual([]);
    expect(await prom().query(`slo:period_error_budget_remaining:ratio{slo_id="${id}"}`)).not.toEqual([]);
  });

  it.each(Object.entries(scenario.burns))('burns the budget of %s at %dx, as its fault says', async (id, burn) => {
    const rates = values(await prom().query(hourly('slo:burn_rate:ratio_rate', id)));
    expect(rates.length).toBeGreaterThan(0);
    // increase(x[5m]) over 1m samples sees the 4 minutes between the first and the last sample
    // and extrapolates; with a few dozen slow pods an hour that alone moves a ratio by ~5%.
    for (const r of rates) expect(Math.abs(r - burn) / burn).toBeLessThan(0.2);
  });

  it.each(Object.entries(scenario.burns))('alerts on %s on exactly the tiers below its burn, firing without `for` and pending with it', async (id, burn) => {
    const tiers = (await prom().rules()).filter((g) => g.name === `slo-alerts-${id}`).flatMap((g) => g.rules.filter((r) => r.labels?.slo_tier));
    expect(tiers.length).toBeGreaterThan(0);
    const firing = tiersOf(await prom().query(`ALERTS{alertstate="firing", slo_id="${id}", slo_tier!=""}`));
    const pending = tiersOf(await prom().query(`ALERTS{alertstate="pending", slo_id="${id}", slo_tier!=""}`));
    for (const rule of tiers) {
      const tier = rule.labels!.slo_tier!;
      // The burn over both windows is the same constant; the history is long enough for the 1h window.
      const factor = Number(/> ([0-9.]+)\)/.exec(rule.query)![1]);
      const where = `${id} ${tier} (factor ${factor}, for ${rule.duration}s)`;
      if (burn <= factor) {
        expect(firing, where).not.toContain(tier);
        expect(pending, where).not.toContain(tier);
      } else if (rule.duration === 0) expect(firing, where).toContain(tier);
      else expect(pending, where).toContain(tier);
    }
  });

  it.each(healthy)('keeps %s under a burn rate of 1 and silent', async (id) => {
    const rates = values(await prom().query(`slo:burn_rate:ratio_rate1h{slo_id="${id}"}`));
    expect(rates.length).toBeGreaterThan(0);
    for (const r of rates) expect(r).toBeLessThan(1);
    expect(await prom().query(`ALERTS{slo_id="${id}"}`)).toEqual([]);
  });

  it('has an hour of burn-rate history behind now, not just the live evaluations', async () => {
    const now = Math.floor(Date.now() / 1000);
    const series = await prom().queryRange('slo:burn_rate:ratio_rate1h', now - 3600, now, 60);
    expect(series.length).toBeGreaterThanOrEqual(sloIds.length);
    for (const s of series) expect(s.values.length, JSON.stringify(s.metric)).toBeGreaterThanOrEqual(59);
  });

  it('scrapes the live platform, whose series continue the backfilled ones', async () => {
    expect(await prom().query('up{job="simulator"} == 1')).toHaveLength(1);
    // Each scraped series has backfilled samples up to the history's end and scraped ones after
    // it: the same series, not a second one beside it. Counting both sides of the seam separately
    // does not depend on how long the set-up took.
    const metric = 'kubelet_pod_start_sli_duration_seconds_count';
    const end = prom().historyEndSec;
    const nowSec = Math.floor(Date.now() / 1000);
    const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort());
    const before = await prom().query(`count_over_time(${metric}[10m] @ ${end})`);
    // One second short of the seam: Prometheus 2 ranges include both ends, and the last backfilled
    // sample sits exactly at the history's end.
    const after = await prom().query(`count_over_time(${metric}[${nowSec - end - 1}s] @ ${nowSec})`);
    expect(before.length).toBeGreaterThan(0);
    expect(after.map((s) => key(s.metric)).sort()).toEqual(before.map((s) => key(s.metric)).sort());
    for (const c of values(before)) expect(c).toBeGreaterThanOrEqual(5);
    for (const c of values(after)) expect(c).toBeGreaterThanOrEqual(1);
  });
});

describe('the loaded Prometheus helper', () => {
  const prom = () => loaded.get(SCENARIOS[0]!)!;

  it("throws Prometheus' own error message for a bad query", async () => {
    await expect(prom().query('sum(rate(')).rejects.toThrow(/bad_data.*parse error[\s\S]*query: sum\(rate\(/);
    await expect(prom().queryRange('up', 10, 0, 60)).rejects.toThrow(/end timestamp must not be before start time/);
  });

  it('refuses to return early when only the base counts have history', async () => {
    await expect(startLoadedPrometheus({ ruleFiles, backfill: 'base', waitFor: 'fast-groups' })).rejects.toThrow(/fast-groups' needs backfill 'all'/);
  });

  it('stops Prometheus and removes its scratch dir', async () => {
    await prom().stop();
    await expect(fetch(`${prom().url}/-/ready`)).rejects.toThrow();
    expect(existsSync(prom().dir)).toBe(false);
  });
});
