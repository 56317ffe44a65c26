import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from './helpers/promtool.js';

const SLO = join(process.cwd(), 'bin', 'slo');
/** slos/ holds one SLO per file, besides Maintenance documents. */
const SLO_COUNT = readdirSync('slos').filter((f) => f.endsWith('.yaml') && /^kind: SLO$/m.test(readFileSync(join('slos', f), 'utf8'))).length;
const SERVICES = new Set(readdirSync('slos').map((f) => /service: (\S+)/.exec(readFileSync(join('slos', f), 'utf8'))?.[1])).size;

function slo(args: string[], cwd: string) {
  const r = spawnSync(SLO, args, { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function project(): string {
  const dir = scratchDir('cli-');
  cpSync('slos', join(dir, 'slos'), { recursive: true });
  cpSync('schema', join(dir, 'schema'), { recursive: true });
  return dir;
}

describe('the slo command', () => {
  it('validates slos/ by default', () => {
    const r = slo(['validate'], project());
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${SLO_COUNT} SLOs valid`);
  });

  it('generates rules, tests and dashboards, then --check passes until a spec changes', () => {
    const dir = project();
    expect(slo(['generate'], dir).code).toBe(0);
    expect(readdirSync(join(dir, 'alert-rules'))).toHaveLength(2 * SLO_COUNT);
    // A dashboard per service, three overviews and the provisioning file.
    expect(readdirSync(join(dir, 'dashboards'))).toHaveLength(SERVICES + 4);
    expect(slo(['generate', '--check'], dir).code).toBe(0);
    const spec = join(dir, 'slos', 'pod-startup-latency.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('objective: 99', 'objective: 99.5'));
    const check = slo(['generate', '--check'], dir);
    expect(check.code).toBe(1);
    expect(check.err).toMatch(/stale: {3}alert-rules\/kubelet-startup-latency\.rules\.yaml/);
    // The objective is drawn on the kubelet dashboard, so it is stale too.
    expect(check.err).toMatch(/stale: {3}dashboards\/slo-kubelet-[0-9a-f]{8}\.json/);
  });

  it('writes nothing when any spec is invalid, and says where the problem is', () => {
    const dir = project();
    expect(slo(['generate'], dir).code).toBe(0);
    const before = readFileSync(join(dir, 'alert-rules', 'kubelet-startup-latency.rules.yaml'), 'utf8');
    writeFileSync(join(dir, 'slos', 'pod-startup-latency.yaml'), readFileSync(join(dir, 'slos', 'pod-startup-latency.yaml'), 'utf8').replace('objective: 99', 'objective: 100'));
    writeFileSync(join(dir, 'slos', 'cost-per-request.yaml'), readFileSync(join(dir, 'slos', 'cost-per-request.yaml'), 'utf8').replace('objective: 95', 'objective: 90'));
    const r = slo(['generate'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/slos\/pod-startup-latency\.yaml:\d+:\d+: error: spec\.objective: 100 must be < 100/);
    expect(r.err).toMatch(/nothing was written/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(dir, 'alert-rules', 'kubelet-startup-latency.rules.yaml'), 'utf8')).toBe(before);
  });

  it('removes the outputs of an SLO that no longer exists, and only its own files', () => {
    const dir = project();
    slo(['generate'], dir);
    writeFileSync(join(dir, 'alert-rules', 'README.md'), 'ours');
    writeFileSync(join(dir, 'dashboards', 'hand-made.json'), '{"title": "ours", "tags": ["slo"]}');
    const shop = readdirSync(join(dir, 'dashboards')).find((f) => f.startsWith('slo-shop-'));
    expect(shop).toBeDefined();
    writeFileSync(join(dir, 'slos', 'cost-per-request.yaml'), '');
    const r = slo(['generate'], dir);
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'alert-rules')).sort()).not.toContain('shop-cost-per-request.rules.yaml');
    expect(readdirSync(join(dir, 'alert-rules'))).toContain('README.md');
    // The shop service has no SLO left, so its dashboard goes; a dashboard we did not write stays.
    expect(readdirSync(join(dir, 'dashboards'))).not.toContain(shop);
    expect(readdirSync(join(dir, 'dashboards'))).toContain('hand-made.json');
  });

  it('writes to --rules-dir, with PrometheusRule manifests on request and extra labels everywhere', () => {
    const dir = project();
    const r = slo(['generate', '--rules-dir', 'out', '--prometheus-rule', '-l', 'cluster_set=prod', '--grafana-url', 'https://grafana.example'], dir);
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, 'out'));
    expect(files.filter((f) => f.endsWith('.prometheusrule.yaml'))).toHaveLength(SLO_COUNT);
    const rules = readFileSync(join(dir, 'out', 'kubelet-startup-latency.rules.yaml'), 'utf8');
    expect(rules).toMatch(/cluster_set: prod/);
    expect(rules).toMatch(/dashboard: https:\/\/grafana\.example\/d\//);
  });

  it('refuses bad flag values with a usage error, not a stack trace', () => {
    const r = slo(['generate', '--default-slo-period', 'a month'], project());
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/"a month" is not a duration/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('reports a missing path clearly', () => {
    const r = slo(['validate', 'nowhere'], project());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nowhere:1:1: error: no such file or folder/);
  });
});
