/**
 * Soak: does the engine's memory stay flat under a steady load it can carry?
 *
 * 1. Capacity: a fresh `slo serve` (the `slos` folder) takes the simulated platform's remote-write
 *    stream as fast as it acknowledges it, 4 shards, for SOAK_RAMP_SECONDS (default 20); capacity
 *    = samples acknowledged per second over that time. SOAK_RATE=<samples/s> skips this step.
 * 2. Soak: another fresh engine is fed the same kind of stream at half that capacity for
 *    SOAK_MINUTES (default 10). Its RSS (VmRSS) is sampled every 10 s and printed as a table, with
 *    the least-squares slope in MiB per minute over the last 8 minutes (the second half of a
 *    run shorter than 4 minutes), so start-up is left out.
 * 3. Exit 1 if RSS rises more than SOAK_MAX_RISE_MIB (default 8) over that window by the slope
 *    (1 MiB/min over 8 minutes), or if a request failed.
 *
 * The stream is the simulator's platform series (src/simulator), one sample per TimeSeries, 2000
 * per request, series hashed onto shards as Prometheus does; counters grow by 0-4 a step. Its
 * time runs faster than the wall clock so a few thousand series can carry hundreds of thousands of samples per second: the
 * engine does the same work per sample (match, bucket, store) while its series and rings are the
 * same size all along, so a rising RSS means something accumulates, not that the state grows.
 * The client runs on the same machine and takes its share of the cores in both steps.
 *
 * Usage: npm run soak    (SOAK_MINUTES=2 npm run soak for a quick check)
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform, mulberry32, STEP_MS } from '../src/simulator/index.js';
import { encodeWriteRequestV1 } from '../src/wire/remote-write-v1.js';
import { snappyCompress } from '../src/wire/snappy-compress.js';
import { sendRetrying } from './bench/client.js';
import { freePort, killAllChildren, startChild, stopChild, waitHttpOk } from './bench/procs.js';

const SHARDS = 4;
const PER_REQUEST = 2000;
const SAMPLE_EVERY_MS = 10_000;
const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const RAMP_SECONDS = Number(process.env.SOAK_RAMP_SECONDS ?? 20);
/**
 * The bound: RSS may rise at most this many MiB over the measured window by its least-squares
 * line; 8 MiB over 8 minutes is 1 MiB/min. Over a short window the same 8 MiB allows a steeper
 * slope, as V8's collections move RSS by a few MiB either way: a 2-minute run catches gross leaks only.
 */
const MAX_RISE_MIB = Number(process.env.SOAK_MAX_RISE_MIB ?? 8);
/** A month is the longest window of `slos`; simulated time must stay inside it and not reach the future. */
const MAX_SIM_MS = 27 * 24 * 3_600_000;

interface Req {
  body: Uint8Array;
  samples: number;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * One request's series, encoded once: the concatenation of single-series WriteRequests is the
 * WriteRequest of all of them (field 1 repeated). Each series ends with its one sample, a double
 * then a 6-byte varint timestamp (every millisecond time within years of now has that length), so
 * a step only overwrites those bytes and compresses: encoding afresh would cost the client more
 * than the engine spends on the request.
 */
interface Template {
  bytes: Uint8Array;
  view: DataView;
  /** Offset of each series' sample value; its timestamp varint starts 9 bytes later. */
  valueAt: number[];
  /** Per series: the value at step 0 and its increase per step. */
  start: number[];
  inc: number[];
}

function template(series: Array<{ labels: Record<string, string>; value: number }>, t0: number, rnd: () => number): Template {
  const parts = series.map((s) => encodeWriteRequestV1([{ labels: s.labels, samples: [{ value: 1, timestampMs: t0 }] }]));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  const valueAt: number[] = [];
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
    if (p[p.length - 16] !== 0x09 || p[p.length - 7] !== 0x10) throw new Error('unexpected sample encoding; the soak client needs a 6-byte timestamp varint');
    valueAt.push(o - 15);
  }
  // Counters grow by a few events a step, so the engine buckets real increases; gauges stay put.
  const inc = series.map((s) => (/_total$|_count$|_bucket$|_sum$/.test(s.labels.__name__!) ? Math.floor(rnd() * 5) : 0));
  return { bytes, view: new DataView(bytes.buffer), valueAt, start: series.map((s) => s.value), inc };
}

