/**
 * slo-generator v2 SLO configs, read with the shared config beside them: every fixture loads,
 * its rules pass promtool, the policy's alerting steps fire over synthetic series, and every
 * kind of mistake is reported at its file, line and field.
 *
 * Fixtures are read in place from ../shared/fixtures/slo-generator (never copied).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DAY } from '../src/model/duration.js';
import type { Slo } from '../src/model/slo.js';
import { ruleOutputs } from '../src/rules/index.js';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/types.js';
import { formatProblem } from '../src/spec/errors.js';
import { loadSlos } from '../src/spec/load.js';
import { PAGE_BURN_RATE } from '../src/spec/slo-generator/policy.js';
import { fmtTimeline, httpCounters, sampleExpr, scenarioMinutes, toTimeline, type Phase } from './helpers/alert-timeline.js';
import { promtool, scratchDir, writeFiles } from './helpers/promtool.js';

const DIR = fileURLToPath(new URL('../../shared/fixtures/slo-generator/', import.meta.url));
const CONFIG = join(DIR, 'shared-config.yaml');
const SLO_FILES = ['slo_gae_app_availability.yaml', 'slo_prom_metrics_availability_ratio.yaml', 'slo_prom_metrics_latency_distribution_cut.yaml'];
const TIMEOUT = 120_000;

interface Step { name: string; window: number; burn_rate_threshold: number; alert: boolean; message_alert?: string }
const DEFAULT_STEPS = (parse(readFileSync(CONFIG, 'utf8')) as { error_budget_policies: { default: { steps: Step[] } } }).error_budget_policies.default.steps;

// The App Engine fixture's filters name ${GAE_PROJECT_ID}; slo-generator substitutes it, and so do we.
process.env.GAE_PROJECT_ID = 'gae-test-project';

function loadFixtures() {
  const r = loadSlos([DIR]);
  return { ...r, errors: r.problems.filter((p) => p.severity === 'error'), text: r.problems.map(formatProblem).join('\n') };
}

const scratch = scratchDir('slo-generator-');
let n = 0;
/** Loads YAML written to a scratch folder (with the fixture's shared config unless told otherwise). */
function loadCase(slo: string, config: string | null = readFileSync(CONFIG, 'utf8')) {
  const dir = join(scratch, `case-${n++}`);
  const files: Record<string, string> = { 'slo.yaml': slo, ...(config ? { 'config.yaml': config } : {}) };
  mkdirSync(dir, { recursive: true });
  writeFiles(dir, files);
  const r = loadSlos([dir]);
  return { ...r, dir, errors: r.problems.filter((p) => p.severity === 'error'), text: r.problems.map(formatProblem).join('\n') };
}

const promSlo = (sli: string, extra = '') => `apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: web-api-availability
  labels: { service_name: web, feature_name: api, slo_name: availability, team: web }
spec:
  description: API requests succeed
  backend: prometheus
  method: good_bad_ratio
${extra}  service_level_indicator:
${sli}
  goal: 0.999
`;
const GOOD_VALID = `    filter_good: http_requests_total{job="web",code!~"5.."}
    filter_valid: http_requests_total{job="web"}`;

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

