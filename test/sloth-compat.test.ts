/**
 * Sloth compatibility, checked by behaviour rather than by text: our rules and
 * the rules Sloth itself generated for the same example are both run through
 * real promtool over the same synthetic series, and the alerts they fire are
 * compared minute by minute.
 *
 * Fixtures are read in place from ../shared/fixtures/sloth (never copied).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { ruleFile } from '../src/rules/rule-file.js';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/types.js';
import { loadSlos } from '../src/spec/load.js';
import {
  alertTimeline,
  exactErrorRatio,
  expectExpr,
  fmtMinute,
  fmtTimeline,
  gauge,
  httpCounters,
  sampleExpr,
  scenarioMinutes,
  toTimeline,
  type InputSeries,
  type Interval,
  type Phase,
  type Timeline,
} from './helpers/alert-timeline.js';
import { promtool, scratchDir, writeFiles } from './helpers/promtool.js';

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/sloth/', import.meta.url));
const fixture = (name: string) => FIXTURES + name;

/**
 * Our long windows are sums of 5-minute increases aligned on 5-minute
 * boundaries, so at time t they cover up to floor5m(t) instead of t: our
 * alerts may start or stop up to one base window after Sloth's, never more.
 */
const BASE_WINDOW_MINUTES = 5;
const TIMEOUT = 60_000;

/** Our rule file for every SLO in a spec file; the spec must load cleanly. */
function ourRules(specFile: string): string[] {
  const { slos, problems } = loadSlos([specFile]);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  expect(slos.length).toBeGreaterThan(0);
  return slos.map((slo) => ruleFile(slo, DEFAULT_RENDER_OPTIONS, 'test'));
}

/** Sloth's output as a plain `groups:` rule file (a PrometheusRule manifest contributes its spec.groups). */
function slothRules(outFile: string): string {
  const docs = parseAllDocuments(readFileSync(outFile, 'utf8')).map((d) => d.toJS() as Record<string, unknown> | null);
  const groups = docs.flatMap((d) => {
    if (!d) return [];
    if (d.kind === 'PrometheusRule') return ((d.spec as { groups?: unknown[] }).groups ?? []);
    return (d.groups as unknown[] | undefined) ?? [];
  });
  expect(groups.length).toBeGreaterThan(0);
  return stringify({ groups });
}

/**
 * The scenario, in multiples of the error budget: healthy, a fast burn (50x,
 * over the 14.4x page threshold of the 5m/1h pair), a recovery long enough for
 * the fast burn to leave every window but 1d/3d (6h+), a slow burn at 2.5x
 * (over the 1x of the 6h/3d ticket pair, under the 3x of 2h/1d and the page
 * tiers; the 6h window crosses 1x after 2.4h of it), then recovery.
 */
interface BurnPhase {
  name: string;
  minutes: number;
  burn: number;
}
const HTTP_SCENARIO: BurnPhase[] = [
  { name: 'healthy', minutes: 60, burn: 0 },
  { name: 'fast burn', minutes: 20, burn: 50 },
  { name: 'recovery', minutes: 400, burn: 0 },
  { name: 'slow burn', minutes: 240, burn: 2.5 },
  { name: 'recovery', minutes: 240, burn: 0 },
];
/**
 * The raw wifi SLI is an average of a gauge, so a fast burn needs the error
 * ratio itself to reach 14.4 x 5% = 72% over the hour: 19x (95% error) for a
 * full hour does it.
 */
const WIFI_SCENARIO: BurnPhase[] = [
  { name: 'healthy', minutes: 60, burn: 0 },
  { name: 'fast burn', minutes: 60, burn: 19 },
  { name: 'recovery', minutes: 400, burn: 0 },
  { name: 'slow burn', minutes: 240, burn: 2.5 },
  { name: 'recovery', minutes: 240, burn: 0 },
];

function httpInput(job: string, budget: number, scenario: BurnPhase[]): { input: InputSeries[]; minutes: number } {
  const phases: Phase[] = scenario.map((p) => ({ name: p.name, minutes: p.minutes, total: 1000, errorRatio: p.burn * budget }));
  return { input: httpCounters(job, phases), minutes: scenarioMinutes(phases) };
}

function wifiInput(budget: number, scenario: BurnPhase[]): { input: InputSeries[]; minutes: number } {
  return {
    input: [gauge('unifipoller_client_satisfaction_ratio{name="laptop"}', scenario.map((p) => ({ minutes: p.minutes, value: 1 - p.burn * budget })))],
    minutes: scenario.reduce((s, p) => s + p.minutes, 0),
  };
}

/**
 * The burn signal of each window, one threshold per window as the default
 * policy uses it, so SLOs without alerts are compared too.
 */
