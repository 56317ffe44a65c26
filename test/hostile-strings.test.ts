import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { dashboardOutputs } from '../src/dashboards/index.js';
import { checkPromql } from '../src/promql/parse.js';
import { quoteLabelValue } from '../src/promql/quote.js';
import { parseSelector } from '../src/promql/selector-parse.js';
import { expandTemplate } from '../src/engine/template.js';
import { annotationTemplate, literalTemplateText } from '../src/rules/go-template.js';
import { DEFAULT_RENDER_OPTIONS, ruleOutputs } from '../src/rules/index.js';
import { startService, type EngineService } from '../src/service/service.js';
import { loadSlosFromTexts } from '../src/spec/load.js';
import { encodeWriteRequestV1 } from '../src/wire/remote-write-v1.js';
import { snappyCompress } from '../src/wire/snappy-compress.js';
import { instantQuery, ruleGroups } from './helpers/prometheus-api.js';
import { sleep, startPrometheus, type PrometheusProcess } from './helpers/prometheus-process.js';
import { promtool, scratchDir, writeFiles } from './helpers/promtool.js';

/** Strings that end quotes, start escapes, templates, YAML structure, HTML, or Grafana variables. */
const HOSTILE: Array<[string, string]> = [
  ['a double quote', 'a"b'],
  ['a single quote', "it's"],
  ['backslashes', 'back\\slash\\'],
  ['a newline', 'new\nline'],
  ['a carriage return and a tab', 'cr\rtab\tx'],
  ['a PromQL injection', '"} or vector(1) #'],
  ['a Go template', '{{ $labels.job }}'],
  ['a broken Go template', '{{ oops'],
  ['YAML indicators', ': # - & * ! | > \' " % @ `'],
  ['a document start marker', '---'],
  ['a document end marker', '...'],
  ['a YAML boolean', 'yes'],
  ['a YAML number', '1e3'],
  ['a YAML null', '~'],
  ['Unicode line and paragraph separators', 'ls\u2028ps\u2029x'],
  ['a NEL line break', 'nel\u0085x'],
  ['a NUL', 'nul\u0000x'],
  ['a right-to-left override', 'rtl\u202Eevil'],
  ['an HTML injection', '</script><img src=x onerror=alert(1)>'],
  ['Grafana variables', '$service ${slo} [[datasource]] $__range'],
  ['leading and trailing spaces', ' spaced '],
  ['a 4000-character string', `${'x'.repeat(3990)}"}\n#{{ ]]`],
];

const RUNBOOK = (h: string) => `https://runbooks.example/${h}`;
const sel = (metric: string, h: string, extra = '') => `${metric}{path=${quoteLabelValue(h)}${extra}}`;

/** Native SLOs carrying `h` in every field whose schema allows free text. */
function specs(i: number, h: string): string {
  const common = { service: 'web', objective: 99.9, runbookUrl: RUNBOOK(h), ...(h.length <= 1050 ? { description: h } : {}) };
  const metadata = (name: string) => ({ name, labels: { team: h } });
  const alerting = { labels: { owner: h }, annotations: { note: h } };
  return [
    { apiVersion: 'slo.caas.dev/v1', kind: 'SLO', metadata: metadata(`h${i}`), spec: { ...common, sli: { events: { bad: sel('http_requests_total', h, ',code="500"'), total: sel('http_requests_total', h), groupBy: ['path'] } }, alerting } },
    { apiVersion: 'slo.caas.dev/v1', kind: 'SLO', metadata: metadata(`h${i}-latency`), spec: { ...common, sli: { latency: { histogram: sel('http_request_duration_seconds', h), threshold: 0.25 } }, alerting } },
  ]
    .map((d) => stringify(d))
    .join('---\n');
}

