import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulation, type Simulation } from '../src/cli/simulate-command.js';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { startService, type EngineService } from '../src/service/service.js';
import { sleep } from './helpers/prometheus-process.js';
import { scratchDir } from './helpers/promtool.js';
import { RequestTraffic } from './helpers/request-traffic.js';

const MINUTE = 60_000;
const ARTIFACTS = resolve('test-artifacts');
const SPEC = `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: requests }
spec:
  service: checkout
  description: Checkout requests that do not fail.
  objective: 99.9
  sli:
    events:
      bad: 'web_requests_total{code=~"5.."}'
      total: 'web_requests_total'
`;
/**
 * 6% errors until 35 minutes ago, healthy since: the 1h window burns at 20x or more but the 5m and
 * 30m windows do not, so no page fires; the 1d and 2h windows do, so the ticket tiers fire.
 */
const SLOW_BURN = { '200': 94, '500': 6 };
const HEALTHY = { '200': 100, '500': 0 };
const OUTAGE = { '200': 10, '500': 90 };

interface ApiSlo {
  id: string;
  status: string;
  groups: Array<{ budgetRemaining: number | null; windows: Record<string, { burnRate: number | null; sli: number | null }> }>;
  window: string;
  alerts: Array<{ state: string; tier: string | null }>;
}

/**
 * The on-call page in Debian's Chromium, driven by playwright-core: the engine in process, fed
 * by the simulated platform over HTTP (slos/) and by a checkout service whose burn the test
 * controls.
 */
