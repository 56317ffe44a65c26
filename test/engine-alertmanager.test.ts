/**
 * The engine as `slo serve` runs it (startService, in process) in front of a real Alertmanager
 * (Debian's prometheus-alertmanager, no gossip), fed over remote-write like a Prometheus would.
 *
 * The SLO is checkout/requests at 99.9% with the default tiers. An hour of history at 10% errors
 * makes every window burn at 100x, so all four tiers fire, page-fast among them. The tests run in
 * order, each going on from where the previous one left the service:
 *
 * 1. the fast burn pages, with the labels and annotations the generated rule would give;
 * 2. a surge of healthy requests cools the 5m window and the page resolves;
 * 3. Alertmanager is stopped, errors come back and the page fires again; it arrives once
 *    Alertmanager is back.
 *
 * Live samples are stamped one minute in the past. The engine's 5m window counts whole minutes
 * only, so a sample stamped now would count once its minute is over; stamped a minute back, it
 * lands in the newest whole minute and the next evaluation sees it. That keeps each phase to a
 * few seconds instead of up to a minute.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ActiveAlert } from '../src/engine/alert-state.js';
import type { Slo } from '../src/model/slo.js';
import { ruleFile } from '../src/rules/index.js';
import type { RenderOptions } from '../src/rules/types.js';
import { startService, type EngineService } from '../src/service/service.js';
import { loadSlos } from '../src/spec/load.js';
import { startAlertmanager, waitUntil, type TestAlertmanager, type WebhookAlert } from './helpers/alertmanager.js';
import { scratchDir } from './helpers/promtool.js';
import { RequestTraffic, type Rates } from './helpers/request-traffic.js';

const EVAL_MS = 1000;
const RESEND_MS = 2000;
const TICK_MS = 500;
const LAG_MS = 60_000;
const MINUTE = 60_000;

/** 10% errors: a burn rate of 100 against a 0.1% budget, in every window. */
const BURNING: Rates = { '200': 9, '500': 1 };
/** Enough healthy requests to bring the 5m window under the page-fast threshold within seconds. */
const SURGE: Rates = { '200': 10_000, '500': 0 };
const HEALTHY: Rates = { '200': 10, '500': 0 };
const OUTAGE: Rates = { '200': 100, '500': 900 };

const RENDER: RenderOptions = { grafanaUrl: 'http://grafana.test:3000', extraLabels: { cluster: 'ci' } };
const SPEC = `apiVersion: slo.caas.dev/v1
kind: SLO
metadata:
  name: requests
  labels: { team: payments }
spec:
  service: checkout
  objective: 99.9
  sli:
    events:
      bad: 'am_requests_total{code=~"5.."}'
      total: 'am_requests_total'
`;

let dir: string;
let slo: Slo;
let am: TestAlertmanager;
let service: EngineService;
let traffic: RequestTraffic;
const engineLog: string[] = [];

beforeAll(async () => {
  dir = scratchDir('engine-am-');
  writeFileSync(join(dir, 'checkout.yaml'), SPEC);
  mkdirSync(join(dir, 'data'));
  const loaded = loadSlos([join(dir, 'checkout.yaml')]);
  expect(loaded.problems).toStrictEqual([]);
  slo = loaded.slos[0]!;

  am = await startAlertmanager();
  service = await startService({
    sloPaths: [join(dir, 'checkout.yaml')],
    host: '127.0.0.1',
    port: 0,
    dataDir: join(dir, 'data'),
    render: RENDER,
    version: 'test',
    alertmanagerUrls: [am.url],
    evalIntervalMs: EVAL_MS,
    resendDelayMs: RESEND_MS,
    watch: false,
    log: (line) => engineLog.push(line),
  });
  traffic = new RequestTraffic({ engineUrl: service.url, metric: 'am_requests_total', labels: { job: 'checkout', instance: 'checkout-1:8080' }, rates: BURNING, lagMs: LAG_MS });
  const until = Date.now() - LAG_MS;
  await traffic.backfill(until - 70 * MINUTE, until, 15_000);
  traffic.start(TICK_MS);
});

