/**
 * Planned maintenance in the running engine (startService, in process, as `slo serve` runs it):
 *
 * - budget exclusion: two SLOs read the same requests over remote-write; one has a maintenance
 *   window left out of its budget that holds every error. Its windows must count neither the
 *   errors nor the other requests of the window, the other SLO's must count them all;
 * - /metrics serves slo_maintenance for both kinds of window;
 * - silences in a real Alertmanager (Debian's prometheus-alertmanager 0.25): created for a window
 *   starting now on the SLO's identity labels, pending for one within the look-ahead, none
 *   beyond it; the engine's page shows as suppressed and reaches no receiver; removing the
 *   window expires its silence and the page goes out; a restart creates nothing twice; an
 *   Alertmanager that was down gets its silences once back.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../src/model/duration.js';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { Engine } from '../src/engine/engine.js';
import { windowOf } from '../src/engine/evaluate.js';
import { startService, type EngineService } from '../src/service/service.js';
import { loadSlos } from '../src/spec/load.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { startAlertmanager, waitUntil, type TestAlertmanager } from './helpers/alertmanager.js';
import { scratchDir } from './helpers/promtool.js';
import { remoteWrite, RequestTraffic } from './helpers/request-traffic.js';

const iso = (ms: number) => new Date(ms).toISOString();

interface ApiWindow {
  total: number | null;
  bad: number | null;
  burnRate: number | null;
}
interface ApiSlo {
  id: string;
  groups: Array<{ windows: Record<string, ApiWindow>; budgetRemaining: number | null }>;
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

describe('maintenance left out of the budget in the engine', () => {
  const dir = scratchDir('engine-maintenance-');
  const now = Date.now();
  const STEP = 15_000;
  // Errors only from 45 to 25 minutes ago, all inside api's window (50 to 20 minutes ago).
  const errorsFrom = now - 45 * MINUTE;
  const errorsTo = now - 25 * MINUTE;
  const windowFrom = now - 50 * MINUTE;
  const windowTo = now - 20 * MINUTE;
  const spec = (name: string) => `apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: web
  objective: 99.9
  sli:
    events:
      bad: 'mw_requests_total{code=~"5.."}'
      total: 'mw_requests_total'
`;
  const files = `${spec('api')}---\n${spec('control')}---
apiVersion: slo.caas.dev/v1
kind: Maintenance
metadata: { name: db-migration }
spec:
  service: web
  slos: [api]
  excludeFromBudget: true
  windows: [{ start: "${iso(windowFrom)}", end: "${iso(windowTo)}" }]
---
apiVersion: slo.caas.dev/v1
kind: Maintenance
metadata: { name: failover-drill }
spec:
  service: web
  slos: [control]
  windows: [{ start: "${iso(now - 10 * MINUTE)}", end: "${iso(now + 60 * MINUTE)}" }]
`;
  let service: EngineService;
  /** What each sample adds to the SLI's total (every code) and bad (5xx) counts, by timestamp. */
  const increases: Array<{ ts: number; total: number; bad: number }> = [];

  beforeAll(async () => {
    writeFileSync(join(dir, 'slos.yaml'), files);
    service = await startService({ sloPaths: [join(dir, 'slos.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, log: () => {} });
    const ok: Array<{ value: number; timestampMs: number }> = [];
    const failed: Array<{ value: number; timestampMs: number }> = [];
    let good = 0;
    let bad = 0;
    for (let ts = Math.floor((now - 65 * MINUTE) / STEP) * STEP; ts <= now - 2 * MINUTE; ts += STEP) {
      const first = ok.length === 0;
      const errors = ts > errorsFrom && ts <= errorsTo ? 15 : 0;
      good += first ? 0 : 150;
      bad += first ? 0 : errors;
      ok.push({ value: good, timestampMs: ts });
      failed.push({ value: bad, timestampMs: ts });
      if (!first) increases.push({ ts, total: 150 + errors, bad: errors });
    }
    await remoteWrite(service.url, [
      { labels: { __name__: 'mw_requests_total', code: '200', job: 'web' }, samples: ok },
      { labels: { __name__: 'mw_requests_total', code: '500', job: 'web' }, samples: failed },
    ]);
  });
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts neither the errors nor the requests of the window, where the same SLI without it counts them all', async () => {
    const { data } = await getJson<{ data: ApiSlo[] }>(`${service.url}/api/v1/slos`);
    const api = data.find((s) => s.id === 'web-api')!.groups[0]!;
    const control = data.find((s) => s.id === 'web-control')!.groups[0]!;
    const inWindow = increases.filter((i) => i.ts >= windowFrom && i.ts < windowTo);
    const errors = increases.reduce((n, i) => n + i.bad, 0);
    expect(errors).toBeGreaterThan(0);

    expect(control.windows['1h']!.bad).toBe(errors);
    expect(api.windows['1h']!.bad).toBe(0);
    expect(api.windows['1h']!.burnRate).toBe(0);
    expect(control.windows['1h']!.burnRate).toBeGreaterThan(1);
    expect(control.windows['1h']!.total! - api.windows['1h']!.total!).toBe(inWindow.reduce((n, i) => n + i.total, 0));
    expect(api.windows['1h']!.total).toBeGreaterThan(0);
    expect(api.budgetRemaining).toBe(1);
    expect(control.budgetRemaining).toBeLessThan(1);
  });

  it('tells the API which window is under way and until when, and for a finished one, none', async () => {
    type WithMaintenance = { id: string; maintenance: { active: { name: string; until: string; excludedFromBudget: boolean } | null; next: unknown } };
    const { data } = await getJson<{ data: WithMaintenance[] }>(`${service.url}/api/v1/slos`);
    const control = data.find((s) => s.id === 'web-control')!;
    expect(control.maintenance.active).toMatchObject({ name: 'failover-drill', excludedFromBudget: false });
    expect(Date.parse(control.maintenance.active!.until)).toBe(now + 60 * MINUTE);
    expect(data.find((s) => s.id === 'web-api')!.maintenance).toEqual({ active: null, next: null });
  });

  it('serves slo_maintenance on /metrics, 1 while a window is on, labelled by whether it is left out of the budget', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const lines = text.split('\n').filter((l) => l.startsWith('slo_maintenance{'));
    expect(lines).toHaveLength(2);
    expect(text).toContain('# TYPE slo_maintenance gauge');
    expect(lines).toContain('slo_maintenance{slo_budget="excluded",slo_id="web-api",slo_name="api",slo_service="web"} 0');
    expect(lines).toContain('slo_maintenance{slo_budget="counted",slo_id="web-control",slo_name="control",slo_service="web"} 1');
  });
});

