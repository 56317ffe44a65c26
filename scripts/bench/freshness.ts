import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWriteRequestV1, type SeriesToWrite } from '../../src/wire/remote-write-v1.js';
import { snappyCompress } from '../../src/wire/snappy-compress.js';
import { startChild, stopChild, waitHttpOk } from './procs.js';
import { metricOf, routeOf, writeSloSpecs } from './slo-spec.js';
import { summarize, type Summary } from './stats.js';
import { ENGINE } from './targets.js';

export interface FreshnessResult {
  slos: number;
  trials: number;
  /** Per run: p50 and p99 of acknowledgement → change visible in /api/v1/slos, ms. */
  p50Ms: Summary;
  p99Ms: Summary;
  maxMs: Summary;
  /** One GET /api/v1/slos answer, ms (p50 per run): the resolution of the poll. */
  getMs: Summary;
  runs: number;
}

async function write(base: string, series: SeriesToWrite[]): Promise<void> {
  const res = await fetch(`${base}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
    body: snappyCompress(encodeWriteRequestV1(series)),
  });
  if (!res.ok) throw new Error(`remote write answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

interface SloJson {
  id: string;
  groups: Array<{ windows: Record<string, { bad: number | null; total: number | null }> }>;
}

async function badIn5m(base: string, id: string): Promise<number | null> {
  const body = (await (await fetch(`${base}/api/v1/slos`)).json()) as { data: SloJson[] };
  const slo = body.data.find((s) => s.id === id);
  return slo?.groups[0]?.windows['5m']?.bad ?? null;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Freshness: an engine (`slo serve`) with `slos` events SLOs. A trial posts one sample that adds
 * bad events to one SLO's current 5m window and, from the moment the 2xx answer arrives, waits
 * until that SLO's 5m `bad` count in GET /api/v1/slos shows it. The engine reads its 5m window up
 * to the last whole minute (as the rules' aligned evaluation does), so a lag is up to a minute;
 * trials are therefore spread over a minute, one SLO each, and polled together every `pollMs`.
 * Runs are separate engines, run side by side (polling costs little CPU).
 */
export async function benchFreshness(opts: { slos: number; trials: number; runs: number; pollMs: number; freePort: () => Promise<number>; logDir: string }): Promise<FreshnessResult> {
  const root = mkdtempSync(join(tmpdir(), 'bench-fresh-'));
  try {
    writeSloSpecs(join(root, 'slos'), opts.slos);
    const runs = await Promise.all(Array.from({ length: opts.runs }, (_, r) => freshnessRun(root, r, opts)));
    return {
      slos: opts.slos,
      trials: opts.trials,
      p50Ms: summarize(runs.map((x) => x.p50)),
      p99Ms: summarize(runs.map((x) => x.p99)),
      maxMs: summarize(runs.map((x) => x.max)),
      getMs: summarize(runs.map((x) => x.get)),
      runs: opts.runs,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function freshnessRun(root: string, r: number, opts: { slos: number; trials: number; pollMs: number; freePort: () => Promise<number>; logDir: string }) {
  const port = await opts.freePort();
  const base = `http://127.0.0.1:${port}`;
  const { cmd, args } = ENGINE.command(port, join(root, `data-${r}`));
  args[1] = join(root, 'slos');
  const child = startChild(cmd, args, join(opts.logDir, `freshness-engine-${r}.log`));
  try {
    await waitHttpOk(`${base}/readyz`, 120_000, child);
    const labels = (i: number, code: string) => ({ __name__: metricOf(i), route: routeOf(i), code, cluster: 'eu-1' });
    const idOf = (i: number) => `bench-svc${Math.floor(i / 100)}-requests-${routeOf(i)}`;
    const trials = Array.from({ length: opts.trials }, (_, k) => k % opts.slos);
    // Every series known to the engine first: a series' first sample only sets its position.
    const t0 = Date.now();
    await write(base, trials.flatMap((i) => [{ labels: labels(i, '200'), samples: [{ timestampMs: t0, value: 0 }] }, { labels: labels(i, '500'), samples: [{ timestampMs: t0, value: 0 }] }]));
    const spanMs = 60_000;
    const lags: number[] = [];
    const getTimes: number[] = [];
    const waiting = new Map<string, { acked: number; before: number | null }>();
    let posted = 0;
    const start = performance.now();
    const poster = (async () => {
      for (let k = 0; k < trials.length; k++) {
        const at = start + (k * spanMs) / trials.length;
        await new Promise((ok) => setTimeout(ok, Math.max(0, at - performance.now())));
        const i = trials[k]!;
        const before = await badIn5m(base, idOf(i));
        const ts = Date.now();
        await write(base, [{ labels: labels(i, '200'), samples: [{ timestampMs: ts, value: 100 }] }, { labels: labels(i, '500'), samples: [{ timestampMs: ts, value: 1 }] }]);
        waiting.set(idOf(i), { acked: performance.now(), before });
        posted++;
      }
    })();
    while (posted < trials.length || waiting.size > 0) {
      const g0 = performance.now();
      const body = (await (await fetch(`${base}/api/v1/slos`)).json()) as { data: SloJson[] };
      const seen = performance.now();
      getTimes.push(seen - g0);
      for (const s of body.data) {
        const w = waiting.get(s.id);
        if (!w) continue;
        const bad = s.groups[0]?.windows['5m']?.bad ?? null;
        if (bad !== null && bad !== w.before) {
          lags.push(seen - w.acked);
          waiting.delete(s.id);
        } else if (seen - w.acked > 3 * spanMs) throw new Error(`SLO ${s.id}: a write acknowledged ${((seen - w.acked) / 1000).toFixed(0)} s ago is still not in /api/v1/slos (5m bad stays ${bad})`);
      }
      await new Promise((ok) => setTimeout(ok, opts.pollMs));
    }
    await poster;
    lags.sort((a, b) => a - b);
    getTimes.sort((a, b) => a - b);
    return { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags[lags.length - 1]!, get: percentile(getTimes, 50) };
  } finally {
    await stopChild(child);
  }
}
