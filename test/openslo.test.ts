/**
 * OpenSLO v1: the fixtures from OpenSLO/OpenSLO and OpenSLO/oslo load (read in place from
 * ../shared/fixtures/openslo), their rules pass real promtool, references resolve across files,
 * problems point at their line and field, an AlertPolicy's burn-rate condition fires in promtool,
 * and `toOpenSlo` output reads back as the same SLOs.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toOpenSlo } from '../src/convert/to-openslo.js';
import { DAY, HOUR, MINUTE } from '../src/model/duration.js';
import type { Slo } from '../src/model/slo.js';
import { DEFAULT_RENDER_OPTIONS, ruleOutputs } from '../src/rules/index.js';
import { formatProblem, type SpecProblem } from '../src/spec/errors.js';
import { loadSlos } from '../src/spec/load.js';
import { yaceMetricName } from '../src/spec/openslo/cloudwatch.js';
import { fmtTimeline, httpCounters, sampleExpr, scenarioMinutes, toTimeline, type Phase } from './helpers/alert-timeline.js';
import { promtool, scratchDir, writeFiles } from './helpers/promtool.js';

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/openslo/', import.meta.url));
const SHARED = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const OPTS = { ...DEFAULT_RENDER_OPTIONS, prometheusRule: false, version: 'test' };
const TIMEOUT = 120_000;

const dir = scratchDir('openslo-');
let n = 0;

/** Writes each text to its own file in a fresh folder and loads them together. */
function loadTexts(...texts: string[]) {
  const sub = join(dir, `case-${n++}`);
  const files = texts.map((t, i) => join(sub, `f${i}.yaml`));
  mkdirSync(sub, { recursive: true });
  writeFiles(sub, Object.fromEntries(texts.map((t, i) => [`f${i}.yaml`, t])));
  const r = loadSlos(files);
  return { ...r, files: files.map((f) => relative(process.cwd(), f)), errors: r.problems.filter((p) => p.severity === 'error'), warnings: r.problems.filter((p) => p.severity === 'warning'), text: r.problems.map(formatProblem).join('\n') };
}

/** 1-based line of the first line of `text` matching `re`. */
function lineOf(text: string, re: RegExp, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  throw new Error(`no line matches ${re}`);
}