describe('the slo-generator fixtures', () => {
  it('all load together with the shared config, one SLO per config, ids from their labels', () => {
    const r = loadFixtures();
    expect(r.errors, r.text).toEqual([]);
    const expected = SLO_FILES.map((f) => {
      const labels = (parse(readFileSync(join(DIR, f), 'utf8')) as { metadata: { labels: Record<string, string> } }).metadata.labels;
      return `${labels.service_name}-${labels.feature_name}-${labels.slo_name}`;
    });
    expect(r.slos.map((s) => s.id).sort()).toEqual(expected.sort());
  });

  it('take the objective from goal and the window from the longest policy step', () => {
    const { slos } = loadFixtures();
    const longest = Math.max(...DEFAULT_STEPS.map((s) => s.window)) * 1000;
    expect(longest).toBe(28 * DAY);
    for (const slo of slos) {
      const goal = (parse(readFileSync(slo.source.file, 'utf8')) as { spec: { goal: number } }).spec.goal;
      expect(slo.objective).toBe(goal);
      expect(slo.errorBudget).toBeCloseTo(1 - goal, 12);
      expect(slo.window).toBe(longest);
      expect(slo.source.format).toBe('slo-generator');
    }
  });

  it('read good_bad_ratio as events over the same selectors and distribution_cut as a latency SLI', () => {
    const { slos } = loadFixtures();
    const ratio = slos.find((s) => s.id === 'prom-metrics-availability')!;
    expect(ratio.sli).toMatchObject({ kind: 'events', good: { terms: [{ selector: { metric: 'prometheus_http_requests_total' } }] } });
    const latency = slos.find((s) => s.id === 'prom-metrics-latency')!;
    expect(latency.sli).toMatchObject({ kind: 'latency', threshold: 0.25, histogram: { metric: 'http_request_duration_seconds' } });
    // The bucket's le comes from threshold_bucket, not from the expression.
    expect((latency.sli as { histogram: { matchers: Array<{ label: string }> } }).histogram.matchers.map((m) => m.label)).not.toContain('le');
  });

  it('turn every alerting step into a tier: its window as the long window, a twelfth as the short one, its threshold as the factor', () => {
    const { slos } = loadFixtures();
    const alerting = DEFAULT_STEPS.filter((s) => s.alert);
    expect(alerting.length).toBeGreaterThan(1);
    for (const slo of slos) {
      expect(slo.alerting.tiers.map((t) => [t.longWindow, t.shortWindow, t.factor])).toEqual(
        alerting.map((s) => [s.window * 1000, (s.window * 1000) / 12, s.burn_rate_threshold]));
      for (const [i, tier] of slo.alerting.tiers.entries()) {
        expect(tier.severity).toBe(alerting[i]!.burn_rate_threshold >= PAGE_BURN_RATE ? 'page' : 'ticket');
        expect(tier.annotations.message_alert).toBe(alerting[i]!.message_alert);
      }
    }
  });

  it('keep the steps without alert visible on every alert, and never alert on them', () => {
    const { slos } = loadFixtures();
    const quiet = DEFAULT_STEPS.filter((s) => !s.alert);
    for (const slo of slos) {
      const texts = Object.values(slo.alerting.annotations);
      for (const step of quiet) {
        expect(texts.some((t) => t.includes(step.message_alert!))).toBe(true);
        expect(slo.alerting.tiers.some((t) => t.longWindow === step.window * 1000)).toBe(false);
      }
      expect(slo.alerting.noData).toBeUndefined();
      expect(slo.alerting.budgetExhausted).toBeUndefined();
    }
  });

  it('read the Cloud Monitoring config through stackdriver_exporter names, and warn that they do', () => {
    const r = loadFixtures();
    const gae = r.slos.find((s) => s.id === 'gae-app-availability')!;
    expect(gae.sli).toMatchObject({ kind: 'events' });
    const good = (gae.sli as { good: { terms: Array<{ selector: { metric: string; matchers: Array<{ label: string; op: string; value: string }> } }> } }).good.terms[0]!.selector;
    expect(good.metric).toBe('stackdriver_gae_app_appengine_googleapis_com_http_server_response_count');
    expect(good.matchers).toContainEqual({ label: 'project_id', op: '=', value: 'gae-test-project' });
    // The OR-list of response codes becomes one regex over every listed code.
    const codes = [...readFileSync(join(DIR, 'slo_gae_app_availability.yaml'), 'utf8').matchAll(/response_code = (\d+)/g)].map((m) => m[1]);
    const code = good.matchers.find((m) => m.label === 'response_code')!;
    expect(code.op).toBe('=~');
    expect(code.value.split('|').sort()).toEqual(codes.sort());
    const warning = r.problems.find((p) => p.severity === 'warning' && p.file.endsWith('slo_gae_app_availability.yaml'));
    expect(warning?.field).toBe('spec.backend');
    expect(warning?.message).toMatch(/stackdriver_exporter/);
  });
});

