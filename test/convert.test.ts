/**
 * `slo convert`: every input set, read and written in each target format, reads back as the same
 * model, except for `source` and for what the writer said it could not hold; which model fields
 * each such report may change is named here, explicitly. Then the CLI: all formats side by side
 * in one folder, --strict and --out.
 *
 * Fixtures are read in place from ../shared/fixtures (never copied into the project).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writerFor, type SloWriter, type Target } from '../src/convert/index.js';
import { toNative } from '../src/convert/to-native.js';
import type { Millis } from '../src/model/duration.js';
import type { Slo } from '../src/model/slo.js';
import { ruleOutputs } from '../src/rules/index.js';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/types.js';
import { formatProblem } from '../src/spec/errors.js';
import { loadSlos } from '../src/spec/load.js';
import { promtool, scratchDir } from './helpers/promtool.js';

process.env.GAE_PROJECT_ID = 'gae-test-project';

const SHARED = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));
const fixture = (path: string) => join(SHARED, path);
const SLO_BIN = join(process.cwd(), 'bin', 'slo');

interface InputSet {
  name: string;
  paths: string[];
  /** The native format holds everything these inputs say. */
  nativeLossless?: boolean;
}

const INPUTS: InputSet[] = [
  { name: 'the example SLOs in slos/', paths: ['slos'], nativeLossless: true },
  { name: 'a native SLO of every SLI kind', paths: ['test/fixtures/native'], nativeLossless: true },
  ...['in-getting-started.yml', 'in-k8s-getting-started.yml', 'in-no-alerts.yml', 'in-openslo-getting-started.yml', 'in-raw-home-wifi.yml', 'test-in-base.yaml']
    .map((f) => ({ name: `Sloth's ${f}`, paths: [fixture(`sloth/${f}`)] })),
  { name: 'the slo-generator fixtures with their shared config', paths: [fixture('slo-generator')], nativeLossless: true },
  ...readdirSync(fixture('pyrra')).filter((f) => !f.startsWith('expected-')).map((f) => ({ name: `Pyrra's ${f}`, paths: [fixture(`pyrra/${f}`)] })),
  // oslo-test-v1-alert-policy-inline-cond.yaml holds only an AlertPolicy, no SLO.
  ...readdirSync(fixture('openslo')).filter((f) => !f.includes('alert-policy-inline')).map((f) => ({ name: `OpenSLO's ${f}`, paths: [fixture(`openslo/${f}`)], nativeLossless: !f.includes('v1alpha') })),
];

/**
 * What each kind of unsupported report may change in the model. A report no entry matches fails
 * the test: every loss a writer reports must be named here.
 */
