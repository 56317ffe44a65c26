import { closeSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWriteRequestV1, type SeriesToWrite } from '../src/wire/remote-write-v1.js';
import { snappyCompress } from '../src/wire/snappy-compress.js';
import { startEngineProcess, type EngineProcess } from './helpers/engine-process.js';
import { freePort, sleep } from './helpers/prometheus-process.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';
import { mountTmpfs } from './helpers/tmpfs.js';

/**
 * A full disk: `slo serve` keeps its store on a 4 MiB tmpfs, which a junk file fills. Writes that
 * no longer fit must be refused with 503 + Retry-After and a reason naming the full disk and the
 * way out, nothing of them kept; probes, the API and alert evaluation go on meanwhile; once the
 * junk is gone the very next write is taken, with no restart. A restart at the end shows the store
 * holds exactly the acknowledged writes.
 *
 * One client posts in order. Every request moves two counters of one instance (code 200 and 500)
 * and brings 60 new matched series with long labels, so the store grows with every request and a
 * WAL that reuses its space cannot hide the full disk for long. The first ten requests carry no
 * errors, the next three half errors, written just before the junk fills the disk: the page alert
 * fires at the next evaluation (every 2s), with the disk full, so its state cannot be saved then.
 */

const SPEC = `apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: errors }
spec:
  service: full
  objective: 99
  sli:
    events:
      bad: 'full_requests_total{code="500"}'
      total: 'full_requests_total'
`;

const HEADERS = { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', 'X-Prometheus-Remote-Write-Version': '0.1.0' };
const STEP = 1000;
const GROWTH = 60;
const PAD = 'x'.repeat(200);
const BASE = 5 * 60_000;

interface Req {
  index: number;
  body: Uint8Array<ArrayBuffer>;
  ok: number;
  err: number;
}

/** Request `index` of the stream: cumulative counters after `okDelta`/`errDelta` more requests. */
function makeRequest(index: number, t0: number, counters: { ok: number; err: number }, errors: boolean): Req {
  counters.ok += 10 + (index % 7);
  if (errors) counters.err += 10;
  const ts = t0 + index * STEP;
  const series: SeriesToWrite[] = [
    { labels: { __name__: 'full_requests_total', instance: 'a', code: '200' }, samples: [{ value: counters.ok, timestampMs: ts }] },
    { labels: { __name__: 'full_requests_total', instance: 'a', code: '500' }, samples: [{ value: counters.err, timestampMs: ts }] },
  ];
  for (let j = 0; j < GROWTH; j++) series.push({ labels: { __name__: 'full_requests_total', instance: `r${index}-${j}-${PAD}`, code: '200' }, samples: [{ value: 1, timestampMs: ts }] });
  return { index, body: snappyCompress(encodeWriteRequestV1(series)), ok: counters.ok, err: counters.err };
}

/** What the store must hold after the acknowledged requests, in order: 5m bucket sums and series count. */
function expected(acked: Req[]): { total: number; num: number; series: number } {
  let total = 0;
  let num = 0;
  for (let i = 1; i < acked.length; i++) {
    total += acked[i]!.ok - acked[i - 1]!.ok + acked[i]!.err - acked[i - 1]!.err;
    num += acked[i]!.err - acked[i - 1]!.err;
  }
  return { total, num, series: acked.length ? 2 + acked.length * GROWTH : 0 };
}

function readStore(file: string): { total: number; num: number; series: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const b = db.prepare('SELECT COALESCE(SUM(total), 0) AS total, COALESCE(SUM(num), 0) AS num FROM buckets WHERE res = ?').get(BASE) as { total: number; num: number };
    const s = db.prepare('SELECT COUNT(*) AS n FROM series').get() as { n: number };
    return { total: b.total, num: b.num, series: s.n };
  } finally {
    db.close();
  }
}

async function post(url: string, req: Req): Promise<{ status: number; text: string; retryAfter: string | null }> {
  const res = await fetch(`${url}/api/v1/write`, { method: 'POST', headers: HEADERS, body: req.body, signal: AbortSignal.timeout(15_000) });
  return { status: res.status, text: await res.text(), retryAfter: res.headers.get('retry-after') };
}

