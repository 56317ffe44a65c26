import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { dashboardOutputs, PROVISIONING_FILE } from '../src/dashboards/index.js';
import { sloPanelId } from '../src/model/dashboard-ids.js';
import type { Slo } from '../src/model/slo.js';
import { checkPromql } from '../src/promql/parse.js';
import { SloQueries } from '../src/dashboards/slo-queries.js';
import { DEFAULT_RENDER_OPTIONS, ruleFile, ruleOutputs } from '../src/rules/index.js';
import { loadSlos } from '../src/spec/load.js';
import { interpolate, metricNames, queriesOf, variableValues, type Dashboard } from './helpers/dashboard-queries.js';
import { grafanaValidators, schemaName } from './helpers/grafana-schema.js';
import { sampleExpr, stepsToNotation } from './helpers/alert-timeline.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';

const SLOTH = new URL('../../shared/fixtures/sloth/', import.meta.url).pathname;
const SETS: Array<[string, string[]]> = [
  ['the example SLOs in slos/', ['slos']],
  ['a native SLO of every SLI kind', ['test/fixtures/native']],
  ['Sloth\'s getting-started and raw home-wifi specs', [join(SLOTH, 'in-getting-started.yml'), join(SLOTH, 'in-raw-home-wifi.yml')]],
  ['Sloth and native SLOs side by side', ['slos', join(SLOTH, 'in-getting-started.yml')]],
  ['SLOs whose service and names hold dots', ['test/fixtures/dashboards']],
];
const OPTS = { grafanaPath: '/var/lib/grafana/dashboards/slo-engine' };
const validators = grafanaValidators();

function load(paths: string[]): Slo[] {
  const r = loadSlos(paths);
  expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return r.slos;
}

function dashboardsOf(files: Map<string, string>): Dashboard[] {
  return [...files.entries()].filter(([f]) => f.endsWith('.json')).map(([, text]) => JSON.parse(text) as Dashboard);
}

/** Record names the rules produce, and the raw metric names their expressions read. */
function ruleMetrics(slos: Slo[]): { records: Set<string>; raw: Set<string> } {
  const records = new Set<string>();
  const raw = new Set<string>();
  for (const [name, text] of ruleOutputs(slos, { ...DEFAULT_RENDER_OPTIONS, prometheusRule: false, version: 'test' })) {
    if (!name.endsWith('.rules.yaml')) continue;
    const doc = parse(text) as { groups: Array<{ rules: Array<{ record?: string; expr: string }> }> };
    for (const r of doc.groups.flatMap((g) => g.rules)) {
      if (r.record) records.add(r.record);
      for (const m of metricNames(r.expr)) raw.add(m);
    }
  }
  for (const r of records) raw.delete(r);
  return { records, raw };
}