const noSource = (s: Slo) => ({ ...s, source: undefined });
/** Writers emit SLOs sorted by id, whatever order they were loaded in. */
const byId = (list: readonly Slo[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(noSource);

const EXPECTED_WARNINGS: Record<string, Array<{ field: string; message: RegExp }>> = {
  'occurences-slo.yaml': [],
  'oslo-test-v1-alert-policy-inline-cond.yaml': [],
  'oslo-test-v1-multi.yaml': [{ field: 'spec.thresholdMetric.metricSource.spec', message: /read as aws_cloudwatchsynthetics_2xx_sample_count\{dimension_CanaryName="web-app",region="us-east-1"\}, the series YACE/ }],
  'oslo-test-v1alpha-valid-slos-ratio.yaml': [{ field: 'spec.budgetingMethod', message: /Timeslices is read as Occurrences/ }],
  'ratio-timeslices.yaml': [{ field: 'spec.objectives[0].op', message: /only used with a thresholdMetric/ }],
  'timeslices-slo.yaml': [
    { field: 'spec.timeWindow[0].duration', message: /1m is one minute in OpenSLO; as a calendar window it is read as one month/ },
    { field: 'spec.timeWindow[0].calendar.startTime', message: /not at the start of a month in America\/New_York.*2022-01-01 00:00:00/ },
    { field: 'spec.objectives[0].op', message: /only used with a thresholdMetric/ },
  ],
};
const FIXTURE_FILES = Object.keys(EXPECTED_WARNINGS);

describe('the OpenSLO fixtures', () => {
  it('are all covered here', () => {
    const present = readdirSync(FIXTURES).filter((f) => /\.ya?ml$/.test(f)).sort();
    expect(present).toEqual([...FIXTURE_FILES].sort());
  });

  it.each(FIXTURE_FILES)('%s loads without errors and with exactly the expected warnings', (file) => {
    const r = loadSlos([fixture(file)]);
    const text = r.problems.map(formatProblem).join('\n');
    expect(r.problems.filter((p) => p.severity === 'error'), text).toEqual([]);
    const warnings = r.problems.filter((p) => p.severity === 'warning');
    const expected = EXPECTED_WARNINGS[file]!;
    expect(warnings.map((w) => w.field), text).toEqual(expected.map((e) => e.field));
    warnings.forEach((w, i) => expect(w.message).toMatch(expected[i]!.message));
  });

  it('read each budgeting method as the model SLI that counts it', () => {
    const [search] = loadSlos([fixture('occurences-slo.yaml')]).slos;
    expect(search).toMatchObject({ id: 'web-shop-search-slo', objective: 0.99, window: 14 * DAY });
    expect(search!.sli).toEqual({ kind: 'timeslice', value: { metric: 'Any', matchers: [] }, op: '<', threshold: 500, slice: MINUTE, groupBy: [] });
    expect(search!.alerting.tiers).toEqual([]);

    const [main] = loadSlos([fixture('ratio-timeslices.yaml')]).slos;
    expect(main!.sli).toEqual({ kind: 'boolGauge', gauge: { promql: 'clamp(sum(Any) / (sum(Any) > 0), 0, 1)' }, resolution: MINUTE, groupBy: [] });

    const both = loadSlos([fixture('timeslices-slo.yaml')]).slos;
    expect(both.map((s) => s.id)).toEqual(['web-availability-service-availability-internal-objective', 'web-availability-service-availability-sla']);
    expect(both.map((s) => s.objective)).toEqual([0.995, 0.99]);
    for (const s of both) {
      expect(s.calendar).toEqual({ unit: 'month', timeZone: 'America/New_York' });
      expect(s.window).toBe(30 * DAY);
      expect(s.sli).toMatchObject({ kind: 'timeslice', op: '>=', threshold: 0.99, slice: MINUTE });
    }

    const [foo] = loadSlos([fixture('oslo-test-v1-multi.yaml')]).slos;
    expect(foo).toMatchObject({ id: 'foo-slos-foo-slo', objective: 0.98, window: 28 * DAY });
    expect(foo!.sli).toMatchObject({ kind: 'timeslice', op: '>=', threshold: 10, value: { metric: 'aws_cloudwatchsynthetics_2xx_sample_count' } });
  });

  it('give rules that pass promtool check rules and their own promtool unit tests', () => {
    const { slos, problems } = loadSlos(FIXTURE_FILES.map(fixture));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(slos).toHaveLength(6);
    const files = ruleOutputs(slos, OPTS);
    const out = scratchDir('openslo-rules-');
    writeFiles(out, Object.fromEntries(files));
    const rules = [...files.keys()].filter((f) => f.endsWith('.rules.yaml'));
    const tests = [...files.keys()].filter((f) => f.endsWith('.test.yaml'));
    const check = promtool(['check', 'rules', ...rules], out);
    expect(check.ok, check.output).toBe(true);
    expect(check.output.match(/SUCCESS/g)?.length).toBe(rules.length);
    const test = promtool(['test', 'rules', ...tests], out);
    expect(test.ok, test.output).toBe(true);
    expect(test.output.match(/SUCCESS/g)?.length).toBe(tests.length);
  }, TIMEOUT);
});

/** Every budgeting method with every kind of metric, counters and PromQL, rolling and calendar windows. */
const EVERY_METHOD = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-slices
spec:
  service: shop
  indicatorRef: checkout-ratio
  timeWindow:
    - duration: 1w
      isRolling: false
      calendar: { startTime: "2024-01-01 00:00:00", timeZone: Europe/Berlin }
  budgetingMethod: Timeslices
  objectives:
    - displayName: Fast
      targetPercent: 99
      timeSliceTarget: 0.95
      timeSliceWindow: 5m
    - displayName: Mean
      target: 0.98
      timeSliceTarget: 0.9
      timeSliceWindow: 1
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-ratio
spec:
  ratioMetric:
    counter: true
    good:
      metricSource: { type: Prometheus, spec: { query: 'http_requests_total{job="shop",code!~"5.."}' } }
    total:
      metricSource: { type: Prometheus, spec: { query: 'http_requests_total{job="shop"}' } }
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-mean
spec:
  service: shop
  indicatorRef: checkout-ratio
  timeWindow: [{ duration: 1M, isRolling: true }]
  budgetingMethod: RatioTimeslices
  objectives:
    - target: 0.98
      timeSliceWindow: 5m
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: latency-threshold
spec:
  service: shop
  indicator:
    metadata: { name: p99 }
    spec:
      thresholdMetric:
        metricSource: { type: Prometheus, spec: { query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="shop"}[5m])))' } }
  timeWindow: [{ duration: 7d, isRolling: true }]
  budgetingMethod: Timeslices
  objectives:
    - op: lte
      value: 0.3
      target: 0.99
      timeSliceTarget: 0.8
      timeSliceWindow: 5m
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: raw-errors
spec:
  service: shop
  indicator:
    metadata: { name: raw-errors }
    spec:
      ratioMetric:
        rawType: success
        raw:
          metricSource: { type: Prometheus, spec: { query: 'sum(rate(http_requests_total{job="shop",code!~"5.."}[{{.window}}])) / sum(rate(http_requests_total{job="shop"}[{{.window}}]))' } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
`;

describe('every budgeting method with every kind of metric', () => {
  it('reads as the SLIs that count it', () => {
    const r = loadTexts(EVERY_METHOD);
    expect(r.problems, r.text).toEqual([]);
    const byId = new Map(r.slos.map((s) => [s.id, s]));
    expect([...byId.keys()]).toEqual(['shop-checkout-slices-fast', 'shop-checkout-slices-mean', 'shop-checkout-mean', 'shop-latency-threshold', 'shop-raw-errors']);
    expect(byId.get('shop-checkout-slices-fast')).toMatchObject({ objective: 0.99, calendar: { unit: 'week', timeZone: 'Europe/Berlin' }, window: 7 * DAY });
    expect(byId.get('shop-checkout-slices-fast')!.sli).toEqual({
      kind: 'timeslice', op: '>=', threshold: 0.95, slice: 5 * MINUTE, groupBy: [],
      value: { promql: 'clamp(sum(increase(http_requests_total{job="shop",code!~"5.."}[5m])) / (sum(increase(http_requests_total{job="shop"}[5m])) > 0), 0, 1)' },
    });
    // A bare number of minutes is OpenSLO's timeSliceWindow shorthand.
    expect(byId.get('shop-checkout-slices-mean')!.sli).toMatchObject({ kind: 'timeslice', slice: MINUTE, threshold: 0.9 });
    expect(byId.get('shop-checkout-mean')).toMatchObject({ window: 30 * DAY, sli: { kind: 'boolGauge', resolution: 5 * MINUTE } });
    expect(byId.get('shop-checkout-mean')!.calendar).toBeUndefined();
    expect(byId.get('shop-latency-threshold')!.sli).toEqual({
      kind: 'timeslice', op: '>=', threshold: 0.8, slice: 5 * MINUTE, groupBy: [],
      value: { promql: 'avg_over_time(((histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="shop"}[5m])))) <= bool 0.3)[5m:1m])' },
    });
    expect(byId.get('shop-raw-errors')!.sli).toEqual({
      kind: 'rawErrorRatio',
      errorRatio: { promql: '1 - (sum(rate(http_requests_total{job="shop",code!~"5.."}[{{.window}}])) / sum(rate(http_requests_total{job="shop"}[{{.window}}])))' },
    });
  });

  it('give rules that pass promtool check rules and their own promtool unit tests', () => {
    const r = loadTexts(EVERY_METHOD);
    const files = ruleOutputs(r.slos, OPTS);
    const out = scratchDir('openslo-methods-');
    writeFiles(out, Object.fromEntries(files));
    const rules = [...files.keys()].filter((f) => f.endsWith('.rules.yaml'));
    const check = promtool(['check', 'rules', ...rules], out);
    expect(check.ok, check.output).toBe(true);
    const test = promtool(['test', 'rules', ...[...files.keys()].filter((f) => f.endsWith('.test.yaml'))], out);
    expect(test.ok, test.output).toBe(true);
  }, TIMEOUT);

  it('writes as OpenSLO that reads back as the same SLOs', () => {
    const r = loadTexts(EVERY_METHOD);
    const written = toOpenSlo(r.slos);
    expect(written.unsupported).toEqual([]);
    const again = loadTexts(written.yaml);
    expect(again.errors, again.text).toEqual([]);
    expect(byId(again.slos)).toEqual(byId(r.slos));
  });
});

const SHOP_SLO = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
  labels:
    team: [shop, payments]
spec:
  service: shop
  indicatorRef: checkout-errors
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
  alertPolicies:
    - alertPolicyRef: my-policy
`;

const SHOP_SLI = `apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-errors
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        metricSourceRef: shop-prometheus
        spec:
          query: http_request_duration_seconds_count{job="shop",code="500"}
    total:
      metricSource:
        metricSourceRef: shop-prometheus
        spec:
          query: http_request_duration_seconds_count{job="shop"}
---
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: shop-prometheus
spec:
  type: Prometheus
  connectionDetails:
    url: http://prometheus:9090
`;

describe('references across files and documents', () => {
  const policy = readFileSync(fixture('oslo-test-v1-alert-policy-inline-cond.yaml'), 'utf8');

  it('resolve an SLI, a DataSource and an AlertPolicy defined in other files', () => {
    const r = loadTexts(SHOP_SLO, SHOP_SLI, policy);
    expect(r.errors, r.text).toEqual([]);
    expect(r.slos).toHaveLength(1);
    const slo = r.slos[0]!;
    expect(slo.id).toBe('shop-checkout');
    expect(slo.labels).toEqual({ team: 'shop,payments' });
    expect(slo.sli).toEqual({
      kind: 'events',
      bad: { terms: [{ selector: { metric: 'http_request_duration_seconds_count', matchers: [{ label: 'job', op: '=', value: 'shop' }, { label: 'code', op: '=', value: '500' }] }, sign: 1 }] },
      total: { terms: [{ selector: { metric: 'http_request_duration_seconds_count', matchers: [{ label: 'job', op: '=', value: 'shop' }] }, sign: 1 }] },
      groupBy: [],
    });
    expect(slo.alerting.tiers).toEqual([expect.objectContaining({
      name: 'cpu-usage-breach', severity: 'page', longWindow: HOUR, shortWindow: 5 * MINUTE, factor: 2, for: 5 * MINUTE,
    })]);
    // The notification target is not defined anywhere: routing is Alertmanager's, so it only warns.
    const target = r.warnings.find((w) => w.field === 'spec.notificationTargets[0].targetRef');
    expect(target?.message, r.text).toMatch(/no AlertNotificationTarget named "OnCallDevopsMailNotification"/);
    expect(target?.file).toBe(r.files[2]);
    expect(target?.line).toBe(lineOf(policy, /targetRef/));
  });

  it('give an error naming the known names when an SLI reference resolves to nothing', () => {
    const r = loadTexts(SHOP_SLO.replace('indicatorRef: checkout-errors', 'indicatorRef: checkout-error'), SHOP_SLI, policy);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: r.files[0], line: lineOf(SHOP_SLO, /indicatorRef/), field: 'spec.indicatorRef' });
    expect(r.errors[0]!.message).toBe('no SLI named "checkout-error"; known: checkout-errors');
    expect(r.slos).toEqual([]);
  });

  it('give an error at the alertPolicyRef when the policy does not exist', () => {
    const r = loadTexts(SHOP_SLO.replace('alertPolicyRef: my-policy', 'alertPolicyRef: paging'), SHOP_SLI, policy);
    expect(r.errors.map((e) => [e.field, e.line, e.message])).toEqual([
      ['spec.alertPolicies[0].alertPolicyRef', lineOf(SHOP_SLO, /alertPolicyRef/), 'no AlertPolicy named "paging"; known: my-policy'],
    ]);
  });

  it('give an error at the conditionRef of a policy in another file when the condition does not exist', () => {
    const refPolicy = `apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: my-policy
spec:
  conditions:
    - conditionRef: fast-burn
  notificationTargets: []
---
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: slow-burn
spec:
  severity: ticket
  condition: { kind: burnrate, op: gt, threshold: 1, lookbackWindow: 3d }
`;
    const r = loadTexts(SHOP_SLO, SHOP_SLI, refPolicy);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: r.files[2], line: lineOf(refPolicy, /conditionRef/), field: 'spec.conditions[0].conditionRef', message: 'no AlertCondition named "fast-burn"; known: slow-burn' });
  });

  it('give an error at the metricSourceRef when the DataSource does not exist, saying none are defined', () => {
    const sli = SHOP_SLI.slice(0, SHOP_SLI.indexOf('---'));
    const r = loadTexts(SHOP_SLO, sli, policy);
    const e = r.errors.find((x) => x.field === 'spec.ratioMetric.bad.metricSource.metricSourceRef');
    expect(e, r.text).toMatchObject({ file: r.files[1], line: lineOf(sli, /metricSourceRef/) });
    expect(e!.message).toBe('no DataSource named "shop-prometheus": the loaded files define no DataSource');
  });

  it('refuse two objects of one kind with the same name, naming both places', () => {
    const r = loadTexts(SHOP_SLO, SHOP_SLI, policy, SHOP_SLI.slice(0, SHOP_SLI.indexOf('---')));
    const dup = r.errors.find((e) => /duplicate SLI/.test(e.message));
    expect(dup, r.text).toMatchObject({ file: r.files[3], line: 4, field: 'metadata.name' });
    expect(dup!.message).toBe(`duplicate SLI "checkout-errors": already defined at ${r.files[1]}:4`);
  });
});