function writeVarint6(bytes: Uint8Array, at: number, n: number): void {
  for (let i = 0; i < 5; i++) {
    bytes[at + i] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  bytes[at + 5] = n;
}

/** The platform's series as a stream of requests, produced on demand, each shard's requests in time order. */
class Stream {
  private readonly templates: Template[][] = Array.from({ length: SHARDS }, () => []);
  private step = 0;
  readonly queues: Req[][] = Array.from({ length: SHARDS }, () => []);
  readonly seriesPerStep: number;

  constructor(private readonly startMs: number) {
    const platform = createPlatform({ startMs, seed: 1 });
    platform.advance(startMs + STEP_MS);
    const byShard: Array<Array<{ labels: Record<string, string>; value: number }>> = Array.from({ length: SHARDS }, () => []);
    let n = 0;
    for (const s of platform.samples()) {
      byShard[fnv1a(s.name + JSON.stringify(s.labels)) % SHARDS]!.push({ labels: { ...s.labels, __name__: s.name }, value: s.value });
      n++;
    }
    this.seriesPerStep = n;
    const rnd = mulberry32(7);
    for (let shard = 0; shard < SHARDS; shard++) {
      const list = byShard[shard]!;
      for (let i = 0; i < list.length; i += PER_REQUEST) this.templates[shard]!.push(template(list.slice(i, i + PER_REQUEST), startMs, rnd));
    }
  }

  /** Queues whole steps (every series once, STEP_MS apart) until at least `samples` more are queued. */
  fill(samples: number): void {
    for (let made = 0; made < samples; made += this.seriesPerStep) {
      this.step++;
      const ts = this.startMs + this.step * STEP_MS;
      for (let shard = 0; shard < SHARDS; shard++) {
        for (const t of this.templates[shard]!) {
          for (let i = 0; i < t.valueAt.length; i++) {
            t.view.setFloat64(t.valueAt[i]!, t.start[i]! + t.inc[i]! * this.step, true);
            writeVarint6(t.bytes, t.valueAt[i]! + 9, ts);
          }
          this.queues[shard]!.push({ body: snappyCompress(t.bytes), samples: t.valueAt.length });
        }
      }
    }
  }
}


interface Feed {
  acked: number;
  tooMany: number;
  failed: number;
  firstError?: string;
}

/**
 * Posts the stream for `seconds`: 4 shards, each waiting for its answer; with `rate`, a shard
 * waits until the samples sent so far fit rate × elapsed. 429 is retried after Retry-After.
 */
async function feed(url: string, stream: Stream, seconds: number, rate: number | undefined, feedState: Feed): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SHARDS });
  const target = new URL(`${url}/api/v1/write`);
  const started = performance.now();
  const end = started + seconds * 1000;
  let sent = 0;
  // Keep about half a second of stream (at least a request per shard) ready.
  const ahead = Math.max(SHARDS * PER_REQUEST * 2, (rate ?? 400_000) / 2);
  const worker = async (shard: number) => {
    const queue = stream.queues[shard]!;
    while (performance.now() < end) {
      if (queue.length === 0) stream.fill(ahead);
      const r = queue.shift()!;
      if (rate) {
        const wait = ((sent + r.samples) / rate) * 1000 - (performance.now() - started);
        if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
      }
      sent += r.samples;
      const res = await sendRetrying(agent, target, r.body);
      feedState.tooMany += res.tooMany;
      if (res.ok) feedState.acked += r.samples;
      else {
        feedState.failed++;
        feedState.firstError ??= `${res.status} ${res.text}`;
      }
    }
  };
  await Promise.all(Array.from({ length: SHARDS }, (_, i) => worker(i)));
  agent.destroy();
}


function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxy = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

async function startEngine(label: string): Promise<{ child: ChildProcess; url: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `soak-${label}-`));
  const port = await freePort();
  const child = startChild('./bin/slo', ['serve', 'slos', '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'data'), '--no-watch'], join(dir, 'engine.log'));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHttpOk(`${url}/readyz`, 60_000, child);
  } catch (e) {
    await stopChild(child);
    const log = readFileSync(join(dir, 'engine.log'), 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}; the engine's log ends with:\n${log}`);
  }
  return { child, url, dir };
}