/** Writes junk until the file system refuses; the disk is then full to the last block. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk, 0, chunk.length);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  // The last partial block.
  for (let size = 4096; size >= 1; size = Math.floor(size / 2)) {
    try {
      for (;;) written += writeSync(fd, chunk, 0, size);
    } catch {
      // ENOSPC at this size: try a smaller one
    }
  }
  closeSync(fd);
  return written;
}

describe('the engine on a data dir whose disk fills up', () => {
  const dir = scratchDir('engine-disk-full-');
  const mountPoint = join(dir, 'tmpfs');
  const dataDir = join(mountPoint, 'data');
  const junk = join(mountPoint, 'junk');
  const log = join(dir, 'engine.log');
  writeFiles(dir, { 'full.yaml': SPEC });
  const spec = join(dir, 'full.yaml');
  const t0 = Date.now() - 5 * 60_000;
  const counters = { ok: 0, err: 0 };
  const acked: Req[] = [];
  let next = 0;
  let engine: EngineProcess;
  let unmount: (() => void) | undefined;
  let refusal: { status: number; text: string; retryAfter: string | null } | undefined;
  let refused: Req | undefined;
  let saveFailed = false;

  const start = async () => {
    const port = await freePort();
    engine = await startEngineProcess({ specs: [spec], dataDir, port, log, extraArgs: ['--eval-interval', '2s'] });
  };

  beforeAll(async () => {
    unmount = mountTmpfs(mountPoint, 4);
    await start();
  });

  afterAll(async () => {
    await engine?.stop(2000);
    unmount?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes writes while there is space', async () => {
    for (let i = 0; i < 13; i++) {
      const req = makeRequest(next++, t0, counters, i >= 10);
      expect((await post(engine.url, req)).status).toBe(204);
      acked.push(req);
    }
    expect(readStore(join(dataDir, 'slo-engine.sqlite'))).toEqual(expected(acked));
  });

  it('answers 503 with Retry-After and a reason naming the full disk once a junk file fills it, keeping nothing of the refused write', async () => {
    const junkBytes = fillDisk(junk);
    expect(junkBytes).toBeGreaterThan(1 << 20);
    // The WAL may still have room it reuses: post until the disk refuses, every 204 counted as acknowledged.
    for (let i = 0; i < 200 && !refusal; i++) {
      const req = makeRequest(next++, t0, counters, true);
      const answer = await post(engine.url, req);
      if (answer.status === 204) acked.push(req);
      else {
        refusal = answer;
        refused = req;
      }
    }
    expect(refusal, 'a write was refused within 200 requests of the disk filling').toBeDefined();
    expect(refusal!.status).toBe(503);
    expect(Number(refusal!.retryAfter)).toBeGreaterThan(0);
    expect(refusal!.text).toMatch(/disk .*full/i);
    expect(refusal!.text).toContain(dataDir);
    expect(refusal!.text).toMatch(/free .*space/i);
    expect(refusal!.text).toMatch(/retry/i);
    // Nothing half-written: the file holds exactly the acknowledged requests.
    expect(readStore(join(dataDir, 'slo-engine.sqlite'))).toEqual(expected(acked));
    console.log(`[engine-disk-full] junk ${(junkBytes / 2 ** 20).toFixed(2)} MiB; ${acked.length} requests acknowledged, then ${refusal!.status} Retry-After ${refusal!.retryAfter}: ${refusal!.text.trim()}`);
  });

  it('keeps answering its probes and API and keeps evaluating alerts while the disk is full', async () => {
    // A second refused write: the engine stays refusing, not crashed or wedged.
    expect((await post(engine.url, refused!)).status).toBe(503);
    const evaluations = async () => {
      const text = await (await fetch(`${engine.url}/metrics`)).text();
      return Number(/^slo_engine_evaluation_duration(?:_seconds)?_count(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? NaN);
    };
    const before = await evaluations();
    expect(before).toBeGreaterThan(0);
    // The errors written just before the disk filled burn the budget about 40x over: the page alert fires.
    let alerts: Array<{ state: string; labels?: Record<string, string> }> = [];
    for (let i = 0; i < 40 && alerts.length === 0; i++) {
      await sleep(250);
      alerts = ((await (await fetch(`${engine.url}/api/v1/alerts`)).json()) as { data: typeof alerts }).data;
    }
    expect(alerts.length, 'an alert is pending or firing').toBeGreaterThan(0);
    expect(alerts.map((a) => a.state)).toContain('firing');
    await sleep(2500);
    expect(await evaluations()).toBeGreaterThan(before);
    expect((await fetch(`${engine.url}/readyz`)).status).toBe(200);
    const slos = (await (await fetch(`${engine.url}/api/v1/slos`)).json()) as { data: unknown[] };
    expect(slos.data).toHaveLength(1);
    // Evaluation that cannot save an alert state goes on (it is saved once there is space) rather than failing.
    const text = readFileSync(log, 'utf8');
    expect(text).not.toContain('evaluation failed');
    saveFailed = text.includes('alert states could not be saved');
    console.log(`[engine-disk-full] while full: alerts ${alerts.map((a) => a.state).join(', ')}; saving their state ${saveFailed ? 'failed and is retried at every evaluation' : 'had happened before the disk filled'}`);
  });

  it('takes the next write with 204 once the junk is removed, without a restart', async () => {
    unlinkSync(junk);
    const answer = await post(engine.url, refused!);
    expect(answer.status, answer.text).toBe(204);
    acked.push(refused!);
    for (let i = 0; i < 5; i++) {
      const req = makeRequest(next++, t0, counters, true);
      expect((await post(engine.url, req)).status).toBe(204);
      acked.push(req);
    }
    if (saveFailed) {
      for (let i = 0; i < 20 && !readFileSync(log, 'utf8').includes('alert states saved again'); i++) await sleep(250);
      expect(readFileSync(log, 'utf8')).toContain('alert states saved again');
    }
  });

  it('holds exactly the acknowledged writes after a restart', async () => {
    expect(await engine.stop()).toEqual({ code: 0, signal: null });
    await start();
    expect(readStore(join(dataDir, 'slo-engine.sqlite'))).toEqual(expected(acked));
    // The alert that fired while the disk was full was saved once there was room: it is restored firing.
    const alerts = ((await (await fetch(`${engine.url}/api/v1/alerts`)).json()) as { data: Array<{ state: string }> }).data;
    expect(alerts.map((a) => a.state)).toContain('firing');
  });
});