afterAll(async () => {
  await traffic?.stop();
  await service?.close();
  await am?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the engine in front of a real Alertmanager', () => {
  let firstFiredAt: number;
  let firstResolvedAt: number;

  it('pages on an injected fast burn with exactly the labels and expanded annotations of the generated rule', async () => {
    const engineAlert = await waitForEngineAlert('page-fast', (a) => a.state === 'firing');
    firstFiredAt = engineAlert.firedAt!;
    const fired = await waitForWebhookAlert('page-fast', 'firing');

    const rule = generatedRule('page-fast');
    expect(fired.labels).toStrictEqual(rule.labels);
    expect(engineAlert.labels).toStrictEqual(rule.labels);
    expect(Object.keys(fired.annotations).sort()).toStrictEqual(Object.keys(rule.annotations).sort());
    for (const [name, template] of Object.entries(rule.annotations)) {
      const m = templateMatcher(template, rule.labels).exec(fired.annotations[name]!);
      expect(m, `annotation ${name}: ${JSON.stringify(fired.annotations[name])} is not ${JSON.stringify(template)} expanded`).not.toBeNull();
      for (const value of m!.slice(1)) expect(Number(value)).toBeGreaterThan(rule.factor);
    }
    expect(JSON.stringify(fired.annotations)).not.toContain('{{');
    expect(Date.parse(fired.startsAt)).toBe(firstFiredAt);

    // Both windows of the tier burn far above its factor, and the other tiers fire with their own rule's labels.
    const windows = await sloWindows();
    expect(windows['1h']!.burnRate).toBeGreaterThan(rule.factor);
    expect(windows['5m']!.burnRate).toBeGreaterThan(rule.factor);
    const notification = am.notificationsFor(slo.alerting.name).find((n) => n.alerts.includes(fired))!;
    const byTier = (a: { labels: Record<string, string> }, b: { labels: Record<string, string> }) => (a.labels.slo_tier! < b.labels.slo_tier! ? -1 : 1);
    expect(notification.alerts.sort(byTier).map((a) => a.labels)).toStrictEqual(slo.alerting.tiers.map((t) => generatedRule(t.name)).sort(byTier).map((r) => r.labels));
  });

  it('sends the resolution, with the same labels, once healthy traffic cools the 5m window', async () => {
    traffic.rates = SURGE;
    const engineAlert = await waitForEngineAlert('page-fast', (a) => a.state === 'inactive');
    traffic.rates = HEALTHY;
    firstResolvedAt = engineAlert.resolvedAt!;
    const resolved = await waitForWebhookAlert('page-fast', 'resolved');

    expect(resolved.labels).toStrictEqual(generatedRule('page-fast').labels);
    expect(Date.parse(resolved.startsAt)).toBe(firstFiredAt);
    expect(Date.parse(resolved.endsAt)).toBe(firstResolvedAt);
    const windows = await sloWindows();
    expect(windows['5m']!.burnRate).toBeLessThanOrEqual(generatedRule('page-fast').factor);
  });

  it('delivers a page that fired while Alertmanager was down once Alertmanager is back', async () => {
    await am.stop();
    const failedBefore = await notifierCount('failed');
    traffic.rates = OUTAGE;

    const again = await waitForEngineAlert('page-fast', (a) => a.state === 'firing' && a.activeAt > firstResolvedAt);
    const isAgain = (a: WebhookAlert) => Date.parse(a.startsAt) === again.firedAt;
    // Down long enough for attempts to fail and every tier to be re-sent: the queue keeps the latest state of each alert, once.
    await waitUntil(async () => (await notifierCount('failed')) > failedBefore && (await notifierQueue()) === slo.alerting.tiers.length, {
      timeoutMs: 10_000,
      what: 'failed attempts and one queued alert per tier',
    });
    expect(engineLog.some((l) => l.includes('could not send') && l.includes('ECONNREFUSED'))).toBe(true);
    expect(am.notificationsFor(slo.alerting.name).flatMap((n) => n.alerts).some(isAgain)).toBe(false);

    await am.restart();
    const fired = await waitForWebhookAlert('page-fast', 'firing', isAgain);

    expect(fired.labels).toStrictEqual(generatedRule('page-fast').labels);
    expect(again.firedAt).toBeGreaterThan(firstResolvedAt);
    await waitUntil(async () => (await notifierQueue()) === 0, { what: 'the notifier queue to drain' });
    expect(engineLog.some((l) => l.includes('reachable again'))).toBe(true);
    expect(traffic.error).toBeUndefined();
  });
});

// ---- helpers -------------------------------------------------------------------------------

interface ExpectedAlert {
  /** The labels Prometheus gives the alert: the recorded series' (without the dropped window label), the rule's, alertname. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  factor: number;
}

interface RuleYaml {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** What a Prometheus loading the generated rule file would attach to this tier's alert. */
function generatedRule(tier: string): ExpectedAlert {
  const file = parse(ruleFile(slo, RENDER, 'test')) as { groups: Array<{ rules: RuleYaml[] }> };
  const rules = file.groups.flatMap((g) => g.rules);
  const alert = rules.find((r) => r.alert === slo.alerting.name && r.labels?.slo_tier === tier);
  if (!alert) throw new Error(`no alerting rule for tier ${tier} in the generated rule file`);
  // `max without (<window>) (<record>{...} > <factor>) and ...`: the left side's labels, minus the window label.
  const m = /^max without \((\w+)\) \(([\w:]+)\{[^}]*\} > ([\d.]+)\)/.exec(alert.expr);
  if (!m) throw new Error(`unexpected alert expression: ${alert.expr}`);
  const [, windowLabel, record, factor] = m;
  const recording = rules.find((r) => r.record === record);
  if (!recording) throw new Error(`no recording rule for ${record}`);
  const series = Object.fromEntries(Object.entries(recording.labels ?? {}).filter(([k]) => k !== windowLabel));
  return { labels: { ...series, ...alert.labels, alertname: alert.alert! }, annotations: alert.annotations ?? {}, factor: Number(factor) };
}

