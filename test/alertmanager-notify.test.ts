/**
 * The notifier against a real Alertmanager 0.25 (and a few fake endpoints for the failures a real
 * one does not produce on demand). Small settings keep the file fast: evaluations every 250 ms,
 * a resend delay of 1 s, retries from 100 ms to 400 ms.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AlertmanagerNotifier, RESOLVED_RETENTION_MS, type EngineAlert, type NotifierOptions, type PostableAlert } from '../src/notify/index.js';
import { startAlertmanager, waitUntil, type TestAlertmanager } from './helpers/alertmanager.js';
import { sleep } from './helpers/prometheus-process.js';

const EVAL_MS = 250;
const RESEND_MS = 1000;
const FAST: Omit<NotifierOptions, 'urls'> = {
  resendDelayMs: RESEND_MS,
  evalIntervalMs: EVAL_MS,
  timeoutMs: 2000,
  backoffMs: { initial: 100, max: 400 },
};

let am: TestAlertmanager;

beforeAll(async () => {
  am = await startAlertmanager();
});

afterAll(async () => {
  await am?.close();
});

describe('a notifier in front of a real Alertmanager', () => {
  it('delivers a firing alert with exactly its labels and annotations, then its resolution', async () => {
    const notifier = newNotifier({ urls: [am.url], generatorUrl: 'http://engine.example/slo/checkout' });
    const alert = firing('CheckoutFastBurn', { slo_id: 'checkout-availability', severity: 'page', slo_tier: 'page-fast' }, { summary: 'Checkout burns its budget 14x too fast', runbook_url: 'https://runbooks.example/checkout' });

    notifier.update([alert], Date.now());
    const fired = await am.waitForNotification('CheckoutFastBurn', 'firing');

    expect(fired.alerts).toHaveLength(1);
    expect(fired.alerts[0]!.labels).toStrictEqual(alert.labels);
    expect(fired.alerts[0]!.annotations).toStrictEqual(alert.annotations);
    expect(Date.parse(fired.alerts[0]!.startsAt)).toBe(alert.firedAt);
    expect(fired.alerts[0]!.generatorURL).toBe('http://engine.example/slo/checkout');

    const resolvedAt = Date.now();
    notifier.update([resolve(alert, resolvedAt)], resolvedAt);
    const resolved = await am.waitForNotification('CheckoutFastBurn', 'resolved');

    expect(resolved.alerts[0]!.status).toBe('resolved');
    expect(resolved.alerts[0]!.labels).toStrictEqual(alert.labels);
    expect(Date.parse(resolved.alerts[0]!.endsAt)).toBe(resolvedAt);
    expect(notifier.stats()).toMatchObject({ sent: 2, failed: 0, pending: 0, dropped: 0 });
  });

  it('re-sends a firing alert every resend delay with an endsAt well beyond it, and Alertmanager notifies only once', async () => {
    const posts = recordPosts();
    const notifier = newNotifier({ urls: [am.url], fetch: posts.fetch });
    const alert = firing('LatencySlowBurn', { slo_id: 'api-latency', severity: 'ticket' });
    evaluateEvery(EVAL_MS, notifier, () => [alert]);

    await waitUntil(() => posts.alerts('LatencySlowBurn').length >= 3, { what: 'three sends' });
    const sends = posts.alerts('LatencySlowBurn');

    // endsAt = evaluation time + 4 × max(resendDelay, evalInterval); the POST follows the evaluation.
    const validity = 4 * Math.max(RESEND_MS, EVAL_MS);
    for (const s of sends) {
      expect(Date.parse(s.alert.endsAt) - s.at).toBeLessThanOrEqual(validity);
      expect(Date.parse(s.alert.endsAt) - s.at).toBeGreaterThan(validity - 100);
    }
    for (let i = 1; i < sends.length; i++) {
      const gap = Date.parse(sends[i]!.alert.endsAt) - Date.parse(sends[i - 1]!.alert.endsAt);
      expect(gap).toBeGreaterThan(RESEND_MS);
      expect(gap).toBeLessThan(RESEND_MS + 3 * EVAL_MS);
    }
    const [stored] = (await am.alerts()).filter((a) => a.labels.alertname === 'LatencySlowBurn');
    expect(Date.parse(stored!.endsAt)).toBe(Date.parse(sends.at(-1)!.alert.endsAt));
    expect(Date.parse(stored!.endsAt) - Date.now()).toBeGreaterThan(RESEND_MS);
    expect(am.notificationsFor('LatencySlowBurn').map((n) => n.status)).toStrictEqual(['firing']);
  });

  it('keeps what happens while Alertmanager is down and delivers all of it once it is back', async () => {
    const down = await startAlertmanager();
    onTestFinished(() => down.close());
    const lines: string[] = [];
    const notifier = newNotifier({ urls: [down.url], log: (l) => lines.push(l) });
    let alerts = [firing('QuotaBurnA', { slo_id: 'quota-a' })];
    evaluateEvery(EVAL_MS, notifier, () => alerts);
    await down.waitForNotification('QuotaBurnA', 'firing');

    await down.stop();
    alerts = [resolve(alerts[0]!, Date.now()), firing('QuotaBurnB', { slo_id: 'quota-b' })];
    await sleep(3 * RESEND_MS);

    const whileDown = notifier.stats();
    expect(whileDown.perUrl[down.url]).toMatchObject({ up: false });
    expect(whileDown.failed).toBeGreaterThan(2);
    expect(whileDown.lastError).toContain('ECONNREFUSED');
    expect(whileDown.pending).toBe(2); // the latest state of each, not every re-send
    expect(lines.some((l) => l.includes('could not send') && l.includes('ECONNREFUSED'))).toBe(true);

    await down.restart();
    const resolvedA = await down.waitForNotification('QuotaBurnA', 'resolved');
    const firedB = await down.waitForNotification('QuotaBurnB', 'firing');

    expect(resolvedA.alerts[0]!.labels.slo_id).toBe('quota-a');
    expect(firedB.alerts[0]!.labels.slo_id).toBe('quota-b');
    const after = notifier.stats();
    expect(after.perUrl[down.url]).toMatchObject({ up: true });
    expect(after.dropped).toBe(0);
    expect(lines.some((l) => l.includes('reachable again'))).toBe(true);
  });

  it('delivers every firing and every resolution once a flapping Alertmanager is back, through several stops and starts', async () => {
    const flap = await startAlertmanager();
    onTestFinished(() => flap.close());
    const notifier = newNotifier({ urls: [flap.url] });
    const CYCLES = 4;
    const name = (k: number) => `FlapBurn${k}`;
    let alerts: EngineAlert[] = [firing(name(0), { slo_id: 'flap-0' })];
    evaluateEvery(EVAL_MS, notifier, () => alerts);
    await flap.waitForNotification(name(0), 'firing');

    // Cycle k, all while Alertmanager is down: FlapBurn<k> starts firing and FlapBurn<k-1> resolves.
    // Down for 1.5 s (several failed sends), then a short blip of no time at all every other cycle.
    for (let k = 1; k <= CYCLES; k++) {
      await flap.stop();
      const previous = alerts.find((a) => a.labels.alertname === name(k - 1))!;
      alerts = [resolve(previous, Date.now()), firing(name(k), { slo_id: `flap-${k}` })];
      if (k % 2 === 1) await sleep(1500);
      await flap.restart();
      await flap.waitForNotification(name(k), 'firing');
      await flap.waitForNotification(name(k - 1), 'resolved');
      const active = (await flap.alerts()).map((a) => a.labels.alertname);
      expect(active).toContain(name(k));
      expect(active).not.toContain(name(k - 1));
    }

    for (let k = 0; k < CYCLES; k++) {
      // Once each: Alertmanager keeps its notification log across a restart, so re-sent alerts are not notified again.
      expect(flap.notificationsFor(name(k)).map((n) => n.status), `${name(k)} was notified firing, then resolved, once each`).toStrictEqual(['firing', 'resolved']);
    }
    expect(flap.notificationsFor(name(CYCLES)).map((n) => n.status)).toStrictEqual(['firing']);
    const stats = notifier.stats();
    expect(stats.failed, 'sends failed while it was down').toBeGreaterThan(0);
    expect(stats.dropped).toBe(0);
    console.log(`[alertmanager-flap] ${CYCLES} stops and starts: ${flap.notifications.length} webhook notifications (${flap.notifications.map((n) => `${n.groupLabels.alertname} ${n.status}`).join(', ')}); ${stats.failed} sends failed while down, ${stats.dropped} dropped`);
  });

  it('sends to a second Alertmanager promptly while the first one is down', async () => {
    const other = await startAlertmanager();
    onTestFinished(() => other.close());
    await other.stop();
    const notifier = newNotifier({ urls: [other.url, am.url] });

    const start = Date.now();
    notifier.update([firing('EvictionBurn', { slo_id: 'evictions' })], start);
    await am.waitForNotification('EvictionBurn', 'firing');

    expect(Date.now() - start).toBeLessThan(3000); // group_wait is 1s
    const stats = notifier.stats();
    expect(stats.perUrl[am.url]).toMatchObject({ sent: 1, up: true });
    expect(stats.perUrl[other.url]).toMatchObject({ sent: 0, up: false });
  });

  it('is not held up by an Alertmanager that accepts connections and never answers', async () => {
    const hanging = await fakeEndpoint(() => undefined);
    const notifier = newNotifier({ urls: [hanging.url, am.url], timeoutMs: 20_000 });
    onTestFinished(() => hanging.close()); // runs before the notifier's close(), which would wait for the answer

    const start = Date.now();
    notifier.update([firing('SchedulerBurn', { slo_id: 'scheduling' })], start);
    await am.waitForNotification('SchedulerBurn', 'firing');

    expect(Date.now() - start).toBeLessThan(3000);
    expect(hanging.requests).toHaveLength(1);
    expect(notifier.stats().perUrl[hanging.url]).toMatchObject({ sent: 0, failed: 0 });
  });

  it("logs Alertmanager's own reason when it refuses an alert, and does not resend it", async () => {
    const lines: string[] = [];
    const notifier = newNotifier({ urls: [am.url], log: (l) => lines.push(l) });

    notifier.update([firing('BadLabels', { 'slo-id': 'not a label name' })], Date.now());
    await notifier.flush();

    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('HTTP 400: invalid label set: invalid name "slo-id"');
    expect(notifier.stats()).toMatchObject({ sent: 0, failed: 1, pending: 0 });
  });
});

describe('a notifier in front of a failing endpoint', () => {
  it('drops the oldest alerts past maxQueue, counts and logs them, and delivers the newest', async () => {
    let up = false;
    const endpoint = await fakeEndpoint((_req, res) => res.writeHead(up ? 200 : 503).end());
    const lines: string[] = [];
    const notifier = newNotifier({ urls: [endpoint.url], maxQueue: 3, log: (l) => lines.push(l) });
    const alerts = [1, 2, 3, 4, 5].map((i) => firing(`Overflow${i}`, {}));

    notifier.update(alerts, Date.now());
    await notifier.flush();

    expect(notifier.stats()).toMatchObject({ dropped: 2, pending: 3 });
    expect(lines.filter((l) => l.includes('queue full'))).toStrictEqual([expect.stringContaining('dropped the 2 oldest')]);

    notifier.update(alerts.slice(2), Date.now() + 2 * RESEND_MS); // the queued ones re-sent: coalesced, nothing more dropped
    expect(notifier.stats()).toMatchObject({ dropped: 2, pending: 3 });

    up = true;
    await waitUntil(() => notifier.stats().pending === 0, { what: 'the queue to drain' });
    const delivered = endpoint.requests.filter((r) => r.status === 200).flatMap((r) => r.alerts.map((a) => a.labels.alertname));
    expect(delivered).toStrictEqual(['Overflow3', 'Overflow4', 'Overflow5']);
  });

  it('logs the reason of a 400 and gives up on that batch instead of retrying it forever', async () => {
    const endpoint = await fakeEndpoint((_req, res) => res.writeHead(400, { 'Content-Type': 'application/json' }).end('"start time must be before end time"'));
    const lines: string[] = [];
    const notifier = newNotifier({ urls: [endpoint.url], log: (l) => lines.push(l) });

    notifier.update([firing('Rejected', {})], Date.now());
    await notifier.flush();
    await sleep(1000); // several backoff periods

    expect(endpoint.requests).toHaveLength(1);
    expect(lines).toStrictEqual([expect.stringContaining('rejected 1 alerts, not resending them (HTTP 400: start time must be before end time)')]);
    expect(notifier.stats()).toMatchObject({ sent: 0, failed: 1, pending: 0, lastError: `${endpoint.url}: HTTP 400: start time must be before end time` });
  });

  it('retries 429 and 5xx answers with backoff until one succeeds', async () => {
    const answers = [429, 503, 500, 200];
    const endpoint = await fakeEndpoint((_req, res) => res.writeHead(answers.shift() ?? 200).end('busy'));
    const notifier = newNotifier({ urls: [endpoint.url], log: () => {} });

    notifier.update([firing('Flaky', {})], Date.now());
    await waitUntil(() => notifier.stats().sent === 1, { what: 'delivery' });

    expect(endpoint.requests.map((r) => r.status)).toStrictEqual([429, 503, 500, 200]);
    expect(notifier.stats()).toMatchObject({ sent: 1, failed: 3, pending: 0, perUrl: { [endpoint.url]: { up: true } } });
  });

  it('posts JSON arrays of at most 64 alerts to /api/v2/alerts', async () => {
    const endpoint = await fakeEndpoint((_req, res) => res.writeHead(200).end());
    const notifier = newNotifier({ urls: [`${endpoint.url}/`] });

    notifier.update(
      Array.from({ length: 130 }, (_, i) => firing(`Many${i}`, {})),
      Date.now(),
    );
    await notifier.flush();

    expect(endpoint.requests.map((r) => r.alerts.length)).toStrictEqual([64, 64, 2]);
    expect(endpoint.requests.every((r) => r.path === '/api/v2/alerts' && r.method === 'POST' && r.contentType === 'application/json')).toBe(true);
  });
});

describe('when alerts are sent, on a simulated clock', () => {
  it('never sends pending alerts; sends a firing one at once and a resolved one at once', async () => {
    const posts = recordPosts(() => new Response(null, { status: 200 }));
    const notifier = newNotifier({ urls: ['http://alertmanager.invalid'], fetch: posts.fetch });
    const t0 = 1_700_000_000_000;
    const pending: EngineAlert = { labels: { alertname: 'Slow' }, annotations: {}, state: 'pending', activeAt: t0 };

    notifier.update([pending], t0);
    notifier.update([pending], t0 + EVAL_MS);
    await notifier.flush();
    expect(posts.all).toHaveLength(0);

    const fired = { ...pending, state: 'firing' as const, firedAt: t0 + 2 * EVAL_MS };
    notifier.update([fired], t0 + 2 * EVAL_MS);
    const resolved = resolve(fired, t0 + 3 * EVAL_MS);
    notifier.update([resolved], t0 + 3 * EVAL_MS);
    await notifier.flush();

    expect(posts.all.map((p) => [p.alert.startsAt, p.alert.endsAt])).toStrictEqual([
      [iso(t0 + 2 * EVAL_MS), iso(t0 + 2 * EVAL_MS + 4 * RESEND_MS)],
      [iso(t0 + 2 * EVAL_MS), iso(t0 + 3 * EVAL_MS)],
    ]);
  });

  it('re-sends a resolved alert each resend delay for 15 minutes, even once the engine stops reporting it', async () => {
    const posts = recordPosts(() => new Response(null, { status: 200 }));
    const notifier = newNotifier({ urls: ['http://alertmanager.invalid'], fetch: posts.fetch, resendDelayMs: 60_000, evalIntervalMs: 30_000 });
    const t0 = 1_700_000_000_000;
    const alert = resolve({ labels: { alertname: 'Gone' }, annotations: {}, state: 'firing', activeAt: t0 - 600_000, firedAt: t0 - 300_000 }, t0);

    const sentAt: number[] = [];
    for (let t = t0; t <= t0 + RESOLVED_RETENTION_MS + 120_000; t += 30_000) {
      const before = posts.all.length;
      notifier.update(t === t0 ? [alert] : [], t);
      await notifier.flush();
      if (posts.all.length > before) sentAt.push(t);
    }

    const times = sentAt.map((t) => (t - t0) / 1000);
    // Strictly after lastSent + 1m, so with 30s evaluations every 90s, as Prometheus does.
    expect(times).toStrictEqual([0, 90, 180, 270, 360, 450, 540, 630, 720, 810, 900]);
    expect(posts.all.every((p) => p.alert.endsAt === iso(t0))).toBe(true);
  });
});

// ---- helpers -------------------------------------------------------------------------------

function newNotifier(opts: Partial<NotifierOptions> & Pick<NotifierOptions, 'urls'>): AlertmanagerNotifier {
  const notifier = new AlertmanagerNotifier({ ...FAST, log: () => {}, ...opts });
  onTestFinished(() => notifier.close());
  return notifier;
}

function firing(alertname: string, labels: Record<string, string>, annotations: Record<string, string> = {}): EngineAlert {
  const now = Date.now();
  return { labels: { alertname, ...labels }, annotations, state: 'firing', activeAt: now - 120_000, firedAt: now - 1000 };
}

function resolve(alert: EngineAlert, at: number): EngineAlert {
  return { ...alert, state: 'inactive', resolvedAt: at };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Calls update() every `ms` with the engine's current alerts, as an evaluation loop would. */