function windowSignalsExpr(budget: number): string {
  const thresholds: Array<[string, number]> = [['5m', 14.4], ['1h', 14.4], ['30m', 6], ['2h', 3], ['1d', 3], ['6h', 1], ['3d', 1]];
  return thresholds.map(([w, k]) => `count by (sloth_window) (slo:sli_error:ratio_rate${w} > ${k * budget})`).join(' or ');
}

function compareTimelines(what: string, sloth: Timeline, ours: Timeline, keys: string[]): void {
  const report = `${what}\nSloth:\n${fmtTimeline(sloth)}\nours:\n${fmtTimeline(ours)}`;
  if (process.env.SLOTH_COMPAT_VERBOSE) console.log(report);
  for (const k of keys) {
    const s: Interval[] = sloth[k] ?? [];
    const o: Interval[] = ours[k] ?? [];
    expect(o.length, `${k}: number of firing intervals\n${report}`).toBe(s.length);
    s.forEach((si, i) => {
      const oi = o[i]!;
      expect(Math.abs(oi.start - si.start), `${k} interval ${i} start: Sloth ${fmtMinute(si.start)}, ours ${fmtMinute(oi.start)}\n${report}`).toBeLessThanOrEqual(BASE_WINDOW_MINUTES);
      expect(Math.abs(oi.end - si.end), `${k} interval ${i} end: Sloth ${fmtMinute(si.end)}, ours ${fmtMinute(oi.end)}\n${report}`).toBeLessThanOrEqual(BASE_WINDOW_MINUTES);
    });
  }
  // Nothing fires in one rule set under a label set the other never uses.
  expect(Object.keys(ours).sort(), report).toEqual(Object.keys(sloth).sort());
}

interface Example {
  input: string;
  output: string;
  budget: number;
  alerts: boolean;
  series: (budget: number) => { input: InputSeries[]; minutes: number };
}

const EXAMPLES: Example[] = [
  { input: 'in-getting-started.yml', output: 'out-getting-started.yml', budget: 0.001, alerts: true, series: (b) => httpInput('myservice', b, HTTP_SCENARIO) },
  { input: 'in-k8s-getting-started.yml', output: 'out-k8s-getting-started.yml', budget: 0.001, alerts: true, series: (b) => httpInput('myservice', b, HTTP_SCENARIO) },
  { input: 'in-raw-home-wifi.yml', output: 'out-raw-home-wifi.yml', budget: 0.05, alerts: true, series: (b) => wifiInput(b, WIFI_SCENARIO) },
  { input: 'in-no-alerts.yml', output: 'out-no-alerts.yml', budget: 0.0001, alerts: false, series: (b) => httpInput('myapp', b, HTTP_SCENARIO) },
  // Sloth generates no alerts from OpenSLO specs, and neither do we.
  { input: 'in-openslo-getting-started.yml', output: 'out-openslo-getting-started.yml', budget: 0.001, alerts: false, series: (b) => httpInput('myservice', b, HTTP_SCENARIO) },
];