describe('rules generated from the slo-generator fixtures', () => {
  const dir = scratchDir('slo-generator-rules-');
  const { slos } = loadFixtures();
  const files = ruleOutputs(slos, { ...DEFAULT_RENDER_OPTIONS, prometheusRule: false, version: 'test' });
  writeFiles(dir, Object.fromEntries(files));

  it('pass promtool check rules', () => {
    const rules = [...files.keys()].filter((f) => f.endsWith('.rules.yaml'));
    expect(rules).toHaveLength(SLO_FILES.length);
    const r = promtool(['check', 'rules', ...rules], dir);
    expect(r.ok, r.output).toBe(true);
    expect(r.output.match(/SUCCESS/g)?.length).toBe(rules.length);
  });

  it('pass their own promtool unit tests', () => {
    const tests = [...files.keys()].filter((f) => f.endsWith('.test.yaml'));
    const r = promtool(['test', 'rules', ...tests], dir);
    expect(r.ok, r.output).toBe(true);
    expect(r.output.match(/SUCCESS/g)?.length).toBe(tests.length);
  });
});

describe('the policy steps over synthetic series in promtool', () => {
  /**
   * prom-metrics-availability (99.9%): a fast burn that only the 1h step's threshold catches,
   * a recovery long enough to leave the 12h window, then a slow burn above the 12h step's
   * threshold and under the 1h step's. Thresholds come from the shared config.
   */
  const [fast, slow] = DEFAULT_STEPS.filter((s) => s.alert).sort((a, b) => a.window - b.window) as [Step, Step];
  const budget = 0.001;
  const fastBurn = fast.burn_rate_threshold * 2;
  const slowBurn = (slow.burn_rate_threshold + fast.burn_rate_threshold) / 2;
  const slowLong = slow.window / 60;
  const phases: Phase[] = [
    // Long enough that every window holds a full window of data when the burns start.
    { name: 'healthy', minutes: slowLong + 60, total: 1000, errorRatio: 0 },
    { name: 'fast burn', minutes: 60, total: 1000, errorRatio: fastBurn * budget },
    { name: 'recovery', minutes: slowLong + 60, total: 1000, errorRatio: 0 },
    { name: 'slow burn', minutes: slowLong, total: 1000, errorRatio: slowBurn * budget },
    { name: 'recovery', minutes: 60, total: 1000, errorRatio: 0 },
  ];
  const starts = phases.reduce<number[]>((acc, p, i) => [...acc, i === 0 ? 0 : acc[i - 1]! + phases[i - 1]!.minutes], []);

  it('page on the fast burn through the short step only, and ticket on the slow burn through the long step only', () => {
    const dir = scratchDir('slo-generator-alerts-');
    const slo = loadFixtures().slos.find((s) => s.id === 'prom-metrics-availability') as Slo;
    const rules = ruleOutputs([slo], { ...DEFAULT_RENDER_OPTIONS, prometheusRule: false, version: 'test' });
    writeFiles(dir, Object.fromEntries(rules));
    const input = httpCounters('unused', phases).map((s) => ({
      ...s,
      series: s.series.replace(/^http_request_duration_seconds_count\{job="unused",/, 'prometheus_http_requests_total{handler="/metrics",'),
    }));
    const minutes = Array.from({ length: Math.floor(scenarioMinutes(phases) / 5) + 1 }, (_, i) => i * 5);
    const run = sampleExpr(dir, 'steps', [...rules.keys()].filter((f) => f.endsWith('.rules.yaml')), input,
      'count by (severity, slo_tier) (ALERTS{alertstate="firing"})', minutes);
    const tl = toTimeline(run.samples, minutes);
    const page = tl['{severity="page", slo_tier="1-hour"}'] ?? [];
    const ticket = tl['{severity="ticket", slo_tier="12-hours"}'] ?? [];
    expect(Object.keys(tl).sort(), fmtTimeline(tl)).toEqual(['{severity="page", slo_tier="1-hour"}', '{severity="ticket", slo_tier="12-hours"}']);
    // Fires once the long window's average burn passes the factor: after window x factor / burn minutes.
    const pageAfter = (fast.window / 60) * fast.burn_rate_threshold / fastBurn;
    expect(page, fmtTimeline(tl)).toHaveLength(1);
    expect(Math.abs(page[0]!.start - (starts[1]! + pageAfter))).toBeLessThanOrEqual(10);
    // Resets once the short window's burn falls under the factor: short x (1 - factor / burn) after the burn.
    const reset = (step: Step, burn: number) => (step.window / 60 / 12) * (1 - step.burn_rate_threshold / burn);
    expect(Math.abs(page[0]!.end - (starts[2]! + reset(fast, fastBurn)))).toBeLessThanOrEqual(10);
    const ticketAfter = slowLong * slow.burn_rate_threshold / slowBurn;
    expect(ticket, fmtTimeline(tl)).toHaveLength(1);
    expect(Math.abs(ticket[0]!.start - (starts[3]! + ticketAfter))).toBeLessThanOrEqual(10);
    expect(Math.abs(ticket[0]!.end - (starts[4]! + reset(slow, slowBurn)))).toBeLessThanOrEqual(10);
  }, TIMEOUT);
});

describe('slo-generator problems', () => {
  it('an SLO config without its shared config names the policy and where the config must be', () => {
    const r = loadCase(promSlo(GOOD_VALID), null);
    const p = r.errors.find((e) => e.field === 'spec.error_budget_policy');
    expect(p, r.text).toBeDefined();
    expect(p!.message).toMatch(/no slo-generator shared config.*"default"/);
    expect(p!.hint).toMatch(/same folder/);
    expect(r.slos).toEqual([]);
  });

  it('a policy the shared config does not have is named, at its line, with the policies it has', () => {
    const text = promSlo(GOOD_VALID, '  error_budget_policy: strict\n');
    const r = loadCase(text);
    const p = r.errors.find((e) => e.field === 'spec.error_budget_policy')!;
    expect(p, r.text).toBeDefined();
    expect(p.line).toBe(lineOf(text, 'error_budget_policy'));
    expect(p.message).toMatch(/"strict" is not in the shared config \(.*config\.yaml\)/);
    expect(p.hint).toMatch(/default, cloud_service_monitoring/);
  });

  it('an unknown method is refused at spec.method', () => {
    const text = promSlo(GOOD_VALID).replace('method: good_bad_ratio', 'method: magic_ratio');
    const r = loadCase(text);
    const p = r.errors.find((e) => e.field === 'spec.method')!;
    expect(p, r.text).toBeDefined();
    expect(p.line).toBe(lineOf(text, 'magic_ratio'));
    expect(p.hint).toMatch(/good_bad_ratio/);
  });

  it('a filter that is not a plain selector is refused at its field, with the query_sli way out', () => {
    const text = promSlo(`    filter_good: sum(rate(http_requests_total{code!~"5.."}[5m]))\n    filter_valid: http_requests_total`);
    const r = loadCase(text);
    const p = r.errors.find((e) => e.field === 'spec.service_level_indicator.filter_good')!;
    expect(p, r.text).toBeDefined();
    expect(p.line).toBe(lineOf(text, 'filter_good'));
    expect(p.message).toMatch(/not a plain selector/);
    expect(p.hint).toMatch(/query_sli/);
  });

  it('operators other than slo-generator\'s default are refused', () => {
    const r = loadCase(promSlo(`${GOOD_VALID}\n    operators: [rate, sum]`));
    expect(r.errors.find((e) => e.field === 'spec.service_level_indicator.operators')?.message, r.text).toMatch(/not supported/);
  });

  it('an unset ${ENV} placeholder is an error naming the variable and the field', () => {
    const r = loadCase(promSlo(`    filter_good: http_requests_total{project="\${SLO_TEST_UNSET_PROJECT}",code="200"}\n    filter_valid: http_requests_total`));
    const p = r.errors.find((e) => e.field === 'spec.service_level_indicator.filter_good')!;
    expect(p, r.text).toBeDefined();
    expect(p.message).toMatch(/\$\{SLO_TEST_UNSET_PROJECT\} is not set/);
  });

  it('a set ${ENV} placeholder is substituted as slo-generator does', () => {
    process.env.SLO_TEST_JOB = 'checkout';
    const r = loadCase(promSlo(`    filter_good: http_requests_total{job="\${SLO_TEST_JOB}",code="200"}\n    filter_valid: http_requests_total{job="\${SLO_TEST_JOB}"}`));
    expect(r.errors, r.text).toEqual([]);
    expect(JSON.stringify(r.slos[0]!.sli)).toContain('"value":"checkout"');
  });

  it('a step window off the 5-minute grid is reported in the shared config, at the step', () => {
    const config = readFileSync(CONFIG, 'utf8').replace('window: 3600', 'window: 3601');
    const r = loadCase(promSlo(GOOD_VALID), config);
    const p = r.errors.find((e) => e.file.endsWith('config.yaml'))!;
    expect(p, r.text).toBeDefined();
    expect(p.field).toBe('error_budget_policies.default.steps[0].window');
    expect(p.line).toBe(lineOf(config, 'window: 3601'));
  });

  it('the v1 step field names read the same tiers as the v2 names', () => {
    const v1 = readFileSync(CONFIG, 'utf8')
      .replace(/- name:/g, '- error_budget_policy_step_name:')
      .replace(/ burn_rate_threshold:/g, ' alerting_burn_rate_threshold:')
      .replace(/ alert:/g, ' urgent_notification:')
      .replace(/ message_alert:/g, ' overburned_consequence_message:')
      .replace(/ message_ok:/g, ' achieved_consequence_message:')
      .replace(/ window:/g, ' measurement_window_seconds:');
    const a = loadCase(promSlo(GOOD_VALID));
    const b = loadCase(promSlo(GOOD_VALID), v1);
    expect(b.errors, b.text).toEqual([]);
    expect(b.slos[0]!.alerting).toEqual(a.slos[0]!.alerting);
    expect(b.slos[0]!.window).toBe(a.slos[0]!.window);
  });

  it('query_sli becomes an error-ratio SLI over the window, and its rules pass promtool', () => {
    const text = promSlo('    expression: sum(rate(http_requests_total{code!~"5.."}[window])) / sum(rate(http_requests_total[window]))').replace('good_bad_ratio', 'query_sli');
    const r = loadCase(text);
    expect(r.errors, r.text).toEqual([]);
    expect(r.slos[0]!.sli).toEqual({ kind: 'rawErrorRatio', errorRatio: { promql: '1 - (sum(rate(http_requests_total{code!~"5.."}[{{.window}}])) / sum(rate(http_requests_total[{{.window}}])))' } });
    const files = ruleOutputs(r.slos, { ...DEFAULT_RENDER_OPTIONS, prometheusRule: false, version: 'test' });
    writeFiles(r.dir, Object.fromEntries(files));
    const check = promtool(['check', 'rules', ...[...files.keys()].filter((f) => f.endsWith('.rules.yaml'))], r.dir);
    expect(check.ok, check.output).toBe(true);
    const test = promtool(['test', 'rules', ...[...files.keys()].filter((f) => f.endsWith('.test.yaml'))], r.dir);
    expect(test.ok, test.output).toBe(true);
  }, TIMEOUT);

  it('a backend that is not in the shared config is named with the backends it has', () => {
    const r = loadCase(promSlo(GOOD_VALID).replace('backend: prometheus', 'backend: prometheus/eu'));
    const p = r.errors.find((e) => e.field === 'spec.backend')!;
    expect(p?.message, r.text).toMatch(/"prometheus\/eu" is not in the backends/);
    expect(p.hint).toMatch(/prometheus/);
  });

  it('a backend other than Prometheus and Cloud Monitoring fails saying which and why', () => {
    const r = loadCase(promSlo(GOOD_VALID).replace('backend: prometheus', 'backend: datadog'));
    expect(r.errors.find((e) => e.field === 'spec.backend')?.message, r.text).toMatch(/datadog cannot be read: the generated rules run on Prometheus series/);
  });

  it('an unknown spec field is a warning with a guess, as slo-generator ignores it', () => {
    const r = loadCase(promSlo(GOOD_VALID, '  error_budget_polcy: default\n'));
    expect(r.errors, r.text).toEqual([]);
    const w = r.problems.find((p) => p.field === 'spec.error_budget_polcy')!;
    expect(w.severity).toBe('warning');
    expect(w.hint).toMatch(/error_budget_policy/);
  });

  it('labels other than the identity labels go to every series', () => {
    const r = loadCase(promSlo(GOOD_VALID));
    expect(r.slos[0]).toMatchObject({ id: 'web-api-availability', service: 'web', name: 'api-availability', labels: { team: 'web' } });
  });
});