/** A one-file SLO with a ratio SLI over the shop counters; `objective` and `window` lines are replaceable. */
function sloWith(objective: string, window = '    - duration: 28d\n      isRolling: true', policies = '') {
  return `apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
spec:
  service: shop
  indicator:
    metadata:
      name: checkout-errors
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))
  timeWindow:
${window}
  budgetingMethod: Occurrences
  objectives:
${objective}
${policies}`;
}

describe('problems point at their file, line and field', () => {
  it.each([
    ['target: 1.5', 'spec.objectives[0].target', /must be < 1/],
    ['targetPercent: 100', 'spec.objectives[0].targetPercent', /must be < 100/],
  ])('refuses %s', (target, field, message) => {
    const text = sloWith(`    - op: lt\n      value: 0.3\n      ${target}`);
    const r = loadTexts(text);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ field, line: lineOf(text, new RegExp(target.split(':')[0]!)) });
    expect(r.errors[0]!.message).toMatch(message);
  });

  it('refuses an objective with both target and targetPercent', () => {
    const text = sloWith('    - op: lt\n      value: 0.3\n      target: 0.99\n      targetPercent: 99');
    const r = loadTexts(text);
    expect(r.errors.map((e) => [e.field, e.message])).toEqual([['spec.objectives[0]', 'give target or targetPercent, not both']]);
    expect(r.errors[0]!.hint).toMatch(/target: 0.999 is the same as targetPercent: 99.9/);
  });

  it('refuses an unknown op and says which ones exist', () => {
    const text = sloWith('    - op: eq\n      value: 0.3\n      target: 0.99');
    const r = loadTexts(text);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ field: 'spec.objectives[0].op', line: lineOf(text, /op: eq/), message: '"eq" is not allowed' });
    expect(r.errors[0]!.hint).toBe('use "lt" or "lte" or "gt" or "gte"');
  });

  it('refuses a threshold objective without op, pointing at the objective', () => {
    const text = sloWith('    - value: 0.3\n      target: 0.99');
    const r = loadTexts(text);
    expect(r.errors.map((e) => [e.field, e.message])).toEqual([['spec.objectives[0].op', 'an objective of a thresholdMetric SLI needs op and value']]);
  });

  it('refuses a burn-rate condition whose op would fire on a falling burn rate', () => {
    const policies = `  alertPolicies:
    - kind: AlertPolicy
      metadata: { name: fast }
      spec:
        conditions:
          - kind: AlertCondition
            metadata: { name: fast-burn }
            spec:
              severity: page
              condition: { kind: burnrate, op: lt, threshold: 14.4, lookbackWindow: 1h }
        notificationTargets: []
`;
    const text = sloWith('    - op: lt\n      value: 0.3\n      target: 0.99', undefined, policies);
    const r = loadTexts(text);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ field: 'spec.alertPolicies[0].spec.conditions[0].spec.condition.op', line: lineOf(text, /op: lt, threshold/) });
    expect(r.errors[0]!.message).toMatch(/op lt is not supported/);
  });

  it('refuses an unknown time zone', () => {
    const window = '    - duration: 1M\n      isRolling: false\n      calendar:\n        startTime: 2024-01-01 00:00:00\n        timeZone: Europe/Berlinn';
    const text = sloWith('    - op: lt\n      value: 0.3\n      target: 0.99', window);
    const r = loadTexts(text);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ field: 'spec.timeWindow[0].calendar.timeZone', line: lineOf(text, /timeZone/), message: 'unknown time zone "Europe/Berlinn"' });
  });

  it('reads a calendar quarter from a boundary without a warning', () => {
    const window = '    - duration: 1Q\n      isRolling: false\n      calendar:\n        startTime: 2024-04-01 00:00:00\n        timeZone: Europe/Berlin';
    const r = loadTexts(sloWith('    - op: lt\n      value: 0.3\n      target: 0.99', window));
    expect(r.problems, r.text).toEqual([]);
    expect(r.slos[0]).toMatchObject({ calendar: { unit: 'quarter', timeZone: 'Europe/Berlin' }, window: 90 * DAY });
  });

  it('refuses a calendar period that is not one week, month, quarter or year', () => {
    const text = sloWith('    - op: lt\n      value: 0.3\n      target: 0.99', '    - duration: 2w\n      isRolling: false\n      calendar: { timeZone: UTC }');
    const r = loadTexts(text);
    expect(r.errors.map((e) => [e.field, e.message])).toEqual([['spec.timeWindow[0].duration', '"2w" is not a calendar period']]);
  });

  it('refuses a metric source it cannot turn into PromQL, naming the type', () => {
    const text = sloWith('    - op: lt\n      value: 0.3\n      target: 0.99').replace('type: Prometheus', 'type: Datadog');
    const r = loadTexts(text);
    expect(r.errors.map((e) => [e.field, e.line])).toEqual([['spec.indicator.spec.thresholdMetric.metricSource.type', lineOf(text, /type: Datadog/)]]);
    expect(r.errors[0]!.message).toBe('metric source type "Datadog" is not supported: the generated rules are PromQL');
  });

  it('refuses a slo.caas.dev/name annotation that cannot name an SLO, since the name makes rule file names', () => {
    const text = sloWith('    - op: lt\n      value: 0.3\n      target: 0.99').replace('  name: checkout\n', '  name: checkout\n  annotations:\n    slo.caas.dev/name: ../../etc/x\n');
    const r = loadTexts(text);
    expect(r.slos).toEqual([]);
    expect(r.errors.map((e) => [e.field, e.line, e.message])).toEqual([['metadata.annotations.slo.caas.dev/name', lineOf(text, /slo\.caas\.dev\/name/), '"../../etc/x" cannot name an SLO']]);
    expect(r.errors[0]!.hint).toMatch(/letters, digits/);
  });

  it('refuses a lookbackWindow as long as its calendar period, whose series is the period so far and not a rolling window', () => {
    const policies = `  alertPolicies:
    - kind: AlertPolicy
      metadata: { name: weekly }
      spec:
        conditions:
          - kind: AlertCondition
            metadata: { name: weekly-burn }
            spec:
              severity: ticket
              condition: { kind: burnrate, op: gt, threshold: 1, lookbackWindow: 7d }
`;
    const week = '    - duration: 1w\n      isRolling: false\n      calendar: { timeZone: Europe/Berlin }';
    const text = sloWith('    - op: lt\n      value: 0.3\n      target: 0.99', week, policies);
    const r = loadTexts(text);
    expect(r.slos).toEqual([]);
    expect(r.errors.map((e) => [e.field, e.line])).toEqual([['spec.alertPolicies[0].spec.conditions[0].spec.condition.lookbackWindow', lineOf(text, /lookbackWindow: 7d/)]]);
    expect(r.errors[0]!.message).toMatch(/nominal length of the calendar week/);
  });

  it('leaves an AlertCondition annotation Prometheus cannot name out of the alerts, with a warning, so that the rules pass promtool', () => {
    const policies = `  alertPolicies:
    - kind: AlertPolicy
      metadata: { name: fast }
      spec:
        conditions:
          - kind: AlertCondition
            metadata:
              name: fast-burn
              annotations:
                example.com/owner: payments
                summary: checkout burns its budget
            spec:
              severity: page
              condition: { kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h }
`;
    const text = sloWith('    - op: lt\n      value: 0.3\n      target: 0.99', undefined, policies);
    const r = loadTexts(text);
    expect(r.errors, r.text).toEqual([]);
    expect(r.warnings.map((w) => [w.field, w.line])).toEqual([['spec.alertPolicies[0].spec.conditions[0].metadata.annotations.example.com/owner', lineOf(text, /example\.com\/owner/)]]);
    expect(r.warnings[0]!.hint).toMatch(/example_com_owner/);
    expect(r.slos[0]!.alerting.tiers[0]!.annotations).toEqual({ summary: 'checkout burns its budget' });
    const files = ruleOutputs(r.slos, OPTS);
    const out = scratchDir('openslo-annotations-');
    writeFiles(out, Object.fromEntries(files));
    const check = promtool(['check', 'rules', ...[...files.keys()].filter((f) => f.endsWith('.rules.yaml'))], out);
    expect(check.ok, check.output).toBe(true);
  }, TIMEOUT);

  it('names a label key Prometheus cannot hold as it is, and writes it with "_"', () => {
    const text = sloWith('    - op: lt\n      value: 0.3\n      target: 0.99').replace('  name: checkout\n', '  name: checkout\n  labels:\n    cost-center: "42"\n');
    const r = loadTexts(text);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => [w.field, w.message])).toEqual([['metadata.labels.cost-center', 'label "cost-center" is written "cost_center" in the generated rules']]);
    expect(r.slos[0]!.labels).toEqual({ cost_center: '42' });
  });
});