/** Every `metric{...}` selector in a PromQL expression (string literals may hold `}`). */
function selectorsIn(expr: string): string[] {
  return expr.match(/[a-zA-Z_:][a-zA-Z0-9_:]*\{(?:[^"}]|"(?:\\.|[^"\\])*")*\}/g) ?? [];
}

function pathValues(expr: string): string[] {
  return selectorsIn(expr).flatMap((s) => parseSelector(s).matchers.filter((m) => m.label === 'path').map((m) => m.value));
}

type Rule = { record?: string; alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> };

const OPTS = { ...DEFAULT_RENDER_OPTIONS, prometheusRule: true, version: 'test' };
const loaded = HOSTILE.map(([, h], i) => loadSlosFromTexts([{ file: `hostile-${i}.yaml`, text: specs(i, h) }]));

describe('hostile strings in SLO specs', () => {
  const dir = scratchDir('hostile-');

  it.each(HOSTILE.map(([name, h], i) => [name, h, i] as const))('with %s load without error', (_name, _h, i) => {
    expect(loaded[i]!.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(loaded[i]!.slos).toHaveLength(2);
  });

  it.each(HOSTILE.map(([name, h], i) => [name, h, i] as const))('with %s give rule files promtool accepts and tests, which read back the same string', (_name, h, i) => {
    const files = ruleOutputs(loaded[i]!.slos, OPTS);
    const sub = join(dir, `set-${i}`);
    mkdirSync(sub, { recursive: true });
    writeFiles(sub, Object.fromEntries(files));
    const ruleFiles = [...files.keys()].filter((f) => f.endsWith('.rules.yaml'));
    const check = promtool(['check', 'rules', ...ruleFiles], sub);
    expect(check.ok, check.output).toBe(true);
    // The generated unit tests expect the alerts' labels as written: Prometheus expanded them back to
    // `h`. The events SLO's tests suffice (the latency SLO's labels are the same), at half the time.
    const test = promtool(['test', 'rules', `web-h${i}.test.yaml`], sub);
    expect(test.ok, test.output).toBe(true);
    for (const f of ruleFiles) {
      const rules = (parse(files.get(f)!) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
      const manifest = parse(files.get(f.replace('.rules.yaml', '.prometheusrule.yaml'))!) as { spec: { groups: unknown } };
      expect(manifest.spec.groups).toEqual(parse(files.get(f)!).groups);
      const recorded = rules.filter((r) => r.record && r.labels?.team !== undefined);
      expect(recorded.length).toBeGreaterThan(0);
      for (const r of recorded) expect(r.labels!.team).toBe(h);
      const alerts = rules.filter((r) => r.alert);
      expect(alerts.length).toBeGreaterThan(0);
      for (const a of alerts) {
        expect(a.labels!.owner).toBe(literalTemplateText(h));
        // User annotations are templates; what only Prometheus would expand is written out literally.
        expect(a.annotations!.note).toBe(annotationTemplate(h));
        expect(a.annotations!.runbook_url).toBe(literalTemplateText(RUNBOOK(h)));
      }
      for (const r of rules) expect(checkPromql(r.expr), r.expr).toBeUndefined();
      const paths = rules.flatMap((r) => pathValues(r.expr));
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) expect(p).toBe(h);
    }
  });

  it.each(HOSTILE.map(([name, h], i) => [name, h, i] as const))('with %s give dashboards whose JSON and queries carry the same string, out of reach of Grafana variables', (_name, h, i) => {
    const files = dashboardOutputs(loaded[i]!.slos, { grafanaUrl: 'http://grafana.example', datasource: 'prometheus' } as never);
    let paths = 0;
    for (const [name, text] of files) {
      if (!name.endsWith('.json')) continue;
      const exprs: string[] = [];
      JSON.parse(text, (key, value) => {
        if (key === 'expr' && typeof value === 'string') exprs.push(value);
        return value;
      });
      for (const expr of exprs) {
        // Grafana replaces $name, ${name} and [[name]] anywhere in a query; ours only outside strings.
        for (const lit of expr.match(/"(?:\\.|[^"\\])*"/g) ?? []) if (lit.includes('path')) expect(lit).not.toMatch(/\$\w|\$\{|\[\[/);
        for (const p of pathValues(expr)) {
          expect(p).toBe(h);
          paths++;
        }
      }
    }
    expect(paths).toBeGreaterThan(0);
  });

  it('refuses them where the schema allows no free text, naming the field and why', () => {
    const h = '"} or vector(1) #';
    const base = { apiVersion: 'slo.caas.dev/v1', kind: 'SLO', metadata: { name: 'ok' }, spec: { service: 'web', objective: 99.9, sli: { events: { bad: 'a{code="500"}', total: 'a' } } } };
    const cases: Array<[string, unknown]> = [
      ['metadata.name', { ...base, metadata: { name: h } }],
      ['spec.service', { ...base, spec: { ...base.spec, service: h } }],
      ['metadata.labels', { ...base, metadata: { name: 'ok', labels: { [h]: 'x' } } }],
      ['spec.alerting.annotations', { ...base, spec: { ...base.spec, alerting: { annotations: { [h]: 'x' } } } }],
      ['spec.runbookUrl', { ...base, spec: { ...base.spec, runbookUrl: `javascript:alert(1)//${h}` } }],
      ['spec.description', { ...base, spec: { ...base.spec, description: 'x'.repeat(2000) } }],
    ];
    for (const [field, doc] of cases) {
      const r = loadSlosFromTexts([{ file: 'bad.yaml', text: stringify(doc) }]);
      const errors = r.problems.filter((p) => p.severity === 'error');
      expect(errors.length, field).toBeGreaterThan(0);
      expect(errors.map((e) => `${e.field}: ${e.message} ${e.hint ?? ''}`).join('\n'), field).toMatch(new RegExp(`${field.replace(/\./g, '\\.')}.*: .*(wrong form|not a valid|pattern|must|match|long|more than|characters)`, 'i'));
    }
  });
});

describe('hostile strings through the running engine', () => {
  const dir = scratchDir('hostile-engine-');
  let service: EngineService;
  let prometheus: PrometheusProcess | undefined;
  let browser: Browser | undefined;
  const t0 = Date.now() - 10 * 60_000;

  beforeAll(async () => {
    const files = Object.fromEntries(HOSTILE.map(([, h], i) => [`h${i}.yaml`, specs(i, h)]));
    writeFiles(dir, files);
    service = await startService({ sloPaths: Object.keys(files).map((f) => join(dir, f)), host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, log: () => {} });
    // One ok and one failed request series per hostile path, over a few minutes.
    const series = HOSTILE.flatMap(([, h]) =>
      ['200', '500'].map((code) => ({ labels: { __name__: 'http_requests_total', code, path: h }, samples: [0, 1, 2, 3].map((k) => ({ value: k * (code === '200' ? 100 : 1), timestampMs: t0 + k * 60_000 })) })),
    );
    const r = await fetch(`${service.url}/api/v1/write`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' }, body: snappyCompress(encodeWriteRequestV1(series)) as BodyInit });
    expect(r.status, await r.text()).toBe(204);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await prometheus?.stop();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics that a real Prometheus scrapes back to the same label values, and loads the rule files the same', async () => {
    const rulesDir = join(dir, 'rules');
    mkdirSync(rulesDir, { recursive: true });
    const all = loaded.flatMap((l) => l.slos);
    writeFiles(rulesDir, Object.fromEntries([...ruleOutputs(all, { ...OPTS, prometheusRule: false })].filter(([f]) => f.endsWith('.rules.yaml'))));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, JSON.stringify({ global: { scrape_interval: '1s', evaluation_interval: '1m' }, rule_files: [join(rulesDir, '*.rules.yaml')], scrape_configs: [{ job_name: 'engine', static_configs: [{ targets: [service.url.replace('http://', '')] }] }] }));
    prometheus = await startPrometheus({ workDir: dir, configFile: config, dataDir: join(dir, 'prom'), logName: 'prometheus.log' });
    // Prometheus's YAML parser (Go, YAML 1.1) reads every label and annotation as written.
    const groups = await ruleGroups(prometheus.url);
    const seen = new Map<string, Array<{ labels?: Record<string, string>; annotations?: Record<string, string>; type: string }>>();
    for (const g of groups) for (const r of g.rules as never as Array<{ labels?: Record<string, string>; annotations?: Record<string, string>; type: string }>) seen.set(r.labels?.slo_id ?? '', [...(seen.get(r.labels?.slo_id ?? '') ?? []), r]);
    HOSTILE.forEach(([name, h], i) => {
      const rules = seen.get(`web-h${i}`) ?? [];
      expect(rules.length, name).toBeGreaterThan(0);
      for (const r of rules.filter((x) => x.type === 'recording')) expect(r.labels!.team, name).toBe(h);
    });
    const alerting = groups.flatMap((g) => g.rules as never as Array<{ type: string; name: string; labels: Record<string, string>; annotations: Record<string, string> }>).filter((r) => r.type === 'alerting');
    for (const [name, h] of HOSTILE) {
      expect(alerting.some((r) => r.annotations.note === annotationTemplate(h) && r.labels.owner === literalTemplateText(h)), name).toBe(true);
    }
    // The scrape: the engine's recorded series, one per hostile path and SLO label value.
    let samples: Awaited<ReturnType<typeof instantQuery>> = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      samples = await instantQuery(prometheus.url, 'slo:sli_error:ratio_rate30m{job="engine"}');
      if (samples.length >= HOSTILE.length) break;
      await sleep(500);
    }
    for (const [name, h] of HOSTILE) {
      const s = samples.find((x) => x.metric.path === h);
      expect(s, `${name}: ${JSON.stringify(samples.map((x) => x.metric.path))}`).toBeDefined();
      expect(s!.metric.team, name).toBe(h);
    }
  }, 90_000);

  it('shows them on the on-call page as text, in a real Chromium, and runs no injected script', async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(service.url);
    await page.waitForSelector('table.slos tbody tr');
    expect(await page.$$eval('table.slos tbody tr', (trs) => trs.length)).toBe(HOSTILE.length * 2);
    for (const [name, h, i] of HOSTILE.map(([n, v], k) => [n, v, k] as const)) {
      await page.goto(`${service.url}/slo/web-h${i}`);
      await page.waitForSelector('main h1');
      const shown = await page.evaluate(() => ({
        paragraphs: [...document.querySelectorAll('main p')].map((p) => p.textContent ?? ''),
        options: [...document.querySelectorAll('main option')].map((o) => o.textContent ?? ''),
        links: [...document.querySelectorAll<HTMLAnchorElement>('main a[target]')].map((a) => a.href),
        injected: document.querySelectorAll('main img, main script').length,
      }));
      // HTML parsing drops a NUL before any script sees the text (the page has no other way to show it).
      const asHtml = (s: string) => s.replace(/\u0000/g, '');
      if (h.length <= 1050) expect(shown.paragraphs, name).toContain(asHtml(h));
      expect(shown.injected, name).toBe(0);
      expect(shown.links.some((l) => l.startsWith('https://runbooks.example/')), name).toBe(true);
    }
    // The group picker of an SLO with several paths: here one path per SLO, so the page shows the
    // one group; the list's filter box takes the string as a value, not as markup.
    await page.goto(service.url);
    await page.waitForSelector('#filter');
    await page.fill('#filter', '</script><img src=x onerror=alert(1)>');
    await sleep(300);
    expect(await page.$$eval('main img', (els) => els.length)).toBe(0);
    expect(dialogs).toEqual([]);
  }, 120_000);
});

describe('annotations as templates', () => {
  it.each(HOSTILE)('with %s expand in Prometheus to what the engine shows', (_name, h) => {
    const labels = { job: 'api' };
    // Prometheus expands the generated text; the engine expands the annotation as the spec wrote it.
    expect(expandTemplate(annotationTemplate(h), labels, 1.5)).toBe(expandTemplate(h, labels, 1.5));
  });
});