/** The annotation as Prometheus would expand it: labels filled in, each printf'd $value captured. */
function templateMatcher(template: string, labels: Record<string, string>): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = template
    .split(/(\{\{.*?\}\})/)
    .map((part) => {
      const label = /^\{\{\s*\$labels\.(\w+)\s*\}\}$/.exec(part);
      if (label) return escape(labels[label[1]!] ?? '');
      const printf = /^\{\{\s*printf\s+"%\.(\d+)f"\s+\$value\s*\}\}$/.exec(part);
      if (printf) return `(\\d+\\.\\d{${printf[1]}})`;
      return escape(part);
    })
    .join('');
  return new RegExp(`^${source}$`);
}

async function getJson<T>(path: string): Promise<T> {
  const r = await fetch(`${service.url}${path}`, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** Polls the engine's GET /api/v1/alerts for this tier's alert until `ok` holds. */
async function waitForEngineAlert(tier: string, ok: (a: ActiveAlert) => boolean): Promise<ActiveAlert> {
  let last: ActiveAlert | undefined;
  const probe = async () => {
    const { data } = await getJson<{ data: ActiveAlert[] }>('/api/v1/alerts');
    last = data.find((a) => a.labels.alertname === slo.alerting.name && a.labels.slo_tier === tier);
    return last && ok(last) ? last : undefined;
  };
  try {
    return await waitUntil(probe, { timeoutMs: 20_000, what: `the engine's ${tier} alert` });
  } catch (e) {
    const seen = last && { state: last.state, activeAt: last.activeAt, value: last.value };
    throw new Error(`${(e as Error).message}; last seen ${JSON.stringify(seen)}, windows ${JSON.stringify(await sloWindows())}`);
  }
}

/** The SLO's windows as GET /api/v1/slos reports them, by window ('5m', '1h', ...). */
async function sloWindows(): Promise<Record<string, { total: number | null; bad: number | null; burnRate: number | null }>> {
  const { data } = await getJson<{ data: Array<{ id: string; groups: Array<{ windows: Record<string, { total: number | null; bad: number | null; burnRate: number | null }> }> }> }>('/api/v1/slos');
  return data.find((s) => s.id === slo.id)!.groups[0]!.windows;
}

/** Waits for a webhook notification carrying this tier's alert with this status. */
async function waitForWebhookAlert(tier: string, status: 'firing' | 'resolved', ok: (a: WebhookAlert) => boolean = () => true): Promise<WebhookAlert> {
  const find = () => am.notificationsFor(slo.alerting.name).flatMap((n) => n.alerts).find((a) => a.labels.slo_tier === tier && a.status === status && ok(a));
  try {
    return await waitUntil(find, { timeoutMs: 20_000, what: `a ${status} ${tier} alert at the webhook` });
  } catch (e) {
    const got = am.notifications.map((n) => n.alerts.map((a) => `${a.labels.slo_tier}:${a.status}`));
    throw new Error(`${(e as Error).message}; notifications so far ${JSON.stringify(got)}; engine log ${JSON.stringify(engineLog.slice(-5))}`);
  }
}

async function metricsText(): Promise<string> {
  const r = await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(5000) });
  return r.text();
}

/** slo_engine_alertmanager_notifications{outcome} from the engine's /metrics. */
async function notifierCount(outcome: 'sent' | 'failed' | 'dropped'): Promise<number> {
  const text = await metricsText();
  const m = new RegExp(`^slo_engine_alertmanager_notifications(?:_total)?\\{[^}]*outcome="${outcome}"[^}]*\\} (\\S+)`, 'm').exec(text);
  if (!m) throw new Error(`no slo_engine_alertmanager_notifications{outcome="${outcome}"} in /metrics:\n${text}`);
  return Number(m[1]);
}

/** slo_engine_alertmanager_queue: alerts waiting for an Alertmanager. */
async function notifierQueue(): Promise<number> {
  const text = await metricsText();
  const m = /^slo_engine_alertmanager_queue(?:\{[^}]*\})? (\S+)/m.exec(text);
  if (!m) throw new Error(`no slo_engine_alertmanager_queue in /metrics:\n${text}`);
  return Number(m[1]);
}
