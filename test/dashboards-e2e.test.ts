import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardOutputs } from '../src/dashboards/index.js';
import { parseDuration } from '../src/model/duration.js';
import { DEFAULT_RENDER_OPTIONS, ruleOutputs } from '../src/rules/index.js';
import { loadSlos } from '../src/spec/load.js';
import { reportFromPrometheus } from '../src/report/from-prometheus.js';
import { formatText } from '../src/report/format.js';
import { interpolate, queriesOf, variableValues, type Dashboard } from './helpers/dashboard-queries.js';
import { startLoadedPrometheus, type LoadedPrometheus } from './helpers/prometheus.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';

/**
 * The dashboards of slos/ against a real Prometheus that runs the generated rules over simulated
 * platform series, with some SLIs burning so that alerts fire: every panel and annotation query,
 * variables filled in as Grafana would, must succeed and return data.
 */
const loaded = loadSlos(['slos']);
const slos = loaded.slos;
const rules = ruleOutputs(slos, { ...DEFAULT_RENDER_OPTIONS, prometheusRule: false, version: 'e2e' });
const dashboards = [...dashboardOutputs(slos, { grafanaPath: '/unused' }).entries()]
  .filter(([f]) => f.endsWith('.json'))
  .map(([, text]) => JSON.parse(text) as Dashboard);

let prom: LoadedPrometheus;

beforeAll(async () => {
  const dir = scratchDir('dashboards-e2e-');
  writeFiles(dir, Object.fromEntries(rules));
  const ruleFiles = [...rules.keys()].filter((f) => f.endsWith('.rules.yaml')).map((f) => join(dir, f));
  prom = await startLoadedPrometheus({
    ruleFiles,
    // Pod startups burn the 99% budget 30x (pages), evictions break their ceiling; the rest is healthy.
    faults: { podStartSlow: 0.3, evictionsPer1000PodsPerHour: 20 },
  });
}, 600_000);

afterAll(async () => {
  await prom?.stop();
});

describe('every generated dashboard on a real Prometheus', () => {
  it('loads slos/ without problems', () => {
    expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(dashboards.length).toBeGreaterThan(3);
  });

  it('answers every panel query with data, and every annotation query without error', async () => {
    const now = Math.floor(Date.now() / 1000);
    const failures: string[] = [];
    let ran = 0;
    for (const d of dashboards) {
      const vars = variableValues(d);
      for (const q of queriesOf(d)) {
        const expr = interpolate(q.expr, vars);
        const range = q.timeFrom ? parseDuration(q.timeFrom)! / 1000 : 3600;
        const where = `${d.title} / ${q.panel}`;
        try {
          const result = q.instant ? await prom.query(expr, now) : await prom.queryRange(expr, now - range, now, Math.max(60, Math.ceil(range / 250)));
          ran++;
          // An annotation of firing alerts is rightly empty on a dashboard whose SLOs all hold;
          // the on-call overview's, which spans every SLO, is checked for data below.
          if (!result.length && q.panelId !== 0) failures.push(`${where}: no data\n    ${expr.replace(/\n/g, '\n    ')}`);
        } catch (e) {
          failures.push(`${where}: ${(e as Error).message}\n    ${expr.replace(/\n/g, '\n    ')}`);
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(ran).toBeGreaterThan(50);
  }, 300_000);

  it('draws the burning SLO\'s alert as an annotation on the on-call overview', async () => {
    const oncall = dashboards.find((d) => d.title === 'SLOs / On-call')!;
    const annotation = queriesOf(oncall).find((q) => q.panelId === 0)!;
    const now = Math.floor(Date.now() / 1000);
    const series = await prom.queryRange(interpolate(annotation.expr, variableValues(oncall)), now - 3600, now, 60);
    expect(series.map((s) => s.metric.slo_id)).toContain('kubelet-startup-latency');
  });

  it('accepts every query of dashboards whose SLO names need regex escaping', async () => {
    // No data exists for these SLOs; Prometheus must still parse every query (escapes included).
    const dotted = loadSlos(['test/fixtures/dashboards']).slos;
    const files = dashboardOutputs(dotted, { grafanaPath: '/unused' });
    const failures: string[] = [];
    for (const [name, text] of files) {
      if (!name.endsWith('.json')) continue;
      const d = JSON.parse(text) as Dashboard;
      for (const q of queriesOf(d)) {
        const expr = interpolate(q.expr, variableValues(d));
        await prom.query(expr).catch((e: Error) => failures.push(`${d.title} / ${q.panel}: ${e.message}`));
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('shows the burning SLO paging and the healthy ones silent', async () => {
    const firing = await prom.query('ALERTS{alertstate="firing", slo_tier!=""}');
    const ids = new Set(firing.map((s) => s.metric.slo_id));
    expect(ids.has('kubelet-startup-latency')).toBe(true);
    expect(ids.has('kube-apiserver-requests-availability')).toBe(false);
  });

  it('gives the review report straight from Prometheus: every SLO and group, the budget the rules record, the burning SLO first', async () => {
    const report = await reportFromPrometheus(prom.url, slos);
    const budgets = await prom.query('slo:period_error_budget_remaining:ratio');
    expect(report.rows).toHaveLength(budgets.length);
    for (const b of budgets) {
      const slo = slos.find((x) => x.id === b.metric.slo_id)!;
      const row = report.rows.find((r) => r.service === slo.service && r.name === slo.name && (!b.metric.cluster || r.group.includes(`cluster=${b.metric.cluster}`)));
      expect(row?.budgetRemaining, b.metric.slo_id).toBeCloseTo(Number(b.value[1]), 6);
    }
    // Firing SLOs come first; the burning one is among them, above every SLO that fires nothing.
    const firstQuiet = report.rows.findIndex((r) => r.firing.length === 0);
    const burning = report.rows.findIndex((r) => r.service === 'kubelet' && r.name === 'startup-latency');
    expect(report.rows[burning]?.status).toBe('burning');
    expect(burning).toBeLessThan(firstQuiet);
    expect(formatText(report)).toContain('kubelet/startup-latency');
  });
});
