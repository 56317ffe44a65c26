/**
 * The rule-cost bench's history: seeded request counters for N simple events SLOs on a 30 s grid,
 * the recorded 5m series each rule set's long windows read (computed here from the counters, see
 * `recordedSeries`), and all of it streamed to OpenMetrics files that `promtool tsdb
 * create-blocks-from openmetrics` turns into blocks.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { formatLabels } from '../../src/simulator/openmetrics.js';
import { mulberry32 } from '../../src/simulator/random.js';
import { metricOf, routeOf } from './slo-spec.js';

export const STEP_S = 30;
const STEP_MS = STEP_S * 1000;
/** Steps in one 5m range: `[5m]` at a grid point holds STEPS_5M + 1 samples, both ends included. */
const STEPS_5M = 300 / STEP_S;

export interface History {
  times: number[];
  /** Per SLO, cumulative good+bad (total) and bad counts at each time. */
  total: Float64Array[];
  bad: Float64Array[];
}

/**
 * Request counters with a daily cycle (rate varies 4:1 over the day, phase per SLO) and error
 * bursts (a few 5-20 minute spells at 2-10% errors on a 0.05% floor), integer increments at each
 * 30 s scrape, so averaging ratios and weighting by events give visibly different answers.
 * `startMs` must lie on the 5-minute grid so that every recorded 5m step has both ends present.
 */
export function makeHistory(count: number, startMs: number, steps: number): History {
  // Seeded, so every run sees the same traffic.
  const rand = mulberry32(7);
  const times = Array.from({ length: steps + 1 }, (_, k) => startMs + k * STEP_MS);
  const total: Float64Array[] = [];
  const bad: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    const base = 2 + rand() * 50; // requests per second
    const phase = rand() * 2 * Math.PI;
    const bursts = Array.from({ length: 3 }, () => ({ at: Math.floor(rand() * steps), len: 10 + Math.floor(rand() * 30), ratio: 0.02 + rand() * 0.08 }));
    const t = new Float64Array(steps + 1);
    const b = new Float64Array(steps + 1);
    for (let k = 1; k <= steps; k++) {
      const day = (2 * Math.PI * (times[k]! % 86_400_000)) / 86_400_000;
      const rate = base * (1 + 0.6 * Math.sin(day + phase));
      const n = Math.round(rate * STEP_S * (0.9 + 0.2 * rand()));
      const burst = bursts.find((x) => k >= x.at && k < x.at + x.len);
      const errs = Math.round(n * (burst ? burst.ratio : 0.0005) + (rand() < 0.3 ? 1 : 0));
      t[k] = t[k - 1]! + n;
      b[k] = b[k - 1]! + Math.min(n, errs);
    }
    total.push(t);
    bad.push(b);
  }
  return { times, total, bad };
}

/** Counter value at the last scrape at or before `ms` (0 before the first). */
export function at(h: History, series: Float64Array, ms: number): number {
  const k = Math.floor((ms - h.times[0]!) / STEP_MS);
  return k < 0 ? 0 : series[Math.min(k, series.length - 1)]!;
}

export function trueRatio(h: History, i: number, from: number, to: number): number {
  const tot = at(h, h.total[i]!, to) - at(h, h.total[i]!, from);
  return (at(h, h.bad[i]!, to) - at(h, h.bad[i]!, from)) / tot;
}

/** One recorded series: its name and labels, and its value at grid index k (k - STEPS_5M >= 0). */
export interface RecordedSeries {
  name: string;
  labels: Record<string, string>;
  /** Only every `every`-th grid step (2 = each minute, 10 = each 5 minutes on the clock). */
  every: number;
  value: (k: number) => number;
  /** The PromQL the rule evaluates, for the cross-check against a real Prometheus. */
  expr: string;
}

/**
 * What a rule over `[5m]` of the raw counters records at grid point k, computed from the
 * counters rather than by asking Prometheus for 30 days of range queries. Exact, not an
 * approximation, for Prometheus 2.x (closed ranges) on this data: at a grid point T the range
 * [T-5m, T] holds the samples at both ends (the history starts on the 5-minute grid and has no
 * gaps), so extrapolatedRate's durationToStart and durationToEnd are 0, the extrapolation factor
 * is (300 + 0 + 0) / 300 = 1, and with no counter resets `increase` is exactly last - first (an
 * integer here) and `rate` is that / 300. The bench cross-checks values against a live query
 * (`crossCheck` in rule-cost.ts) and fails if they differ.
 */
