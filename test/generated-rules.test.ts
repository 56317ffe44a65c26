import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_OPTIONS, ruleOutputs } from '../src/rules/index.js';
import { loadSlos } from '../src/spec/load.js';
import { promtool, scratchDir, writeFiles } from './helpers/promtool.js';

const SLOTH = new URL('../../shared/fixtures/sloth/', import.meta.url).pathname;
const SLOTH_INPUTS = ['in-getting-started.yml', 'in-k8s-getting-started.yml', 'in-no-alerts.yml', 'in-openslo-getting-started.yml', 'in-raw-home-wifi.yml', 'test-in-base.yaml'];
const OPTS = { ...DEFAULT_RENDER_OPTIONS, prometheusRule: true, version: 'test' };

/** Each input set is generated into its own folder, as `slo generate --prometheus-rule` would. */
const SETS: Array<[string, string[]]> = [
  ['the example SLOs in slos/', ['slos']],
  ['a native SLO of every SLI kind', ['test/fixtures/native']],
  ...SLOTH_INPUTS.map((f): [string, string[]] => [`Sloth's ${f}`, [join(SLOTH, f)]]),
];

function generate(paths: string[]) {
  const loaded = loadSlos(paths);
  expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
  expect(loaded.slos.length).toBeGreaterThan(0);
  return { slos: loaded.slos, files: ruleOutputs(loaded.slos, OPTS) };
}

describe.each(SETS)('rules generated for %s', (_name, paths) => {
  const { slos, files } = generate(paths);
  const dir = scratchDir('rules-');
  writeFiles(dir, Object.fromEntries(files));
  const ruleFiles = [...files.keys()].filter((f) => f.endsWith('.rules.yaml'));
  const testFiles = [...files.keys()].filter((f) => f.endsWith('.test.yaml'));

  it('pass promtool check rules', () => {
    const r = promtool(['check', 'rules', ...ruleFiles], dir);
    expect(r.output).not.toMatch(/FAILED/);
    expect(r.ok, r.output).toBe(true);
    expect(r.output.match(/SUCCESS/g)?.length).toBe(ruleFiles.length);
  });

  it('pass their own promtool unit tests', () => {
    expect(testFiles).toHaveLength(slos.length);
    const r = promtool(['test', 'rules', ...testFiles], dir);
    expect(r.ok, r.output).toBe(true);
    expect(r.output.match(/SUCCESS/g)?.length).toBe(testFiles.length);
  });

  it('come out byte for byte the same when generated again', () => {
    const again = generate(paths).files;
    expect([...again.entries()]).toEqual([...files.entries()]);
  });

  it('as PrometheusRule manifests hold the same groups', () => {
    const manifests = [...files.keys()].filter((f) => f.endsWith('.prometheusrule.yaml'));
    expect(manifests).toHaveLength(slos.length);
    for (const m of manifests) expect(files.get(m)).toMatch(/kind: PrometheusRule/);
  });
});

describe('the generated promtool tests', () => {
  it('fail when a rule pages at the wrong threshold', () => {
    const { files } = generate([join(SLOTH, 'in-getting-started.yml')]);
    const dir = scratchDir('mutant-');
    const rules = [...files.keys()].find((f) => f.endsWith('.rules.yaml'))!;
    const mutated = new Map(files);
    mutated.set(rules, files.get(rules)!.replace(/> 14\.4\)/g, '> 40)'));
    writeFiles(dir, Object.fromEntries(mutated));
    const r = promtool(['test', 'rules', rules.replace('.rules.yaml', '.test.yaml')], dir);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/slo_tier="page-fast"/);
  });

  it('cover a fast burn, a slow burn, a quiet burn and a recovery for an SLO with all tiers', () => {
    const { files } = generate(['slos/control-plane-availability.yaml']);
    const test = [...files.entries()].find(([f]) => f.endsWith('.test.yaml'))![1];
    expect(test).toMatch(/name: a fast burn \(.*x\) pages/);
    expect(test).toMatch(/name: a slow burn \(.*x\) opens a ticket but does not page/);
    expect(test).toMatch(/name: a burn of .*x, below every threshold, stays silent/);
    expect(test).toMatch(/name: a page resolves once the burn stops/);
  });
});

describe('the committed alert-rules/', () => {
  it('holds exactly what generating slos/ produces', () => {
    const { files } = generate(['slos']);
    const committed = readdirSync('alert-rules').filter((f) => f.endsWith('.yaml')).sort();
    expect(committed).toEqual([...files.keys()].filter((f) => !f.endsWith('.prometheusrule.yaml')).sort());
  });
});