describe('an AlertPolicy burn-rate condition', () => {
  // my-policy: page when the 1h burn rate exceeds 2 for 5m. At 99%, 2x is an error ratio of 2%.
  const phases: Phase[] = [
    { name: 'healthy', minutes: 60, total: 1000, errorRatio: 0 },
    { name: 'burning 5x', minutes: 120, total: 1000, errorRatio: 0.05 },
    { name: 'recovered', minutes: 120, total: 1000, errorRatio: 0 },
    { name: 'burning 1.5x, under the threshold', minutes: 120, total: 1000, errorRatio: 0.015 },
  ];

  it('fires in promtool once the lookback window burns over the threshold for alertAfter, and resolves after the burn stops', () => {
    const policy = readFileSync(fixture('oslo-test-v1-alert-policy-inline-cond.yaml'), 'utf8');
    const r = loadTexts(SHOP_SLO, SHOP_SLI, policy);
    expect(r.errors, r.text).toEqual([]);
    const files = ruleOutputs(r.slos, OPTS);
    const out = scratchDir('openslo-alert-');
    writeFiles(out, Object.fromEntries(files));
    const rules = [...files.keys()].filter((f) => f.endsWith('.rules.yaml'));
    const last = scenarioMinutes(phases);
    const minutes = Array.from({ length: last + 1 }, (_, i) => i);
    const run = sampleExpr(out, 'alerts', rules, httpCounters('shop', phases), 'count by (severity, slo_tier) (ALERTS{alertname="ErrorBudgetBurn",alertstate="firing"})', minutes);
    const timeline = toTimeline(run.samples, minutes);
    const key = '{severity="page", slo_tier="cpu-usage-breach"}';
    expect(Object.keys(timeline), fmtTimeline(timeline)).toEqual([key]);
    const [interval, ...more] = timeline[key]!;
    if (process.env.OPENSLO_VERBOSE) console.log(fmtTimeline(timeline));
    expect(more, fmtTimeline(timeline)).toEqual([]);
    // The 1h error ratio reaches 2% after 24 minutes at 5%; sums of whole 5m windows may lag by up to 5m, then 5m of alertAfter.
    expect(interval!.start).toBeGreaterThanOrEqual(60 + 24 + 5);
    expect(interval!.start).toBeLessThanOrEqual(60 + 24 + 5 + 5 + 1);
    // The 5m short window drops under 2% within one base window of the burn stopping.
    expect(interval!.end).toBeGreaterThan(180);
    expect(interval!.end).toBeLessThanOrEqual(180 + 10 + 1);
  }, TIMEOUT);
});