describe('Sloth examples: our rules alert when Sloth\'s do, within one 5m base window', () => {
  for (const ex of EXAMPLES) {
    describe(ex.input, () => {
      it(`our rules pass promtool check rules`, () => {
        const dir = scratchDir('sloth-compat-');
        const rules = ourRules(fixture(ex.input));
        writeFiles(dir, Object.fromEntries(rules.map((r, i) => [`ours-${i}.yml`, r])));
        const r = promtool(['check', 'rules', ...rules.map((_, i) => `ours-${i}.yml`)], dir);
        expect(r.ok, r.output).toBe(true);
      }, TIMEOUT);

      it(ex.alerts
        ? 'through healthy, fast burn, recovery, slow burn, recovery: page and ticket fire and resolve as Sloth\'s do'
        : 'through the same scenario neither rule set fires any alert', () => {
        const dir = scratchDir('sloth-compat-');
        const [ours] = ourRules(fixture(ex.input));
        writeFiles(dir, { 'ours.yml': ours!, 'sloth.yml': slothRules(fixture(ex.output)) });
        const { input, minutes } = ex.series(ex.budget);
        const sloth = alertTimeline(dir, 'alerts-sloth', ['sloth.yml'], input, minutes);
        const mine = alertTimeline(dir, 'alerts-ours', ['ours.yml'], input, minutes);
        const page = '{sloth_severity="page"}';
        const ticket = '{sloth_severity="ticket"}';
        if (ex.alerts) {
          // Two empty timelines would agree trivially: the scenario must make Sloth page and ticket.
          expect(sloth[page]?.length ?? 0, fmtTimeline(sloth)).toBeGreaterThan(0);
          expect(sloth[ticket]?.length ?? 0, fmtTimeline(sloth)).toBeGreaterThan(0);
          compareTimelines(`alerts for ${ex.input}`, sloth, mine, [page, ticket]);
        } else {
          expect(sloth, 'Sloth fired').toEqual({});
          expect(mine, 'we fired').toEqual({});
        }
      }, TIMEOUT);

      it('the burn signal of every alert window crosses its threshold when Sloth\'s does', () => {
        const dir = scratchDir('sloth-compat-');
        const [ours] = ourRules(fixture(ex.input));
        writeFiles(dir, { 'ours.yml': ours!, 'sloth.yml': slothRules(fixture(ex.output)) });
        const { input, minutes } = ex.series(ex.budget);
        const all = Array.from({ length: minutes + 1 }, (_, i) => i);
        const expr = windowSignalsExpr(ex.budget);
        const sloth = toTimeline(sampleExpr(dir, 'signals-sloth', ['sloth.yml'], input, expr, all).samples, all);
        const mine = toTimeline(sampleExpr(dir, 'signals-ours', ['ours.yml'], input, expr, all).samples, all);
        expect(Object.keys(sloth).length, fmtTimeline(sloth)).toBeGreaterThan(0);
        compareTimelines(`window signals for ${ex.input}`, sloth, mine, Object.keys(sloth));
      }, TIMEOUT);
    });
  }

  describe('test-in-base.yaml', () => {
    // Sloth's expected output for it is a template (28d only), so only our rules are checked.
    it('our rules for each SLO pass promtool check rules', () => {
      const dir = scratchDir('sloth-compat-');
      const rules = ourRules(fixture('test-in-base.yaml'));
      expect(rules.length).toBe(2);
      writeFiles(dir, Object.fromEntries(rules.map((r, i) => [`ours-${i}.yml`, r])));
      const r = promtool(['check', 'rules', ...rules.map((_, i) => `ours-${i}.yml`)], dir);
      expect(r.ok, r.output).toBe(true);
    }, TIMEOUT);
  });
});

describe('period SLI', () => {
  // First two hours: little traffic, many errors; next two: heavy traffic, few errors.
  const phases: Phase[] = [
    { name: 'quiet and failing', minutes: 120, total: 100, errorRatio: 0.05 },
    { name: 'busy and healthy', minutes: 120, total: 10_000, errorRatio: 0.0005 },
  ];
  const T = 240; // minutes, on a 5m boundary
  const expr = 'sum(slo:sli_error:ratio_rate30d{sloth_id="myservice-requests-availability"})';

  it('where traffic varies, our period SLI equals the exact event-weighted ratio while Sloth\'s does not', () => {
    const dir = scratchDir('sloth-compat-');
    const [ours] = ourRules(fixture('in-getting-started.yml'));
    writeFiles(dir, { 'ours.yml': ours!, 'sloth.yml': slothRules(fixture('out-getting-started.yml')) });
    const input = httpCounters('myservice', phases);
    const exact = exactErrorRatio(phases, T); // 1200 bad of 1,212,000 events
    expect(exact).toBeCloseTo(1200 / 1_212_000, 12);

    const mine = expectExpr(dir, 'period-ours', ['ours.yml'], input, expr, T, [{ labels: '{}', value: exact }]);
    expect(mine.ok, mine.output).toBe(true);

    const run = sampleExpr(dir, 'period-sloth', ['sloth.yml'], input, expr, [T]);
    const got = run.samples.get(T)?.get('{}');
    expect(got, run.output.slice(0, 2000)).toBeDefined();
    // Sloth averages 5m ratios over time, so the quiet failing hours weigh as much as the busy ones.
    expect(Math.abs(got! - exact) / exact).toBeGreaterThan(0.1);
  }, TIMEOUT);
});

describe('Sloth SLI plugins', () => {
  it('in-plugin-getting-started.yml is refused, pointing at the plugin field', () => {
    const file = fixture('in-plugin-getting-started.yml');
    const { slos, problems } = loadSlos([file]);
    expect(slos).toEqual([]);
    const pluginLine = readFileSync(file, 'utf8').split('\n').findIndex((l) => /^\s*plugin:/.test(l)) + 1;
    expect(pluginLine).toBeGreaterThan(0);
    const p = problems.find((x) => x.severity === 'error' && /plugin/i.test(x.message));
    expect(p, JSON.stringify(problems)).toBeDefined();
    // Problems point at the field's value (the convention of every spec
    // problem); for a block mapping like `plugin:` that is the line after the
    // key. Either the key's line or its value's first line points at the field.
    expect([pluginLine, pluginLine + 1], `problem at line ${p!.line}, plugin: at ${pluginLine}`).toContain(p!.line);
    expect(p!.field).toMatch(/plugin/);
  }, TIMEOUT);
});
