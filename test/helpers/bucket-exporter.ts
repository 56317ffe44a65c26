import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../../src/simulator/index.js';

const BASE_MS = 300_000;
const MINUTE = 60_000;

/**
 * A real-time exporter whose series only change in the middle of each aligned 5m bucket: every
 * counter jumps once, at 2m30s before the bucket's end, and the gauges exist only in the two
 * middle minutes. A range evaluated up to a minute off the bucket edges, as Prometheus's rule
 * groups are, then sees exactly that bucket's events, so the engine and the rules must agree to
 * the last digit, not just roughly.
 */
export interface BucketExporter {
  target: string;
  close(): Promise<void>;
}

type Labels = Record<string, string>;

interface Series {
  name: string;
  labels: Labels;
  /** Value at time t, or undefined when the series is not exported then. */
  at(t: number): number | undefined;
}

const bucketEnd = (t: number) => Math.ceil(t / BASE_MS) * BASE_MS;

export function bucketSeries(firstBucketEnd: number, seed = 1): Series[] {
  const rnd = (b: number, i: number) => mulberry32(seed * 1_000_003 + (b / BASE_MS) * 997 + i)();
  const jumpsUntil = (t: number) => {
    const out: number[] = [];
    for (let s = firstBucketEnd; s - 150_000 <= t; s += BASE_MS) out.push(s);
    return out;
  };
  const counter = (name: string, labels: Labels, i: number, start: number, inc: (r: number) => number, resetFirst = false): Series => ({
    name,
    labels,
    at: (t) => jumpsUntil(t).reduce((v, s, k) => (resetFirst && k === 0 ? 3000 : v + inc(rnd(s, i))), start),
  });
  const middle = (t: number) => t > bucketEnd(t) - 3.5 * MINUTE && t <= bucketEnd(t) - 1.5 * MINUTE && bucketEnd(t) >= firstBucketEnd;
  const out: Series[] = [];
  let i = 0;
  for (const cluster of ['a', 'b']) {
    out.push(counter('eq_requests_total', { cluster, code: '200' }, i++, 10_000, (r) => 100 + Math.floor(r * 900), cluster === 'b'));
    out.push(counter('eq_requests_total', { cluster, code: '500' }, i++, 1_000, (r) => Math.floor(r * 60)));
    out.push(counter('eq_attempts_total', { cluster }, i++, 20_000, (r) => 200 + Math.floor(r * 800)));
    out.push(counter('eq_errors_total', { cluster }, i++, 500, (r) => Math.floor(r * 30)));
    out.push(counter('eq_timeouts_total', { cluster }, i++, 500, (r) => Math.floor(r * 10)));
    const probe = i++;
    // Fails for a drawn share of the middle minute's first half.
    out.push({ name: 'eq_probe_success', labels: { cluster }, at: (t) => (!middle(t) ? undefined : t > bucketEnd(t) - 3 * MINUTE && t <= bucketEnd(t) - 3 * MINUTE + rnd(bucketEnd(t), probe) * 30_000 ? 0 : 1) });
    const queue = i++;
    // Deep around the slice boundary 2m before the bucket's end in drawn buckets.
    out.push({ name: 'eq_queue_depth', labels: { cluster }, at: (t) => (!middle(t) ? undefined : Math.abs(t - (bucketEnd(t) - 2 * MINUTE)) < 15_000 && rnd(bucketEnd(t), queue) < 0.7 ? 50 : 5) });
    for (const handler of ['api', 'other']) {
      const h = { cluster, handler };
      const hist = i++;
      const n = (r: number) => 100 + Math.floor(r * 500);
      const fast = (r: number) => Math.floor(n(r) * (0.5 + r * 0.4));
      out.push(counter('eq_duration_seconds_bucket', { ...h, le: '0.1' }, hist, 5_000, (r) => Math.floor(fast(r) / 2)));
      out.push(counter('eq_duration_seconds_bucket', { ...h, le: '0.5' }, hist, 9_000, fast));
      out.push(counter('eq_duration_seconds_bucket', { ...h, le: '+Inf' }, hist, 10_000, n));
      out.push(counter('eq_duration_seconds_count', h, hist, 10_000, n));
    }
  }
  return out;
}

export async function startBucketExporter(opts: { firstBucketEnd: number; seed?: number }): Promise<BucketExporter> {
  const series = bucketSeries(opts.firstBucketEnd, opts.seed);
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const t = Date.now();
    const lines: string[] = [];
    for (const s of series) {
      const v = s.at(t);
      if (v === undefined) continue;
      const labels = Object.entries(s.labels).map(([k, x]) => `${k}="${x}"`).join(',');
      lines.push(`${s.name}{${labels}} ${v}`);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    target: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
