import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseListen, registerSimulate, startSimulation } from '../src/cli/simulate-command.js';
import { decodeWriteRequestV1, type DecodedSeries } from '../src/ingest/remote-write-v1.js';
import { snappyDecompress } from '../src/ingest/snappy.js';
import { freePort } from './helpers/prometheus-process.js';
import {
  createPlatform,
  driveIncidents,
  INCIDENT_FAULTS,
  incidentSchedule,
  startRemoteWriter,
  STEP_MS,
  type Incident,
  type Platform,
  type RemoteWriter,
  type RemoteWriterOptions,
} from '../src/simulator/index.js';

const START = Date.UTC(2026, 0, 5, 8, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  series: DecodedSeries[];
  samples: number;
}

type Answer = { status: number; headers?: Record<string, string>; body?: string };

/**
 * A remote-write receiver on 127.0.0.1 that decodes every body with our own decoders and answers
 * as `answer` says for the n-th request (0-based). Only accepted (2xx) requests count as received.
 * It closes itself when the test ends.
 */
async function receiver(answer: (n: number) => Answer = () => ({ status: 204 })) {
  const accepted: Received[] = [];
  const attempts: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = attempts.length;
      attempts.push(Date.now());
      const a = answer(n);
      if (a.status < 300) {
        const decoded = decodeWriteRequestV1(snappyDecompress(new Uint8Array(Buffer.concat(chunks)), 64 << 20));
        accepted.push({ at: Date.now(), headers: req.headers, series: decoded.series, samples: decoded.samples });
      }
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers }).end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  return { url, accepted, attempts };
}