const LOSS_FIELDS: Array<[RegExp, string[]]> = [
  [/: identity labels: /, ['convention']],
  [/ SLI: Sloth has only PromQL queries/, ['sli']],
  [/: good events: Sloth counts errors/, ['sli']],
  [/: catalog SLI [\w-]+: Sloth has no catalog/, ['catalog']],
  // Read back with --default-slo-period set to the SLO's window, so the window itself survives.
  [/ window: Sloth specs carry no window: generate with --default-slo-period/, []],
  // Only `source` (the PrometheusRule namespace) changes.
  [/: namespace [\w-]+: prometheus\/v1 specs have no namespace/, []],
  [/: the calendar window \(\w+\): Sloth windows roll/, ['calendar', 'window']],
  [/: maintenance windows( \([^)]*\))?: (Sloth|OpenSLO v1) has no maintenance/, ['maintenance']],
  [/: the no-data alert: Sloth has no no-data alert/, ['alerting.noData']],
  [/: the no-data alert's severity label /, ['alerting.noData']],
  [/: the budget-exhausted alert: Sloth has no/, ['alerting.budgetExhausted']],
  [/: minEvents: Sloth alerts have no minimum-events guard/, ['alerting.minEvents']],
  [/: the runbook URL: Sloth has no runbook field/, ['alerting.runbookUrl']],
  [/: tiers? [^:]+(: [^:]+)?: (Sloth|native)/, ['alerting.tiers']],
  [/: alert windows: Sloth has one alert-window catalog per SLO period/, ['alerting.tiers']],
  [/: the (page|ticket) tiers' labels and annotations: Sloth/, ['alerting.tiers']],
];

function load(paths: string[], slothPeriod?: Millis): Slo[] {
  const r = loadSlos(paths, { slothPeriod });
  const errors = r.problems.filter((p) => p.severity === 'error');
  expect(errors.map(formatProblem)).toEqual([]);
  return r.slos;
}

/** The model as compared: JSON's view (undefined fields vanish), without source and the named fields. */
function comparable(slo: Slo, drop: readonly string[]): unknown {
  const copy = JSON.parse(JSON.stringify({ ...slo, source: undefined })) as Record<string, unknown>;
  for (const path of drop) {
    const parts = path.split('.');
    let at: Record<string, unknown> | undefined = copy;
    for (const p of parts.slice(0, -1)) at = at?.[p] as Record<string, unknown> | undefined;
    if (at) delete at[parts[parts.length - 1]!];
  }
  return copy;
}

function fieldsOf(id: string, unsupported: readonly string[]): string[] {
  return unsupported
    // Writers name the SLO by its id, first in the sentence (`<id>: ...` or `SLO <id>: ...`).
    .filter((u) => u.startsWith(`${id}: `) || u.startsWith(`SLO ${id}: `))
    .flatMap((u) => {
      const hit = LOSS_FIELDS.find(([re]) => re.test(u));
      expect(hit, `a reported loss no entry of LOSS_FIELDS names: ${u}`).toBeDefined();
      return hit![1];
    });
}

const scratch = scratchDir('convert-');
let n = 0;

/** load(write(load(X))) per writer; the Sloth output is read back with each SLO's window as the period, as Sloth would be run. */
function roundTrip(write: SloWriter, target: Target, slos: Slo[]) {
  const groups = target === 'sloth' ? [...new Set(slos.map((s) => s.window))].map((w) => slos.filter((s) => s.window === w)) : [slos];
  const unsupported: string[] = [];
  const back: Slo[] = [];
  for (const group of groups) {
    const out = write(group);
    unsupported.push(...out.unsupported);
    const file = join(scratch, `${target}-${n++}.yaml`);
    writeFileSync(file, out.yaml);
    back.push(...load([file], group[0]!.window));
  }
  return { unsupported, back };
}

const TARGETS: Target[] = ['native', 'sloth', 'openslo'];

for (const target of TARGETS) {
  const write = writerFor(target);
  describe(`converting to ${target}`, () => {
    describe.each(INPUTS)('$name', (input) => {
      it('reads back as the same model, except for source and the reported losses', () => {
        const slos = load(input.paths);
        expect(slos.length).toBeGreaterThan(0);
        const { unsupported, back } = roundTrip(write, target, slos);
        const byId = new Map(back.map((s) => [s.id, s]));
        for (const slo of slos) {
          const again = byId.get(slo.id);
          expect(again, `${slo.id} did not come back; losses: ${unsupported.join('\n')}`).toBeDefined();
          const drop = fieldsOf(slo.id, unsupported);
          expect(comparable(again!, drop), `${slo.id} (dropped: ${drop.join(', ') || 'nothing'})`).toEqual(comparable(slo, drop));
        }
        expect(back).toHaveLength(slos.length);
        if (target === 'native' && input.nativeLossless) expect(unsupported).toEqual([]);
      });

      it('writes the same bytes every time', () => {
        const slos = load(input.paths);
        expect(write(slos).yaml).toBe(write(load(input.paths)).yaml);
      });

      it('writes the same bytes whatever order the SLOs come in', () => {
        const slos = load(input.paths);
        expect(write([...slos].reverse()).yaml).toBe(write(slos).yaml);
      });
    });
  });
}

describe('SLOs in native convention converted to native', () => {
  it('generate byte-identical rules, promtool tests and PrometheusRule manifests', () => {
    const slos = load(['slos', 'test/fixtures/native', fixture('slo-generator')]);
    const { back, unsupported } = roundTrip(toNative, 'native', slos);
    expect(unsupported).toEqual([]);
    const opts = { ...DEFAULT_RENDER_OPTIONS, prometheusRule: true, version: 'test' };
    expect([...ruleOutputs(back, opts)]).toEqual([...ruleOutputs(slos, opts)]);
  });
});

/** Every format side by side in one folder outside the project, with the slo-generator shared config. */
function mixedFolder(): { dir: string; expected: number } {
  const dir = mkdtempSync(join(tmpdir(), 'slo-mixed-'));
  const files = [
    ...readdirSync('slos').map((f) => join('slos', f)),
    fixture('sloth/in-getting-started.yml'),
    fixture('sloth/in-raw-home-wifi.yml'),
    fixture('openslo/occurences-slo.yaml'),
    fixture('openslo/timeslices-slo.yaml'),
    fixture('openslo/oslo-test-v1alpha-valid-slos-ratio.yaml'),
    fixture('pyrra/prometheus-http.yaml'),
    ...readdirSync(fixture('slo-generator')).filter((f) => f.endsWith('.yaml')).map((f) => fixture(`slo-generator/${f}`)),
  ];
  files.forEach((f, i) => copyFileSync(f, join(dir, `${String(i).padStart(2, '0')}-${basename(f)}`)));
  // slo-generator configs load only with their shared config, so that folder counts as one.
  const alone = files.filter((f) => !f.startsWith('slos') && !f.includes('slo-generator'));
  const expected = [['slos'], [fixture('slo-generator')], ...alone.map((f) => [f])].reduce((sum, paths) => sum + load(paths).length, 0);
  return { dir, expected };
}

function slo(args: string[], cwd = process.cwd()) {
  const r = spawnSync(SLO_BIN, args, { cwd, encoding: 'utf8', env: { ...process.env, GAE_PROJECT_ID: 'gae-test-project' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the slo command with every format side by side in one folder', () => {
  const { dir, expected } = mixedFolder();

  it('validates native, Sloth, OpenSLO, Pyrra and slo-generator files (with its shared config) together', () => {
    const r = slo(['validate', dir]);
    expect(r.err).not.toMatch(/: error: /);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${expected} SLOs valid`);
  });

  it('generates rules for all of them that pass promtool check rules', () => {
    const out = mkdtempSync(join(tmpdir(), 'slo-mixed-out-'));
    const r = slo(['generate', '--rules-dir', join(out, 'rules'), '--dashboards-dir', join(out, 'dashboards'), dir]);
    expect(r.code, r.err).toBe(0);
    const rules = readdirSync(join(out, 'rules')).filter((f) => f.endsWith('.rules.yaml'));
    expect(rules).toHaveLength(expected);
    const check = promtool(['check', 'rules', ...rules], join(out, 'rules'));
    expect(check.ok, check.output).toBe(true);
  });

  it('converts the whole folder to native, and the result validates with the same SLO count', () => {
    const out = mkdtempSync(join(tmpdir(), 'slo-mixed-native-'));
    const r = slo(['convert', '--to', 'native', '--out', out, dir]);
    expect(r.code, r.err).toBe(0);
    expect(slo(['validate', out]).out).toContain(`${expected} SLOs valid`);
  });

  it('converts the whole folder to OpenSLO, and the result validates although two services name an SLO alike', () => {
    // slos/ and Sloth's getting-started example both have an SLO named requests-availability.
    const out = mkdtempSync(join(tmpdir(), 'slo-mixed-openslo-'));
    const r = slo(['convert', '--to', 'openslo', '--out', out, dir]);
    expect(r.code, r.err).toBe(0);
    const back = slo(['validate', out]);
    expect(back.err).not.toMatch(/: error: /);
    expect(back.out).toContain(`${expected} SLOs valid`);
  });
});

describe('slo convert', () => {
  const gen = fixture('slo-generator');

  it('prints every feature the target cannot hold on stderr, and --strict makes that exit 1', () => {
    const loose = slo(['convert', '--to', 'sloth', gen]);
    expect(loose.code).toBe(0);
    expect(loose.out).toMatch(/^version: prometheus\/v1$/m);
    const lines = loose.err.split('\n').filter((l) => l.startsWith('unsupported: '));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((l) => /prom-metrics-availability: the 28d window: .*--default-slo-period 28d/.test(l))).toBe(true);
    const strict = slo(['convert', '--to', 'sloth', '--strict', gen]);
    expect(strict.code).toBe(1);
    expect(strict.out).toBe(loose.out);
  });

  it('--strict exits 0 when the target holds everything', () => {
    const r = slo(['convert', '--to', 'native', '--strict', gen]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toMatch(/unsupported/);
    const file = join(scratch, 'strict-native.yaml');
    writeFileSync(file, r.out);
    expect(load([file]).map((s) => s.id).sort()).toEqual(load([gen]).map((s) => s.id).sort());
  });

  it('--out writes one file per input file, named after it', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'slo-convert-')), 'native');
    const r = slo(['convert', '--to', 'native', '--out', out, 'slos', fixture('sloth/in-getting-started.yml')]);
    expect(r.code, r.err).toBe(0);
    const names = readdirSync(out).sort();
    expect(names).toContain('in-getting-started.yaml');
    // maintenance.yaml holds no SLO; its window travels with the SLO it names.
    expect(names).toEqual([...readdirSync('slos').filter((f) => f !== 'maintenance.yaml'), 'in-getting-started.yml'].map((f) => f.replace(/\.ya?ml$/, '.yaml')).sort());
    expect(existsSync(join(out, 'maintenance.yaml'))).toBe(false);
  });

  it('--out writes a Maintenance window of SLOs from two files once, so that the folder validates and keeps it', () => {
    const input = mkdtempSync(join(tmpdir(), 'slo-convert-split-'));
    const sloText = (name: string) =>
      `apiVersion: slo.caas.dev/v1\nkind: SLO\nmetadata: { name: ${name} }\nspec:\n  service: web\n  objective: 99.9\n  sli:\n    events:\n` +
      `      bad: http_requests_total{job="${name}",code=~"5.."}\n      total: http_requests_total{job="${name}"}\n`;
    writeFileSync(join(input, 'a.yaml'), sloText('slo-a'));
    writeFileSync(join(input, 'b.yaml'), sloText('slo-b'));
    writeFileSync(join(input, 'upgrades.yaml'), 'apiVersion: slo.caas.dev/v1\nkind: Maintenance\nmetadata: { name: upgrades }\nspec:\n  service: web\n' +
      '  timeZone: Europe/Berlin\n  excludeFromBudget: true\n  recurring: [{ weekdays: [sun], start: "02:00", duration: 2h }]\n');
    const out = join(input, 'out');
    const inputs = ['a.yaml', 'b.yaml', 'upgrades.yaml'].map((f) => join(input, f));
    const r = slo(['convert', '--to', 'native', '--out', out, ...inputs]);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['a.yaml', 'b.yaml', 'maintenance.yaml']);
    const back = slo(['validate', out]);
    expect(back.err).not.toMatch(/: error: /);
    expect(back.out).toContain('2 SLOs valid');
    const windows = (paths: string[]) => load(paths).map((s) => [s.id, s.maintenance]).sort();
    expect(windows([out])).toEqual(windows(inputs));
  });

  it('refuses an invalid input without writing, and says where the problem is', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'slo-convert-bad-')), 'bad.yaml');
    mkdirSync(join(bad, '..'), { recursive: true });
    writeFileSync(bad, readFileSync('slos/pod-startup-latency.yaml', 'utf8').replace('objective: 99', 'objective: 100'));
    const r = slo(['convert', '--to', 'native', bad]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/bad\.yaml:\d+:\d+: error: spec\.objective/);
  });
});