describe('the on-call page in a real browser', () => {
  const dir = scratchDir('web-page-');
  let service: EngineService;
  let simulation: Simulation;
  let traffic: RequestTraffic;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(dir, 'checkout.yaml'), SPEC);
    // A drill under way on one SLO: its row and page must say why it stays quiet.
    writeFileSync(join(dir, 'drill.yaml'), `apiVersion: slo.caas.dev/v1
kind: Maintenance
metadata: { name: node-image-rollout }
spec:
  service: kubelet
  slos: [image-pull-time]
  windows: [{ start: "${new Date(Date.now() - 10 * MINUTE).toISOString()}", end: "${new Date(Date.now() + 3 * 60 * MINUTE).toISOString()}" }]
`);
    service = await startService({ sloPaths: ['slos', join(dir, 'checkout.yaml'), join(dir, 'drill.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, evalIntervalMs: 1000, log: () => {} });
    simulation = await startSimulation({ remoteWrite: `${service.url}/api/v1/write`, historyMs: 60 * MINUTE, incidents: false, intervalMs: 1000, log: () => {} });
    traffic = new RequestTraffic({ engineUrl: service.url, metric: 'web_requests_total', labels: { job: 'checkout' }, rates: SLOW_BURN, lagMs: MINUTE });
    const until = Date.now() - MINUTE;
    await traffic.backfill(until - 70 * MINUTE, until - 35 * MINUTE, 15_000);
    traffic.rates = HEALTHY;
    await traffic.backfill(until - 35 * MINUTE, until, 15_000);
    traffic.start(500);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'dark', timezoneId: 'Europe/Berlin' });
    // Let the simulator's hour of history arrive.
    while (((await (await fetch(`${service.url}/api/v1/slos`)).json()) as { data: ApiSlo[] }).data.filter((s) => s.groups.length).length < 5) await sleep(250);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await traffic?.stop();
    await simulation?.stop();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function listed(): Promise<{ api: ApiSlo[]; rows: Array<{ id: string; state: string; budget: string; burn1h: string; maintenance: boolean }> }> {
    const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/slos');
    await page.goto(service.url);
    const api = ((await (await response).json()) as { data: ApiSlo[] }).data;
    await page.waitForSelector('table.slos tbody tr');
    const rows = await page.$$eval('table.slos tbody tr', (trs) =>
      trs.map((tr) => ({
        id: (tr as HTMLElement).dataset.id!,
        state: (tr as HTMLElement).dataset.state!,
        budget: tr.querySelector('[data-col="budget"] .num')?.textContent ?? '–',
        burn1h: tr.querySelector('[data-window="1h"]')?.textContent ?? '',
        maintenance: tr.querySelector('.badge.maint') !== null,
      })),
    );
    return { api, rows };
  }

  it('lists every SLO with the values of the JSON API, the burning ones first and none without data among the healthy', async () => {
    const { api, rows } = await listed();
    expect(rows.map((r) => r.id).sort()).toEqual(api.map((s) => s.id).sort());
    for (const row of rows) {
      const slo = api.find((s) => s.id === row.id)!;
      // The row shows the group in the worst state: the least budget among those burning fastest.
      const budgets = slo.groups.map((g) => g.budgetRemaining).filter((b): b is number => b !== null);
      if (budgets.length === 0) expect(row.budget).toBe('–');
      else expect(budgets.map((b) => `${(b * 100).toFixed(1)}%`)).toContain(row.budget);
    }
    const rank = (state: string) => ({ page: 0, ticket: 1, 'no-data': 2, stale: 2, pending: 3, exhausted: 4, ok: 5, unavailable: 6 })[state] ?? 9;
    const ranks = rows.map((r) => rank(r.state));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    // The checkout SLO burns slowly (its ticket tiers fire) and leads the list.
    const checkout = api.find((s) => s.id === 'checkout-requests')!;
    expect(rows[0], JSON.stringify({ windows: checkout.groups[0]?.windows, alerts: checkout.alerts })).toMatchObject({ id: 'checkout-requests', state: 'ticket' });
    // SLOs the stream cannot compute say so; they are not shown as ok.
    expect(rows.filter((r) => r.state === 'unavailable').map((r) => r.id).sort()).toEqual(['kube-state-metrics-deployment-success', 'kubelet-eviction-rate', 'shop-cost-per-request']);
    // Only the SLO under planned maintenance carries the MAINT badge.
    expect(rows.filter((r) => r.maintenance).map((r) => r.id)).toEqual(['kubelet-image-pull-time']);
    await page.screenshot({ path: join(ARTIFACTS, 'web-list.png'), fullPage: true });
  });

  it('sorts by a column, filters by text, and moves with the keyboard', async () => {
    await page.goto(service.url);
    await page.waitForSelector('table.slos tbody tr');
    await page.click('th button[data-sort="budget"]');
    const budgets = await page.$$eval('table.slos tbody tr [data-col="budget"] .num', (els) => els.map((e) => Number.parseFloat(e.textContent ?? '')));
    const known = budgets.filter((b) => Number.isFinite(b));
    expect(known).toEqual([...known].sort((a, b) => a - b));
    await page.keyboard.press('/');
    await page.keyboard.type('kubelet');
    const services = await page.$$eval('table.slos tbody tr td:nth-child(2)', (els) => els.map((e) => e.textContent));
    expect(services.length).toBeGreaterThan(0);
    expect(new Set(services)).toEqual(new Set(['kubelet']));
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/slo\/kubelet-/);
  });

  it('opens an SLO on its own URL and draws its SLI, burn-down and burn rates', async () => {
    await page.goto(`${service.url}/slo/kube-apiserver-requests-availability`);
    await page.waitForFunction(() => (window.sloCharts?.length ?? 0) === 3);
    const charts = await page.evaluate(() => window.sloCharts!);
    expect(charts.map((c) => c.id)).toEqual(['chart-sli', 'chart-budget', 'chart-burn']);
    // The first series of each chart is the data (the others are objective, ideal and thresholds).
    for (const c of charts) expect(c.points[0], `${c.id} ${c.series[0]}`).toBeGreaterThan(5);
    expect(charts[2]!.series).toEqual(expect.arrayContaining(['burn 1h', 'burn 5m', 'threshold 14.4x']));
    expect(await page.textContent('main h1')).toContain('kube-apiserver / requests-availability');
    expect(await page.$$eval('table.tiers tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.tier))).toEqual(['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow']);
    expect(await page.textContent('pre.yaml')).toContain('control-plane-availability');
    expect(await page.$$eval('details summary code', (els) => els.map((e) => e.textContent))).toContain('slo:sli_error:ratio_rate1h');
    // Times in the browser's zone by default (Berlin is +01:00 in November), UTC on request.
    expect(await page.textContent('#status')).toMatch(/\+01:00/);
    await page.click('#zone');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('UTC'));
    await page.click('#zone');
  });

  it('says on the page of an SLO under planned maintenance which window it is and that its alerts are silenced', async () => {
    await page.goto(`${service.url}/slo/kubelet-image-pull-time`);
    await page.waitForSelector('.banner.maint');
    const text = await page.textContent('.banner.maint');
    expect(text).toContain('node-image-rollout');
    expect(text).toContain('alerts are silenced');
    expect(text).not.toContain('left out of the budget');
  });

  it('shows a fast burn as a page without a reload', async () => {
    await page.goto(service.url);
    await page.waitForSelector('tr[data-id="checkout-requests"]');
    expect(await page.getAttribute('tr[data-id="checkout-requests"]', 'data-state')).toBe('ticket');
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    traffic.rates = OUTAGE;
    await page.waitForSelector('tr[data-id="checkout-requests"][data-state="page"]', { timeout: 120_000 });
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await page.title()).toMatch(/firing/);
    const api = ((await (await fetch(`${service.url}/api/v1/slos/checkout-requests`)).json()) as { data: ApiSlo }).data;
    expect(api.alerts.some((a) => a.tier === 'page-fast' && a.state === 'firing')).toBe(true);
    // The burning SLO in depth, for the README.
    await page.click('tr[data-id="checkout-requests"] a');
    await page.waitForFunction(() => (window.sloCharts?.length ?? 0) === 3);
    expect(await page.getAttribute('table.tiers tr[data-tier="page-fast"]', 'data-state')).toBe('firing');
    await page.screenshot({ path: join(ARTIFACTS, 'web-detail.png'), fullPage: false });
  }, 150_000);
});