describe('toOpenSlo', () => {
  function roundTrip(paths: string[], extra: string[] = []) {
    const first = loadSlos(paths);
    expect(first.problems.filter((p: SpecProblem) => p.severity === 'error')).toEqual([]);
    expect(first.slos.length).toBeGreaterThan(0);
    const written = toOpenSlo(first.slos);
    const file = join(scratchDir('openslo-convert-'), 'converted.yaml');
    writeFileSync(file, written.yaml);
    const again = loadSlos([file, ...extra]);
    return { first, written, again };
  }

  it.each([
    ['the example SLOs in slos/ (with their Maintenance documents beside them)', ['slos'], ['slos/maintenance.yaml']],
    ['a native SLO of every SLI kind', ['test/fixtures/native'], []],
    ['the OpenSLO fixtures', FIXTURE_FILES.map(fixture), []],
    ["Sloth's examples", ['in-getting-started.yml', 'in-raw-home-wifi.yml', 'in-no-alerts.yml', 'in-openslo-getting-started.yml'].map((f) => join(SHARED, 'sloth', f)), []],
  ])('writes %s as OpenSLO that reads back as the same SLOs', (_name, paths, extra) => {
    const { first, written, again } = roundTrip(paths, extra);
    expect(again.problems.filter((p) => p.severity === 'error'), again.problems.map(formatProblem).join('\n')).toEqual([]);
    expect(byId(again.slos)).toEqual(byId(first.slos));
    expect(written.unsupported.filter((u) => !/maintenance windows/.test(u))).toEqual([]);
  });

  it('says that maintenance windows cannot be written, naming the SLO and the window', () => {
    const { written } = roundTrip(['slos']);
    expect(written.unsupported).toEqual([expect.stringMatching(/^kube-apiserver-requests-availability: maintenance windows \(control-plane-upgrades\): OpenSLO v1 has no maintenance/)]);
  });

  it('writes the same bytes for the same SLOs', () => {
    const { slos } = loadSlos(['test/fixtures/native']);
    expect(toOpenSlo(slos).yaml).toBe(toOpenSlo(loadSlos(['test/fixtures/native']).slos).yaml);
  });

  it('writes what OpenSLO can express in OpenSLO fields, and keeps only the rest in annotations', () => {
    const { slos } = loadSlos(['test/fixtures/native']);
    const yaml = toOpenSlo(slos).yaml;
    const doc = (name: string) => yaml.split('---\n').find((d) => d.includes(`  name: ${name}\n`))!;
    expect(doc('events-bad-selector')).not.toMatch(/slo\.caas\.dev\/sli/);
    expect(doc('events-bad-selector')).toMatch(/counter: true/);
    expect(doc('latency-classic')).toMatch(/query: http_request_duration_seconds_bucket\{job="web",le="0.25"\}/);
    expect(doc('latency-classic')).not.toMatch(/slo\.caas\.dev\/sli/);
    expect(doc('probe')).toMatch(/budgetingMethod: RatioTimeslices/);
    // Two bad counters summed are not one OpenSLO query: the native SLI travels in an annotation.
    expect(doc('events-separate-metrics')).toMatch(/slo\.caas\.dev\/sli: .*jobs_failed_total/);
    expect(doc('events-good-grouped')).toMatch(/slo\.caas\.dev\/group-by: cluster/);
  });

  it('writes a calendar window as a calendar period starting on a boundary', () => {
    const both = loadSlos([fixture('timeslices-slo.yaml')]).slos;
    const yaml = toOpenSlo(both).yaml;
    expect(yaml).toMatch(/duration: 1M\n\s+isRolling: false\n\s+calendar:\n\s+startTime: 2024-01-01 00:00:00\n\s+timeZone: America\/New_York/);
  });
});

describe('CloudWatch names', () => {
  it.each([
    ['AWS/ApplicationELB', 'RequestCount', 'Sum', 'aws_applicationelb_request_count_sum'],
    ['CloudWatchSynthetics', '2xx', 'SampleCount', 'aws_cloudwatchsynthetics_2xx_sample_count'],
    ['Glue', 'glue.driver.aggregate.bytesRead', 'Average', 'aws_glue_driver_aggregate_bytes_read_average'],
    ['AWS/EC2', 'CPUUtilization', 'Maximum', 'aws_ec2_cpuutilization_maximum'],
  ])('%s %s %s is read as YACE exports it: %s', (ns, metric, stat, expected) => {
    expect(yaceMetricName(ns, metric, stat)).toBe(expected);
  });
});