function evaluateEvery(ms: number, notifier: AlertmanagerNotifier, current: () => EngineAlert[]): void {
  notifier.update(current(), Date.now());
  const timer = setInterval(() => notifier.update(current(), Date.now()), ms);
  onTestFinished(() => clearInterval(timer));
}

/** A fetch that records each posted alert and when, then answers with `answer` or passes the request on. */
function recordPosts(answer?: () => Response) {
  const all: Array<{ at: number; alert: PostableAlert }> = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const body = JSON.parse(String(init?.body)) as PostableAlert[];
    for (const alert of body) all.push({ at: Date.now(), alert });
    return answer ? answer() : fetch(input, init);
  };
  return {
    fetch: fetchFn,
    all,
    alerts: (alertname: string) => all.filter((p) => p.alert.labels.alertname === alertname),
  };
}

interface FakeRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  alerts: PostableAlert[];
  status?: number;
}

/** An HTTP server on 127.0.0.1 that records requests and lets `handle` answer (or not). */
async function fakeEndpoint(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; requests: FakeRequest[]; close(): Promise<void> }> {
  const requests: FakeRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: FakeRequest = { method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], alerts: JSON.parse(Buffer.concat(chunks).toString('utf8')) as PostableAlert[] };
      requests.push(entry);
      res.once('finish', () => (entry.status = res.statusCode));
      handle(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }));
  onTestFinished(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close };
}
