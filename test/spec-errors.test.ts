import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../src/spec/errors.js';
import { loadSlos } from '../src/spec/load.js';
import { scratchDir } from './helpers/promtool.js';

const dir = scratchDir('spec-');
let n = 0;

function load(yaml: string) {
  const file = join(dir, `case-${n++}.yaml`);
  writeFileSync(file, yaml);
  const r = loadSlos([file]);
  return { ...r, text: r.problems.map(formatProblem).join('\n'), errors: r.problems.filter((p) => p.severity === 'error') };
}

const valid = (spec: string, meta = 'name: ok') => `apiVersion: slo.caas.dev/v1
kind: SLO
metadata:
  ${meta}
spec:
  service: web
${spec}`;

const SLI = `  sli:
    events:
      bad: 'http_requests_total{code=~"5.."}'
      total: 'http_requests_total'`;

describe('loading SLO files', () => {
  it('accepts a complete native SLO', () => {
    const r = load(valid(`  objective: 99.9\n${SLI}`));
    expect(r.errors).toEqual([]);
    expect(r.slos[0]).toMatchObject({ id: 'web-ok', objective: 0.999, errorBudget: 0.001, window: 30 * 86400_000 });
  });

  it('skips a Prometheus rule file found among the specs with a warning, not an error', () => {
    const r = load('groups:\n  - name: g\n    rules:\n      - record: x\n        expr: vector(1)\n');
    expect(r.errors).toEqual([]);
    expect(r.problems).toEqual([expect.objectContaining({ severity: 'warning', line: 1, message: expect.stringMatching(/Prometheus rule file .*skipped/) })]);
    expect(load('groups: []\nfoo: 1\n').errors.length + load('apiVersion: v1\ngroups: []\n').errors.length).toBe(2);
  });

  it('refuses an alert annotation name Prometheus cannot use, at its line', () => {
    const r = load(valid(`  objective: 99.9\n${SLI}\n  alerting:\n    annotations:\n      runbook-url: https://x`));
    expect(r.errors).toEqual([expect.objectContaining({ line: 14, field: 'spec.alerting.annotations.runbook-url', message: expect.stringContaining('not a valid name') })]);
  });

  it('reports broken YAML with its line and column', () => {
    const r = load('apiVersion: slo.caas.dev/v1\nkind: SLO\nmetadata: {name: x\nspec: []\n');
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.text).toMatch(/case-\d+\.yaml:\d+:\d+: error: invalid YAML/);
    expect(r.slos).toEqual([]);
  });

  it('refuses a YAML alias bomb instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const r = load(bomb.join('\n'));
    expect(r.text).toMatch(/alias/i);
    expect(r.errors).toHaveLength(1);
  });

  it('names an unknown field, its line, and the field it was probably meant to be', () => {
    const r = load(valid(`  objectiv: 99.9\n${SLI}`));
    const p = r.errors.find((e) => e.field === 'spec.objectiv')!;
    expect(p).toMatchObject({ line: 7, message: 'unknown field "objectiv"', hint: 'did you mean "objective"?' });
  });

  it.each([
    ['0', 'must be > 0'],
    ['100', 'must be < 100'],
    ['150', 'must be < 100'],
    ['"high"', 'must be a number'],
  ])('refuses objective %s with a message saying why', (value, message) => {
    const r = load(valid(`  objective: ${value}\n${SLI}`));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ field: 'spec.objective', line: 7 });
    expect(r.errors[0]!.message).toContain(message);
  });

  it('refuses a window it cannot parse, with an example of one it can', () => {
    const r = load(valid(`  objective: 99\n  window: 30 days\n${SLI}`));
    expect(r.errors[0]).toMatchObject({ field: 'spec.window', line: 8 });
    expect(r.errors[0]!.hint).toMatch(/28d/);
  });

  it('refuses an unknown catalog SLI and lists the ones that exist', () => {
    const r = load(valid(`  objective: 99\n  sli:\n    catalog: { name: pod-startup-latencyy }`));
    expect(r.errors[0]!.field).toBe('spec.sli.catalog.name');
    expect(r.errors[0]!.hint).toContain('"pod-startup-latency"');
  });

  it('refuses a latency threshold that is not a bucket bound, naming the nearest bounds', () => {
    const r = load(valid(`  objective: 99\n  sli:\n    catalog: { name: pod-startup-latency, params: { threshold: 7 } }`));
    expect(r.errors[0]).toMatchObject({ field: 'spec.sli.catalog.params.threshold' });
    expect(r.errors[0]!.hint).toMatch(/6 or 8/);
  });

  it('reports unknown catalog parameters', () => {
    const r = load(valid(`  objective: 99\n  sli:\n    catalog: { name: scheduler-latency, params: { treshold: 1.28 } }`));
    expect(r.errors[0]!.message).toBe('unknown parameter "treshold"');
  });

  it('parses PromQL and points at the broken query', () => {
    const r = load(valid(`  objective: 99\n  sli:\n    events:\n      bad: { promql: 'sum(rate(x{code="5"}[{{.window}}])' }\n      total: { promql: 'sum(rate(x[{{.window}}]))' }`));
    expect(r.errors[0]).toMatchObject({ field: 'spec.sli.events.bad', line: 10 });
    expect(r.errors[0]!.message).toMatch(/PromQL syntax error/);
  });

  it('requires the {{.window}} placeholder in per-window queries', () => {
    const r = load(valid(`  objective: 99\n  sli:\n    errorRatio: { promql: 'avg(x)' }`));
    expect(r.errors[0]!.message).toMatch(/no \{\{\.window\}\} placeholder/);
  });

  it('refuses a selector that is really an expression', () => {
    const r = load(valid(`  objective: 99\n  sli:\n    events:\n      bad: 'rate(x[5m])'\n      total: 'x'`));
    expect(r.errors[0]!.message).toMatch(/not a plain selector/);
  });

  it('catches the same SLO defined twice, with both places', () => {
    const doc = valid(`  objective: 99.9\n${SLI}`);
    const r = load(`${doc}\n---\n${doc}`);
    expect(r.errors[0]!.message).toMatch(/duplicate SLO "web-ok": already defined at .*:1/);
  });

  it('refuses label names that would break PromQL, and keeps hostile label values as data', () => {
    const bad = load(valid(`  objective: 99\n${SLI}`, 'name: ok\n  labels: { "bad-name": x }'));
    expect(bad.errors[0]!.field).toBe('metadata.labels.bad-name');
    const hostile = load(valid(`  objective: 99\n${SLI}`, 'name: ok\n  labels: { team: "a\\"b} or vector(1)" }'));
    expect(hostile.errors).toEqual([]);
    expect(hostile.slos[0]!.labels.team).toBe('a"b} or vector(1)');
  });

  it('refuses a document of an unknown kind, listing the supported ones', () => {
    const r = load('apiVersion: v1\nkind: ConfigMap\n');
    expect(r.errors[0]!.hint).toMatch(/slo\.caas\.dev\/v1.*prometheus\/v1.*PrometheusServiceLevel/);
  });

  it('refuses an alert window that does not divide into base windows', () => {
    const r = load(valid(`  objective: 99\n${SLI}\n  alerting:\n    tiers:\n      page-fast: { longWindow: 56m, shortWindow: 4m }`));
    expect(r.errors.map((e) => e.message).join()).toMatch(/56m is not a multiple of the 5m base window/);
  });

  it('warns when a tier can never fire because its threshold is over 100% errors', () => {
    const r = load(valid(`  objective: 90\n${SLI}`));
    expect(r.errors).toEqual([]);
    expect(r.problems.find((p) => p.severity === 'warning')!.message).toMatch(/page-fast can never fire/);
  });

  it('refuses Sloth SLI plugins with the reason and the line of the plugin', () => {
    const r = loadSlos([new URL('../../shared/fixtures/sloth/in-plugin-getting-started.yml', import.meta.url).pathname]);
    expect(r.problems[0]).toMatchObject({ severity: 'error', field: 'slos[0].sli.plugin', line: 14 });
    expect(r.problems[0]!.message).toMatch(/Sloth SLI plugins are not supported/);
  });
});