export function increase5m(series: Float64Array): (k: number) => number {
  return (k) => series[k]! - series[k - STEPS_5M]!;
}

/** The selectors of SLO i as the bench's specs write them (slo-spec.ts). */
export function selectors(i: number): { total: string; bad: string } {
  return { total: `${metricOf(i)}{route="${routeOf(i)}"}`, bad: `${metricOf(i)}{route="${routeOf(i)}",code=~"5.."}` };
}

/**
 * Writes the raw counters from index 0 to `last` and the recorded series on their grid up to the
 * same index as OpenMetrics files, one per `blockHours`-aligned span of time (promtool re-reads
 * its whole input once per block it writes, so one file per block keeps that to two passes),
 * streamed in 4 MiB pieces rather than built as one string, and turns each into blocks in
 * `dataDir`. Returns the sample count.
 */
export async function writeHistoryBlocks(h: History, last: number, recorded: RecordedSeries[], dir: string, dataDir: string, blockHours: number): Promise<number> {
  const spanMs = blockHours * 3_600_000;
  const firstSpan = Math.floor(h.times[0]! / spanMs);
  const lastSpan = Math.floor(h.times[last]! / spanMs);
  let samples = 0;
  const runs: Array<Promise<void>> = [];
  for (let span = firstSpan; span <= lastSpan; span++) {
    const lo = Math.max(0, Math.ceil((span * spanMs - h.times[0]!) / STEP_MS));
    const hi = Math.min(last, Math.ceil(((span + 1) * spanMs - h.times[0]!) / STEP_MS) - 1);
    const file = join(dir, `history-${span}.om`);
    samples += writeSpan(h, lo, hi, recorded, file);
    // Two promtools at a time at most (two cores); each file is one block.
    if (runs.length >= 2) await runs.shift();
    runs.push(createBlocks(file, dataDir, blockHours));
  }
  await Promise.all(runs);
  return samples;
}

function writeSpan(h: History, lo: number, hi: number, recorded: RecordedSeries[], file: string): number {
  const fd = openSync(file, 'w');
  let buf: string[] = [];
  let size = 0;
  let samples = 0;
  const push = (line: string) => {
    buf.push(line);
    size += line.length;
    samples++;
    if (size > 4 * 2 ** 20) flush();
  };
  const flush = () => {
    writeSync(fd, buf.join(''));
    buf = [];
    size = 0;
  };
  const secs = h.times.map((t) => String(t / 1000));
  try {
    // Raw counters, one family per metric name, families contiguous, series in time order.
    const byMetric = new Map<string, number[]>();
    for (let i = 0; i < h.total.length; i++) byMetric.set(metricOf(i), [...(byMetric.get(metricOf(i)) ?? []), i]);
    for (const [name, slos] of byMetric) {
      push(`# TYPE ${name} gauge\n`);
      samples--;
      for (const i of slos) {
        for (const code of ['200', '500']) {
          const prefix = `${name}${formatLabels({ route: routeOf(i), cluster: 'eu-1', code })} `;
          const t = h.total[i]!;
          const b = h.bad[i]!;
          for (let k = lo; k <= hi; k++) push(`${prefix}${code === '500' ? b[k]! : t[k]! - b[k]!} ${secs[k]}\n`);
        }
      }
    }
    const byName = new Map<string, RecordedSeries[]>();
    for (const r of recorded) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
    for (const [name, list] of byName) {
      push(`# TYPE ${name} gauge\n`);
      samples--;
      for (const r of list) {
        const prefix = `${name}${formatLabels(r.labels)} `;
        const step = r.every;
        for (let k = Math.max(STEPS_5M, Math.ceil(lo / step) * step); k <= hi; k += step) {
          const v = r.value(k);
          push(`${prefix}${Number.isNaN(v) ? 'NaN' : String(v)} ${secs[k]}\n`);
        }
      }
    }
    push('# EOF\n');
    samples--;
    flush();
  } finally {
    closeSync(fd);
  }
  return samples;
}

function createBlocks(file: string, dataDir: string, blockHours: number): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', `--max-block-duration=${blockHours}h`, file, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', fail);
    child.on('exit', (code) => {
      rmSync(file, { force: true });
      if (code === 0) ok();
      else fail(new Error(`promtool tsdb create-blocks-from openmetrics ${file} failed (${code}): ${err.slice(-2000)}`));
    });
  });
}