describe('maintenance left out of the budget in what the engine reads from a query API', () => {
  const dir = scratchDir('engine-maintenance-query-');
  const BUCKET = 5 * MINUTE;
  const t = Math.floor(Date.now() / BUCKET) * BUCKET - 60 * MINUTE;
  const yaml = (name: string, sli: string) => `apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: q
  objective: 99
  sli:
    events:
${sli}
`;
  const file = join(dir, 'q.yaml');
  writeFileSync(file, `${yaml('templated', "      bad: { promql: 'sum(increase(q_errors_total[{{.window}}]))' }\n      total: { promql: 'sum(increase(q_requests_total[{{.window}}]))' }")}---
${yaml('streamed', "      bad: 'q_requests_total{code=~\"5..\"}'\n      total: q_requests_total")}---
apiVersion: slo.caas.dev/v1
kind: Maintenance
metadata: { name: upgrade }
spec:
  service: q
  excludeFromBudget: true
  windows: [{ start: "${iso(t - 30 * MINUTE)}", end: "${iso(t - 14 * MINUTE)}" }]
`);
  const loaded = loadSlos([file]);
  // Twelve 5m buckets ending at t - 55m … t, 100 requests and 10 errors each; those ending at t - 30m … t - 15m are in maintenance.
  const rows = Array.from({ length: 12 }, (_, i) => ({ labels: {}, key: '', end: t - 55 * MINUTE + i * BUCKET, total: 100, bad: 10 }));

  it('drops the 5m values read for a query-mode SLI and the history filled in for a streamed one, where they end in the window', () => {
    expect(loaded.problems).toStrictEqual([]);
    const store = new SqliteStore(join(dir, 'data'));
    try {
      const engine = new Engine({ store, render: DEFAULT_RENDER_OPTIONS, queryBackend: true });
      engine.setSlos(loaded.slos);
      engine.setQueryBuckets('q-templated', rows);
      expect(engine.fillHistory('q-streamed', rows)).toBe(12);
      for (const id of ['q-templated', 'q-streamed']) {
        const hour = windowOf(engine.statusOf(engine.state(id)!, t).groups[0]!, 60 * MINUTE)!;
        expect({ id, total: hour.total, bad: hour.bad }).toStrictEqual({ id, total: 8 * 100, bad: 8 * 10 });
      }
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- silences in a real Alertmanager -------------------------------------------------------

interface Silence {
  id: string;
  status: { state: string };
  comment: string;
  createdBy: string;
  startsAt: string;
  endsAt: string;
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>;
}

describe('maintenance silences in a real Alertmanager', () => {
  const dir = scratchDir('engine-silences-');
  const file = join(dir, 'checkout.yaml');
  const start = Date.now();
  const migrationEnd = Math.floor((start + 30 * MINUTE) / 1000) * 1000;
  // A daily window two hours from now (local time in UTC, to the minute): within the 24h look-ahead.
  const nightly = Math.floor((start + 120 * MINUTE) / MINUTE) * MINUTE;
  const SLO = `apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: requests }
spec:
  service: checkout
  objective: 99.9
  sli:
    events:
      bad: 'ms_requests_total{code=~"5.."}'
      total: 'ms_requests_total'
`;
  const maintenance = (name: string, body: string) => `---
apiVersion: slo.caas.dev/v1
kind: Maintenance
metadata: { name: ${name} }
spec:
  service: checkout
  comment: ${name} of the orders database
${body}`;
  const migration = maintenance('migration', `  windows: [{ start: "${iso(start - MINUTE)}", end: "${iso(migrationEnd)}" }]\n`);
  const nightlyDoc = maintenance('nightly', `  recurring: [{ start: "${iso(nightly).slice(11, 16)}", duration: 30m }]\n`);
  const far = maintenance('far', `  windows: [{ start: "${iso(start + 3 * 24 * 60 * MINUTE)}", end: "${iso(start + 3 * 24 * 60 * MINUTE + MINUTE * 60)}" }]\n`);
  const ids = [
    { name: 'slo_id', value: 'checkout-requests', isRegex: false, isEqual: true },
    { name: 'slo_name', value: 'requests', isRegex: false, isEqual: true },
    { name: 'slo_service', value: 'checkout', isRegex: false, isEqual: true },
  ];
  let am: TestAlertmanager;
  let service: EngineService;
  let traffic: RequestTraffic | undefined;
  const log: string[] = [];

  const start_ = () =>
    startService({
      sloPaths: [file], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test',
      alertmanagerUrls: [am.url], evalIntervalMs: 1000, resendDelayMs: 2000, watch: false, log: (l) => log.push(l),
    });
  const silences = async () => {
    const r = await fetch(`${am.url}/api/v2/silences`, { signal: AbortSignal.timeout(5000) });
    return ((await r.json()) as Silence[]).filter((s) => s.createdBy === 'slo-engine');
  };
  const byName = (list: Silence[], name: string) => list.filter((s) => s.comment.includes(`maintenance ${name} `));

  beforeAll(async () => {
    mkdirSync(join(dir, 'data'));
    writeFileSync(file, SLO + migration + nightlyDoc + far);
    am = await startAlertmanager();
    service = await start_();
    // An hour of 10% errors: a burn of 100, so the page tier fires at the first evaluations.
    traffic = new RequestTraffic({ engineUrl: service.url, metric: 'ms_requests_total', labels: { job: 'checkout' }, rates: { '200': 9, '500': 1 }, lagMs: MINUTE });
    await traffic.backfill(start - 71 * MINUTE, start - MINUTE, 15_000);
    traffic.start(500);
  });
  afterAll(async () => {
    await traffic?.stop();
    await service?.close();
    await am?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a silence on the SLO identity labels for a window under way, ending with the window', async () => {
    await service.silencer!.sync();
    const list = await silences();
    const [active] = byName(list, 'migration');
    expect(byName(list, 'migration')).toHaveLength(1);
    expect(active!.status.state).toBe('active');
    expect([...active!.matchers].sort((a, b) => (a.name < b.name ? -1 : 1))).toStrictEqual(ids);
    expect(Date.parse(active!.endsAt)).toBe(migrationEnd);
    // Alertmanager moves a start in the past to the moment it got the silence.
    expect(Date.parse(active!.startsAt)).toBeGreaterThanOrEqual(start - MINUTE);
    expect(Date.parse(active!.startsAt)).toBeLessThanOrEqual(Date.now());
    expect(active!.comment).toMatch(/^Planned maintenance migration of checkout: migration of the orders database \[slo-engine checkout-requests\/migration\/\S+\]$/);
  });

  it('creates a pending silence for the next occurrence of a schedule within the look-ahead, and none for a window days away', async () => {
    const list = await silences();
    const pending = byName(list, 'nightly');
    expect(pending).toHaveLength(1);
    expect(pending[0]!.status.state).toBe('pending');
    expect(Date.parse(pending[0]!.startsAt)).toBe(nightly);
    expect(Date.parse(pending[0]!.endsAt)).toBe(nightly + 30 * MINUTE);
    expect(byName(list, 'far')).toStrictEqual([]);
    expect(list).toHaveLength(2);
  });

  it('lets the engine page as usual, and Alertmanager holds the page as suppressed without notifying anyone', async () => {
    const silenceId = byName(await silences(), 'migration')[0]!.id;
    const alert = await waitUntil(
      async () => (await am.alerts()).find((a) => a.labels.slo_id === 'checkout-requests' && a.labels.slo_tier === 'page-fast'),
      { timeoutMs: 30_000, what: 'the page of checkout-requests in Alertmanager' },
    );
    expect(alert.status.state).toBe('suppressed');
    expect((alert.status as { silencedBy?: string[] }).silencedBy).toStrictEqual([silenceId]);
    // Past group_wait (1s) and a few resends: still nothing at the receiver.
    await new Promise((r) => setTimeout(r, 4000));
    expect(am.notifications.flatMap((n) => n.alerts).filter((a) => a.labels.slo_id === 'checkout-requests')).toStrictEqual([]);
  });

  it('expires the silence of a window removed from the files on reload, and the page then reaches the receiver', async () => {
    writeFileSync(file, SLO + nightlyDoc + far);
    const reloaded = await service.reload();
    expect(reloaded.ok).toBe(true);
    await service.silencer!.sync();
    const list = await silences();
    expect(byName(list, 'migration').map((s) => s.status.state)).toStrictEqual(['expired']);
    expect(byName(list, 'nightly').map((s) => s.status.state)).toStrictEqual(['pending']);
    expect(log.some((l) => /silence \S+ expired: checkout-requests\/migration\//.test(l))).toBe(true);
    await am.waitForNotification('ErrorBudgetBurn', 'firing', 20_000);
  });

  it('creates nothing twice after the engine restarts', async () => {
    const before = (await silences()).map((s) => s.id).sort();
    await traffic!.stop();
    traffic = undefined;
    await service.close();
    service = await start_();
    await service.silencer!.sync();
    expect((await silences()).map((s) => s.id).sort()).toStrictEqual(before);
    expect(log.filter((l) => l.includes('created for checkout-requests/nightly/'))).toHaveLength(1);
  });

  it('creates the silence of a new window once an Alertmanager that was down is back', async () => {
    await am.stop();
    writeFileSync(file, SLO + nightlyDoc + far + maintenance('failover', `  windows: [{ start: "${iso(Date.now())}", end: "${iso(Date.now() + 20 * MINUTE)}" }]\n`));
    expect((await service.reload()).ok).toBe(true);
    await waitUntil(() => log.some((l) => l.includes('could not sync maintenance silences') && l.includes('ECONNREFUSED')), { what: 'a failed sync while Alertmanager is down' });
    await am.restart();
    const created = await waitUntil(async () => byName(await silences(), 'failover')[0], { timeoutMs: 40_000, what: 'the failover silence after Alertmanager is back' });
    expect(created.status.state).toBe('active');
    expect(log.some((l) => l.includes('silences in sync again'))).toBe(true);
  });
});