function sortedKeysEverywhere(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => sortedKeysEverywhere(v, `${path}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  const keys = Object.keys(value);
  // JavaScript (and so JSON.stringify) always lists integer-like keys first, in numeric order.
  const integer = (k: string) => /^(0|[1-9]\d*)$/.test(k);
  const expected = [...keys.filter(integer).sort((a, b) => Number(a) - Number(b)), ...keys.filter((k) => !integer(k)).sort()];
  const bad = keys.join() === expected.join() ? [] : [path];
  return [...bad, ...keys.flatMap((k) => sortedKeysEverywhere((value as Record<string, unknown>)[k], `${path}.${k}`))];
}

describe.each(SETS)('dashboards generated for %s', (_name, paths) => {
  const slos = load(paths);
  const files = dashboardOutputs(slos, OPTS);
  const dashboards = dashboardsOf(files);

  it('are one per service plus the executive, on-call and debug overviews', () => {
    expect(dashboards).toHaveLength(new Set(slos.map((s) => s.service)).size + 3);
    expect(dashboards.map((d) => d.title)).toEqual(expect.arrayContaining(['SLOs / Executive overview', 'SLOs / On-call', 'SLOs / Debug']));
  });

  it('validate against Grafana\'s dashboard JSON Schema, panel options and Prometheus query schemas', () => {
    expect(validators.opened.length).toBeLessThanOrEqual(2);
    for (const d of dashboards) {
      expect(validators.dashboard(d), `${d.uid}: ${JSON.stringify(validators.dashboard.errors?.slice(0, 3))}`).toBe(true);
      for (const p of d.panels) {
        if (p.type === 'row') continue;
        const options = validators.options.get(schemaName(p.type));
        expect(options, `no vendored schema for panel type ${p.type}`).toBeDefined();
        expect(options!(p.options), `${d.uid} panel ${p.id} options: ${JSON.stringify(options!.errors?.slice(0, 3))}`).toBe(true);
        const custom = p.fieldConfig?.defaults?.custom;
        const fc = validators.fieldConfig.get(schemaName(p.type));
        if (custom !== undefined && fc) expect(fc(custom), `${d.uid} panel ${p.id} fieldConfig: ${JSON.stringify(fc.errors?.slice(0, 3))}`).toBe(true);
        for (const t of p.targets ?? []) {
          expect(validators.prometheusQuery(t), `${d.uid} panel ${p.id} query ${t.refId}: ${JSON.stringify(validators.prometheusQuery.errors?.slice(0, 3))}`).toBe(true);
        }
      }
    }
  });

  it('have unique uids of at most 40 characters and unique panel ids inside each dashboard', () => {
    const uids = dashboards.map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid.length).toBeLessThanOrEqual(40);
    for (const d of dashboards) {
      const ids = d.panels.map((p) => p.id);
      expect(ids.every((id) => Number.isInteger(id) && id > 0 && id < 2 ** 31)).toBe(true);
      expect(new Set(ids).size, d.uid).toBe(ids.length);
    }
  });

  it('lay panels out on the 24-column grid without overlaps', () => {
    for (const d of dashboards) {
      const cells = new Set<string>();
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            expect(cells.has(`${x},${y}`), `${d.uid} panel ${p.id} overlaps at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    }
  });

  it('come out byte for byte the same when generated again, with keys sorted at every depth', () => {
    expect([...dashboardOutputs(load(paths), OPTS).entries()]).toEqual([...files.entries()]);
    for (const d of dashboards) expect(sortedKeysEverywhere(d), d.uid).toEqual([]);
  });

  it('query only metrics that the generated rules record or that the SLIs read, and valid PromQL', () => {
    const { records, raw } = ruleMetrics(slos);
    const known = new Set([...records, ...raw, 'ALERTS']);
    const unknown: string[] = [];
    let count = 0;
    for (const d of dashboards) {
      const vars = variableValues(d);
      for (const q of queriesOf(d)) {
        const expr = interpolate(q.expr, vars);
        expect(checkPromql(expr), `${d.uid} ${q.panel}: ${expr}`).toBeUndefined();
        for (const m of metricNames(expr)) {
          count++;
          if (!known.has(m)) unknown.push(`${d.uid} ${q.panel}: ${m}`);
        }
      }
    }
    expect(count).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });

  it('give every SLO a row whose panels select that SLO', () => {
    for (const slo of slos) {
      const d = dashboards.find((x) => x.panels.some((p) => p.id === sloPanelId(slo.id, 'row')))!;
      expect(d, slo.id).toBeDefined();
      const burn = d.panels.find((p) => p.id === sloPanelId(slo.id, 'burnRate'))!;
      expect(burn.targets!.length).toBeGreaterThan(0);
      for (const t of burn.targets!) expect(t.expr).toContain(`"${slo.id}"`);
    }
  });
});