/** A remote writer that is stopped when the test ends; its log lines are kept. */
function writer(opts: RemoteWriterOptions): { w: RemoteWriter; logs: string[] } {
  const logs: string[] = [];
  const w = startRemoteWriter({ log: (l) => logs.push(l), ...opts });
  onTestFinished(() => w.stop());
  return { w, logs };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const keyOf = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

/** What a receiver should hold: every series of a twin platform at each step from START to `toMs`. */
function expected(toMs: number, clusters?: string[]): Map<string, Array<{ value: number; timestampMs: number }>> {
  const twin = createPlatform({ startMs: START, clusters });
  const out = new Map<string, Array<{ value: number; timestampMs: number }>>();
  for (let t = START; t <= toMs; t += STEP_MS) {
    twin.advance(t);
    for (const s of twin.samples()) {
      const key = keyOf({ __name__: s.name, ...s.labels });
      if (!out.has(key)) out.set(key, []);
      out.get(key)!.push({ value: s.value, timestampMs: t });
    }
  }
  return out;
}

/** The received samples per series, in the order they arrived. */
function arrived(accepted: Received[]): Map<string, Array<{ value: number; timestampMs: number }>> {
  const out = new Map<string, Array<{ value: number; timestampMs: number }>>();
  for (const r of accepted) {
    for (const s of r.series) {
      const key = keyOf(s.labels);
      if (!out.has(key)) out.set(key, []);
      out.get(key)!.push(...s.samples);
    }
  }
  return out;
}

const total = (m: Map<string, unknown[]>) => [...m.values()].reduce((n, v) => n + v.length, 0);

describe('the remote writer', () => {
  it('pushes every 15 s step of the platform, in batches of at most batchSamples, each series complete and in time order, with Prometheus remote-write headers', async () => {
    const rx = await receiver();
    const platform = createPlatform({ startMs: START });
    const clockAt = START + 40 * STEP_MS;
    const want = expected(clockAt);
    const { w } = writer({ platform, url: rx.url, intervalMs: 50, batchSamples: 1000, now: () => clockAt, headers: { Authorization: 'Bearer demo' } });
    await until(() => w.stats().samples === total(want), 'every sample is accepted');

    expect(arrived(rx.accepted)).toEqual(want);
    for (const r of rx.accepted) {
      expect(r.samples).toBeLessThanOrEqual(1000);
      expect(r.headers['content-encoding']).toBe('snappy');
      expect(r.headers['content-type']).toBe('application/x-protobuf');
      expect(r.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
      expect(r.headers['user-agent']).toMatch(/^slo-engine-simulator\/\d+\.\d+\.\d+/);
      expect(r.headers.authorization).toBe('Bearer demo');
    }
    expect(w.stats()).toMatchObject({ sent: rx.accepted.length, failed: 0, retried: 0, lastError: undefined });
  });

  it('sends each step once as the clock moves on, however many steps one interval covers', async () => {
    const rx = await receiver();
    const platform = createPlatform({ startMs: START, clusters: ['eu-1'] });
    let clock = START;
    const { w } = writer({ platform, url: rx.url, intervalMs: 20, now: () => clock });
    for (const to of [START + STEP_MS, START + 5 * STEP_MS, START + 5 * STEP_MS + 7_000, START + 9 * STEP_MS]) {
      clock = to;
      const want = expected(to, ['eu-1']);
      await until(() => w.stats().samples === total(want), `the steps up to +${(to - START) / 1000}s are accepted`);
    }
    expect(arrived(rx.accepted)).toEqual(expected(START + 9 * STEP_MS, ['eu-1']));
  });

  it('runs the simulated clock `speed` times faster than the wall clock', async () => {
    const rx = await receiver();
    const platform = createPlatform({ startMs: START, clusters: ['eu-1'] });
    let clock = START;
    const { w } = writer({ platform, url: rx.url, intervalMs: 20, speed: 60, now: () => clock });
    clock = START + 1000;
    const want = expected(START + MINUTE, ['eu-1']);
    await until(() => w.stats().samples === total(want), 'a simulated minute is accepted');
    expect(arrived(rx.accepted)).toEqual(want);
  });

  it('retries while the receiver answers 503 and loses nothing once it accepts', async () => {
    const rx = await receiver((n) => (n < 3 ? { status: 503, body: 'starting up' } : { status: 200 }));
    const platform = createPlatform({ startMs: START });
    const clockAt = START + 8 * STEP_MS;
    const want = expected(clockAt);
    const { w, logs } = writer({ platform, url: rx.url, intervalMs: 50, minBackoffMs: 10, now: () => clockAt });
    await until(() => w.stats().samples === total(want), 'every sample is accepted');

    expect(arrived(rx.accepted)).toEqual(want);
    expect(w.stats()).toMatchObject({ retried: 3, failed: 0, lastError: '503 Service Unavailable: starting up' });
    expect(logs.filter((l) => /failing/.test(l))).toHaveLength(1);
    expect(logs.some((l) => /works again/.test(l))).toBe(true);
  });

  it('waits as long as a 429 answer\'s Retry-After asks before trying again', async () => {
    const rx = await receiver((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' } : { status: 204 }));
    const platform = createPlatform({ startMs: START, clusters: ['eu-1'] });
    const { w } = writer({ platform, url: rx.url, intervalMs: 50, minBackoffMs: 10, now: () => START });
    await until(() => w.stats().sent === 1, 'the retried request is accepted');

    expect(rx.attempts).toHaveLength(2);
    expect(rx.attempts[1]! - rx.attempts[0]!).toBeGreaterThanOrEqual(950);
    expect(w.stats()).toMatchObject({ retried: 1, failed: 0 });
  });

  it('drops a request refused with 400 without retrying it, and logs the receiver\'s reason', async () => {
    const rx = await receiver(() => ({ status: 400, body: 'out of order sample' }));
    const platform = createPlatform({ startMs: START, clusters: ['eu-1'] });
    const { w, logs } = writer({ platform, url: rx.url, intervalMs: 20, minBackoffMs: 10, now: () => START });
    await until(() => w.stats().failed === 1, 'the request is dropped');
    await new Promise((r) => setTimeout(r, 200));

    expect(rx.attempts).toHaveLength(1);
    expect(w.stats()).toMatchObject({ sent: 0, failed: 1, retried: 0, samples: 0, lastError: '400 Bad Request: out of order sample' });
    expect(logs).toEqual([expect.stringMatching(/^\[simulator\] remote-write to http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write refused \d+ samples, not retrying: 400 Bad Request: out of order sample$/)]);
  });

  it('keeps retrying a receiver that is not there, logging it once, and stops at once when asked', async () => {
    const url = `http://127.0.0.1:${await freePort()}/api/v1/write`;
    const platform = createPlatform({ startMs: START, clusters: ['eu-1'] });
    const { w, logs } = writer({ platform, url, intervalMs: 20, minBackoffMs: 5, maxBackoffMs: 20, now: () => START });
    await until(() => w.stats().retried >= 3, 'three retries have happened');

    expect(w.stats().lastError).toMatch(/ECONNREFUSED/);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/failing .*ECONNREFUSED.*retrying until it answers/);
    const stopping = Date.now();
    await w.stop();
    expect(Date.now() - stopping).toBeLessThan(500);
  });

  it('gives up on a request after maxAttempts when asked to, counting it as failed', async () => {
    const rx = await receiver(() => ({ status: 500, body: 'boom' }));
    const platform = createPlatform({ startMs: START, clusters: ['eu-1'] });
    const { w, logs } = writer({ platform, url: rx.url, intervalMs: 20, minBackoffMs: 5, maxAttempts: 3, now: () => START });
    await until(() => w.stats().failed === 1, 'the request is dropped');

    expect(rx.attempts).toHaveLength(3);
    expect(w.stats()).toMatchObject({ retried: 2, failed: 1, sent: 0 });
    expect(logs.at(-1)).toMatch(/dropped \d+ samples after 3 attempts: 500 Internal Server Error: boom/);
  });
});

describe('the incident schedule', () => {
  const incidentsOver = (s: ReturnType<typeof incidentSchedule>, ms: number): Incident[] => {
    const seen = new Map<number, Incident>();
    for (let t = s.startMs; t < s.startMs + ms; t += 5_000) {
      const i = s.incidentAt(t);
      if (i) seen.set(i.index, i);
    }
    return [...seen.values()];
  };

  it('is the same for the same seed and different for another', () => {
    const list = (seed: number) => incidentsOver(incidentSchedule({ seed, startMs: START }), 3 * HOUR).map((i) => `${i.fault}@${i.level}`);
    expect(list(1)).toEqual(list(1));
    expect(list(1)).not.toEqual(list(2));
  });

  it('starts one incident every incidentEveryMs for incidentMs, plus an early one at firstAfterMs, none overlapping', () => {
    const s = incidentSchedule({ startMs: START });
    const seen = incidentsOver(s, 24 * HOUR);
    expect(seen).toHaveLength(1 + 143);
    expect(seen[0]).toMatchObject({ index: 0, startsAt: START + 30_000, endsAt: START + 30_000 + 4 * MINUTE });
    seen.slice(1).forEach((i, k) => expect(i).toMatchObject({ index: k + 1, startsAt: START + (k + 1) * 10 * MINUTE, endsAt: START + (k + 1) * 10 * MINUTE + 4 * MINUTE }));
    for (const i of seen) {
      expect(s.incidentAt(i.startsAt - 1)).toBeUndefined();
      expect(s.incidentAt(i.startsAt)).toEqual(i);
      expect(s.incidentAt(i.endsAt - 1)).toEqual(i);
      expect(s.incidentAt(i.endsAt)).toBeUndefined();
    }
    expect(incidentsOver(incidentSchedule({ startMs: START, firstAfterMs: false }), HOUR)[0]!.index).toBe(1);
  });

  it('turns every knob once a round, at a level that lifts a whole hour over the 1.44% that pages a 99.9% SLO', () => {
    for (const durationMs of [4 * MINUTE, 10 * MINUTE, 30 * MINUTE]) {
      const s = incidentSchedule({ seed: 5, startMs: START, durationMs, everyMs: 2 * durationMs });
      const seen = incidentsOver(s, 40 * durationMs);
      expect(new Set(seen.slice(0, INCIDENT_FAULTS.length).map((i) => i.fault))).toEqual(new Set(INCIDENT_FAULTS));
      for (const i of seen) {
        expect(i.faults).toEqual({ [i.fault]: i.level });
        expect((i.level * durationMs) / HOUR).toBeGreaterThan(0.0144);
        expect(i.level).toBeLessThanOrEqual(1);
      }
    }
    // A longer incident needs less: 4 minutes take over 21.6%, half an hour a few percent.
    const level = (durationMs: number) => incidentSchedule({ startMs: START, durationMs, everyMs: HOUR }).incidentAt(START + 30_000)!.level;
    expect(level(4 * MINUTE)).toBeGreaterThan(0.216);
    expect(level(30 * MINUTE)).toBeLessThanOrEqual(0.06);
  });

  it('refuses incidents that could not fit their interval', () => {
    expect(() => incidentSchedule({ startMs: START, everyMs: 4 * MINUTE, durationMs: 4 * MINUTE })).toThrow(/longer than the duration/);
    expect(() => incidentSchedule({ startMs: START, everyMs: 5 * MINUTE, durationMs: 4 * MINUTE, firstAfterMs: 2 * MINUTE })).toThrow(/run into/);
  });

  it('is applied to the platform at each start and end, with a clearly labelled log line, and really moves the series', () => {
    const p = createPlatform({ startMs: START });
    const calls: Array<{ at: number; faults: object }> = [];
    const platform: Platform = {
      get nowMs() {
        return p.nowMs;
      },
      setFaults: (f) => {
        calls.push({ at: p.nowMs, faults: f });
        p.setFaults(f);
      },
      advance: (t) => p.advance(t),
      samples: () => p.samples(),
    };
    const s = incidentSchedule({ startMs: START, faults: ['apiserverErrors'] });
    const logs: string[] = [];
    const advance = driveIncidents(platform, s, { clusters: ['eu-1', 'us-1'], log: (l) => logs.push(l) });
    const errors = () => {
      let bad = 0;
      let all = 0;
      for (const x of p.samples()) {
        if (x.name !== 'apiserver_request_total' || !/^(LIST|GET|POST|PUT|PATCH|DELETE)$/.test(x.labels.verb!) || x.labels.subresource === 'eviction') continue;
        all += x.value;
        if (x.labels.code!.startsWith('5')) bad += x.value;
      }
      return { bad, all };
    };
    const first = s.incidentAt(START + 30_000)!;
    advance(first.startsAt);
    const before = errors();
    // Clock ticks as a remote writer's or a scraper's would, mid-step.
    for (let t = first.startsAt; t <= first.endsAt; t += 7_000) advance(t);
    advance(first.endsAt);
    const after = errors();
    for (let t = first.endsAt; t <= START + 12 * MINUTE; t += 7_000) advance(t);

    expect(logs).toEqual([
      `[simulator] incident: apiserver 5xx at ${Math.round(first.level * 100)}% for 4m (clusters eu-1, us-1)`,
      '[simulator] incident over: apiserver 5xx back to normal after 4m',
      expect.stringMatching(/^\[simulator\] incident: apiserver 5xx at \d+% for 4m \(clusters eu-1, us-1\)$/),
    ]);
    expect(calls.map((c) => c.faults)).toEqual([{}, first.faults, {}, s.incidentAt(START + 10 * MINUTE)!.faults]);
    for (const [i, at] of [[1, first.startsAt], [2, first.endsAt], [3, START + 10 * MINUTE]] as const) {
      expect(calls[i]!.at).toBeGreaterThan(at - STEP_MS);
      expect(calls[i]!.at).toBeLessThanOrEqual(at);
    }
    const share = (after.bad - before.bad) / (after.all - before.all);
    expect(share).toBeGreaterThan(first.level - 0.03);
    expect(share).toBeLessThan(first.level + 0.03);
  });
});

describe('slo simulate', () => {
  it('refuses to start with neither --remote-write nor --listen, and says which to give', async () => {
    await expect(startSimulation({})).rejects.toThrow(/--remote-write URL .* --listen HOST:PORT .* or both/);
    const program = new Command('slo').exitOverride();
    let err = '';
    program.configureOutput({ writeErr: (s) => (err += s), writeOut: () => {} });
    registerSimulate(program);
    await expect(program.parseAsync(['simulate'], { from: 'user' })).rejects.toMatchObject({ exitCode: 2 });
    expect(err).toMatch(/slo simulate needs somewhere to send the series: --remote-write URL .* --listen HOST:PORT .* or both/);
  });

  it('reads --listen as HOST:PORT, :PORT or PORT, and refuses anything else', () => {
    expect(parseListen(':9100')).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(parseListen('9100')).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(parseListen('0.0.0.0:9100')).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(parseListen('[::1]:9100')).toEqual({ host: '::1', port: 9100 });
    expect(() => parseListen('localhost')).toThrow(/not HOST:PORT/);
    expect(() => parseListen('host:70000')).toThrow(/not HOST:PORT/);
  });

  it('serves /metrics and remote-writes at once, saying what it does and that the data is not real', async () => {
    const rx = await receiver();
    const logs: string[] = [];
    const sim = await startSimulation({ remoteWrite: rx.url, listen: '127.0.0.1:0', log: (l) => logs.push(l) });
    onTestFinished(() => sim.stop());
    await until(() => rx.accepted.length > 0, 'the first push arrives');
    const scrape = await fetch(`${sim.metrics!.url}/metrics`);

    expect(scrape.status).toBe(200);
    expect(/^kube_pod_info\{cluster="eu-1",/m.test(await scrape.text())).toBe(true);
    expect(logs[0]).toMatch(
      /^\[simulator\] simulated platform \(2 clusters, \d,\d{3} series\) remote-writing to http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write every 15s and serving http:\/\/127\.0\.0\.1:\d+\/metrics for Prometheus to scrape; this is NOT real data$/,
    );
    expect(logs[1]).toBe('[simulator] incidents: one every 10m lasting 4m, the first 30s after start, each pushing one fault high enough to page a 99.9% SLO');
    expect(sim.schedule!.incidentAt(sim.platform.nowMs + 30_000)).toBeDefined();
  });

  it('applies the incident schedule when Prometheus scrapes, with no remote-write at all', async () => {
    let clock = START;
    const logs: string[] = [];
    const sim = await startSimulation({ listen: ':0', now: () => clock, log: (l) => logs.push(l) });
    onTestFinished(() => sim.stop());
    clock = START + MINUTE;
    expect((await fetch(`${sim.metrics!.url}/metrics`)).status).toBe(200);

    const first = sim.schedule!.incidentAt(START + 30_000)!;
    expect(logs.at(-1)).toBe(`[simulator] incident: ${first.description} (clusters eu-1, us-1)`);
    expect(sim.platform.nowMs).toBe(START + MINUTE);
  });
});