async function measureCapacity(): Promise<number> {
  const engine = await startEngine('ramp');
  try {
    const stream = new Stream(Date.now() - MAX_SIM_MS);
    const state: Feed = { acked: 0, tooMany: 0, failed: 0 };
    const started = performance.now();
    await feed(engine.url, stream, RAMP_SECONDS, undefined, state);
    const rate = state.acked / ((performance.now() - started) / 1000);
    console.log(`capacity: ${Math.round(rate).toLocaleString('en')} samples/s acknowledged over ${RAMP_SECONDS} s at full speed (${state.tooMany} answered 429, ${state.failed} failed)`);
    return rate;
  } finally {
    await stopChild(engine.child);
    rmSync(engine.dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const rate = process.env.SOAK_RATE ? Number(process.env.SOAK_RATE) : (await measureCapacity()) / 2;
  const seconds = MINUTES * 60;
  // Simulated time the soak consumes at this rate; it starts that far back so it ends before now.
  const probe = new Stream(Date.now());
  const simMs = ((rate * seconds) / probe.seriesPerStep) * STEP_MS * 1.1;
  if (simMs > MAX_SIM_MS) {
    console.error(`at ${Math.round(rate)} samples/s for ${MINUTES} min the stream spans ${(simMs / 86_400_000).toFixed(1)} simulated days, beyond the 27 it may: lower SOAK_RATE or SOAK_MINUTES`);
    return 2;
  }
  const engine = await startEngine('soak');
  const pid = engine.child.pid!;
  const stream = new Stream(Date.now() - simMs - 3_600_000);
  const state: Feed = { acked: 0, tooMany: 0, failed: 0 };
  const rows: Array<{ t: number; rss: number; rate: number }> = [];
  const started = performance.now();
  let lastAcked = 0;
  rows.push({ t: 0, rss: rssMiB(pid), rate: 0 });
  console.log(`soak: ${Math.round(rate).toLocaleString('en')} samples/s for ${MINUTES} min, ${probe.seriesPerStep} series, engine pid ${pid}`);
  console.log('   t s | RSS MiB | samples/s acked');
  console.log(`${'0'.padStart(6)} | ${rows[0]!.rss.toFixed(1).padStart(7)} |`);
  const timer = setInterval(() => {
    const t = (performance.now() - started) / 1000;
    const row = { t, rss: rssMiB(pid), rate: (state.acked - lastAcked) / (SAMPLE_EVERY_MS / 1000) };
    lastAcked = state.acked;
    rows.push(row);
    console.log(`${t.toFixed(0).padStart(6)} | ${row.rss.toFixed(1).padStart(7)} | ${Math.round(row.rate).toLocaleString('en').padStart(10)}`);
  }, SAMPLE_EVERY_MS);
  let outcomes = '';
  try {
    await feed(engine.url, stream, seconds, rate, state);
    // The engine's own count by outcome: the soak is only worth something if samples were accepted, not skipped.
    const metrics = await (await fetch(`${engine.url}/metrics`)).text();
    outcomes = [...metrics.matchAll(/^slo_engine_ingested_samples(?:_total)?\{[^}]*outcome="([^"]+)"[^}]*\} (\S+)/gm)].map((m) => `${m[1]} ${Number(m[2]).toLocaleString('en')}`).join(', ');
  } finally {
    clearInterval(timer);
    await stopChild(engine.child);
    rmSync(engine.dir, { recursive: true, force: true });
  }
  // The last 8 minutes: the first 2 of a 10-minute run are start-up (heap and caches filling); a shorter run keeps its second half.
  const windowS = Math.min(8 * 60, Math.max(seconds - 120, seconds / 2));
  const last = rows.filter((r) => r.t >= seconds - windowS - 1);
  const mibPerMin = slope(last.map((r) => [r.t / 60, r.rss]));
  const achieved = state.acked / seconds;
  const windowMin = windowS / 60;
  const rise = mibPerMin * windowMin;
  console.log(
    `RSS ${last[0]!.rss.toFixed(1)} -> ${last.at(-1)!.rss.toFixed(1)} MiB over the last ${windowMin.toFixed(1)} min: slope ${mibPerMin.toFixed(2)} MiB/min, ` +
      `${rise.toFixed(1)} MiB over the window (bound ${MAX_RISE_MIB} MiB, ${(MAX_RISE_MIB / windowMin).toFixed(2)} MiB/min here); ` +
      `${Math.round(achieved).toLocaleString('en')} samples/s acknowledged of ${Math.round(rate).toLocaleString('en')} asked, ${state.tooMany} answered 429, ${state.failed} failed; engine's matched samples: ${outcomes || 'none'}`,
  );
  if (state.failed > 0) {
    console.error(`FAIL: ${state.failed} requests failed, the first: ${state.firstError}`);
    return 1;
  }
  if (rise > MAX_RISE_MIB) {
    console.error(`FAIL: RSS rises ${mibPerMin.toFixed(2)} MiB/min, ${rise.toFixed(1)} MiB over ${windowMin.toFixed(1)} min, above the bound of ${MAX_RISE_MIB} MiB`);
    return 1;
  }
  console.log('PASS: RSS flat within the bound');
  return 0;
}

process.on('exit', killAllChildren);
main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