describe('dashboard identity', () => {
  it('keeps every panel id of an SLO when another SLO of the same service is removed', () => {
    const all = load(['slos']);
    const kubelet = all.filter((s) => s.service === 'kubelet');
    expect(kubelet.length).toBeGreaterThan(1);
    const ids = (slos: Slo[]) => {
      const d = dashboardsOf(dashboardOutputs(slos, OPTS)).find((x) => x.title === 'SLOs / kubelet')!;
      return new Map(d.panels.map((p) => [p.id, p.title]));
    };
    const before = ids(kubelet);
    const after = ids(kubelet.slice(1));
    expect(after.size).toBeLessThan(before.size);
    for (const [id, title] of after) expect(before.get(id), `panel ${id}`).toBe(title);
  });

  it('links every alert to its service dashboard, its SLO and the panel that explains it', () => {
    const slos = load(['slos', 'test/fixtures/native']);
    const dashboards = dashboardsOf(dashboardOutputs(slos, OPTS));
    const rules = ruleOutputs(slos, { ...DEFAULT_RENDER_OPTIONS, prometheusRule: false, version: 'test' });
    let links = 0;
    for (const [name, text] of rules) {
      if (!name.endsWith('.rules.yaml')) continue;
      const doc = parse(text) as { groups: Array<{ rules: Array<{ alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }> }> };
      for (const r of doc.groups.flatMap((g) => g.rules).filter((x) => x.alert)) {
        for (const key of ['dashboard', 'panel']) {
          const url = new URL(r.annotations![key]!);
          const uid = /^\/d\/([^/]+)\//.exec(url.pathname)![1];
          const d = dashboards.find((x) => x.uid === uid);
          expect(d, `${r.alert} ${key} → ${url}`).toBeDefined();
          const slo = slos.find((s) => s.name === url.searchParams.get('var-slo') && s.service === url.searchParams.get('var-service'))!;
          expect(slo, url.toString()).toBeDefined();
          expect(variableValues(d!).slo!.values).toContain(slo.name);
          if (key === 'panel') {
            const panel = d!.panels.find((p) => p.id === Number(url.searchParams.get('viewPanel')));
            expect(panel, url.toString()).toBeDefined();
            expect(panel!.targets?.some((t) => t.expr.includes(`"${slo.id}"`)) ?? panel!.type === 'text').toBe(true);
          }
          links++;
        }
      }
    }
    expect(links).toBeGreaterThan(20);
  });

  it('writes a Grafana provisioning file that loads the folder the dashboards are mounted at', () => {
    const files = dashboardOutputs(load(['slos']), { grafanaPath: '/srv/grafana/slo' });
    const doc = parse(files.get(PROVISIONING_FILE)!) as { apiVersion: number; providers: Array<{ type: string; options: { path: string } }> };
    expect(doc.apiVersion).toBe(1);
    expect(doc.providers).toHaveLength(1);
    expect(doc.providers[0]!.type).toBe('file');
    expect(doc.providers[0]!.options.path).toBe('/srv/grafana/slo');
  });
});

describe('the error budget burn-down of a calendar SLO with a raw error-ratio SLI', () => {
  it('ends where the budget-left stat stands, part way through the period, in promtool', () => {
    const dir = scratchDir('dashboards-calendar-raw-');
    // promtool's time 0 is a Thursday: the UTC week began three days before, so the period is only partly over.
    writeFiles(dir, { 'slo.yaml': `apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: weekly }
spec:
  service: shop
  objective: 99
  calendar: { unit: week, timeZone: UTC }
  sli:
    errorRatio:
      promql: 'sum(rate(req_total{code="500"}[{{.window}}])) / sum(rate(req_total[{{.window}}]))'
` });
    const slo = load([join(dir, 'slo.yaml')])[0]!;
    writeFiles(dir, { 'rules.yaml': ruleFile(slo, DEFAULT_RENDER_OPTIONS, 'test') });
    // 2% errors for two hours, then 0.2%: the budget left is what the mean of the 5m ratios leaves.
    const input = [
      { series: 'req_total{code="200"}', values: stepsToNotation([{ minutes: 120, step: 98 }, { minutes: 360, step: 998 }]) },
      { series: 'req_total{code="500"}', values: stepsToNotation([{ minutes: 120, step: 2 }, { minutes: 360, step: 2 }]) },
    ];
    const minutes = [180, 470];
    const at = (expr: string) => {
      const run = sampleExpr(dir, 'burndown', ['rules.yaml'], input, expr, minutes);
      return minutes.map((m) => [...(run.samples.get(m)?.values() ?? [])][0]);
    };
    const q = new SloQueries(slo);
    const stat = at(q.budgetRemaining());
    const line = at(q.burndown());
    for (const [i, m] of minutes.entries()) {
      expect(stat[i], `stat at minute ${m}`).toBeLessThan(0.9);
      expect(line[i], `burn-down at minute ${m}`).toBeCloseTo(stat[i]!, 6);
    }
  }, 120_000);
});
