/**
 * Rule cost in a real Prometheus: the rules `slo generate` writes for `count` SLOs against the same
 * SLOs in Sloth's structure (sloth-rules.ts), each set loaded alone into its own Prometheus over a
 * copy of the same backfilled history, and how close each set's 1h and period ratios are to the
 * true event-weighted ratio computed from the counters the benchmark generated itself.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { OpenMetricsBuilder } from '../../src/simulator/openmetrics.js';
import { mulberry32 } from '../../src/simulator/random.js';
import type { Sample } from '../../src/simulator/types.js';
import { encodeWriteRequestV1 } from '../../src/wire/remote-write-v1.js';
import { snappyCompress } from '../../src/wire/snappy-compress.js';
import { startChild, stopChild, waitHttpOk } from './procs.js';
import { costByRuleKind, formatKinds } from './rule-kinds.js';
import { slothBackfillRules, slothRuleFile } from './sloth-rules.js';
import { metricOf, routeOf, writeSloSpecs } from './slo-spec.js';
import { summarize, type Summary } from './stats.js';

export interface Exactness {
  /** |ratio - true| / true over the SLOs, median and max. */
  medianRelError: number;
  maxRelError: number;
  slos: number;
}

export interface RuleSetCost {
  name: string;
  groups: number;
  rules: number;
  /** Sum over the set's groups of prometheus_rule_group_last_duration_seconds, ms, one value per sample. */
  evalMs: Summary;
  /**
   * Evaluation time per minute of wall time: each group's last duration x 60 s / its interval,
   * summed. Equal to evalMs when every group runs every minute; the fair comparison when not.
   */
  perMinuteMs: Summary;
  /** The same by kind of group (name without the SLO id), summed over the SLOs. */
  byKind: Record<string, Summary>;
  oneHour: Exactness;
  period: Exactness;
}

export interface RuleCostResult {
  slos: number;
  hours: number;
  scrapeSeconds: number;
  samples: number;
  sets: RuleSetCost[];
}

const STEP_S = 30;
/** Two evaluations of every group and the start-up compaction of the backfilled blocks. */
const WARM_UP_MS = 120_000;
const MIN5 = 300_000;

interface History {
  times: number[];
  /** Per SLO, cumulative good+bad (total) and bad counts at each time. */
  total: Float64Array[];
  bad: Float64Array[];
}

/**
 * Request counters with a daily cycle (rate varies 4:1 over the day, phase per SLO) and error
 * bursts (a few 5-20 minute spells at 2-10% errors on a 0.05% floor), integer increments at each
 * 30 s scrape, so averaging ratios and weighting by events give visibly different answers.
 */
function makeHistory(count: number, startMs: number, steps: number): History {
  // Seeded, so every run sees the same traffic.
  const rand = mulberry32(7);
  const times = Array.from({ length: steps + 1 }, (_, k) => startMs + k * STEP_S * 1000);
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
function at(h: History, series: Float64Array, ms: number): number {
  const k = Math.floor((ms - h.times[0]!) / (STEP_S * 1000));
  return k < 0 ? 0 : series[Math.min(k, series.length - 1)]!;
}

function trueRatio(h: History, i: number, from: number, to: number): number {
  const tot = at(h, h.total[i]!, to) - at(h, h.total[i]!, from);
  return (at(h, h.bad[i]!, to) - at(h, h.bad[i]!, from)) / tot;
}

function promtool(args: string[]): string {
  const r = spawnSync('/usr/bin/promtool', args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`promtool ${args.slice(0, 3).join(' ')} failed: ${(r.stdout + r.stderr).slice(0, 2000)}`);
  return r.stdout;
}

async function startPrometheus(dir: string, dataDir: string, ruleFile: string | undefined, port: number, logDir: string, name: string) {
  const config = join(dir, `${name}.yml`);
  writeFileSync(config, `global:\n  scrape_interval: 15s\n  evaluation_interval: 1m\n${ruleFile ? `rule_files:\n  - ${ruleFile}\n` : ''}`);
  const child = startChild('/usr/bin/prometheus', ['--web.enable-remote-write-receiver', `--config.file=${config}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=90d'], join(logDir, `rule-cost-${name}.log`));
  await waitHttpOk(`http://127.0.0.1:${port}/-/ready`, 120_000, child);
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Sum over every rule group of prometheus_rule_group_last_duration_seconds, from its own /metrics. */
async function lastDurationMs(url: string): Promise<{ total: number; perMinute: number; byKind: Map<string, number> }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const intervals = new Map([...text.matchAll(/^prometheus_rule_group_interval_seconds\{[^}]*rule_group="([^"]*)"[^}]*\} (\S+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
  let sum = 0;
  let perMinute = 0;
  let groups = 0;
  const byKind = new Map<string, number>();
  for (const m of text.matchAll(/^prometheus_rule_group_last_duration_seconds\{[^}]*rule_group="([^"]*;([^"]*))"[^}]*\} (\S+)$/gm)) {
    const ms = Number(m[3]) * 1000;
    perMinute += (ms * 60) / (intervals.get(m[1]!) ?? 60);
    // The group's kind: its name without the SLO id (sli recordings, metadata, alerts).
    const kind = m[2]!.replace(/-bench-svc\d+-requests-r\d+$/, '');
    byKind.set(kind, (byKind.get(kind) ?? 0) + ms);
    sum += ms;
    groups++;
  }
  if (groups === 0) throw new Error(`${url}/metrics has no prometheus_rule_group_last_duration_seconds: the rules did not load`);
  return { total: sum, perMinute, byKind };
}

async function query(url: string, q: string, timeSec?: number): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const u = new URL(`${url}/api/v1/query`);
  u.searchParams.set('query', q);
  if (timeSec !== undefined) u.searchParams.set('time', String(timeSec));
  const body = (await (await fetch(u)).json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`query ${q} failed: ${body.error}`);
  return body.data.result;
}

async function queryRange(url: string, q: string, fromSec: number, toSec: number): Promise<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>> {
  const u = new URL(`${url}/api/v1/query_range`);
  u.searchParams.set('query', q);
  u.searchParams.set('start', String(fromSec));
  u.searchParams.set('end', String(toSec));
  u.searchParams.set('step', '60');
  const body = (await (await fetch(u)).json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
  if (body.status !== 'success') throw new Error(`range query ${q} failed: ${body.error}`);
  return body.data.result;
}

/** Our generated rule files merged into one, and our base 5m rules alone for the backfill. */
export interface BackfillRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
  /** The name of the copy kept only at 5-minute boundaries (one sample per base window), if the rules record one. */
  aligned?: string;
}

function ourRules(dir: string, count: number): { file: string; backfillRules: BackfillRule[]; groups: number; rules: number } {
  writeSloSpecs(join(dir, 'slos'), count);
  const r = spawnSync('./bin/slo', ['generate', join(dir, 'slos'), '--rules-dir', join(dir, 'rules'), '--dashboards-dir', join(dir, 'dash')], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`slo generate failed: ${(r.stderr || r.stdout).slice(0, 1000)}`);
  const groups: Array<{ name: string; interval?: string; rules: Array<Record<string, unknown>> }> = [];
  for (const f of readdirSync(join(dir, 'rules')).filter((f) => f.endsWith('.rules.yaml')).sort()) {
    groups.push(...(parse(readFileSync(join(dir, 'rules', f), 'utf8')) as { groups: typeof groups }).groups);
  }
  const file = join(dir, 'ours.rules.json');
  writeFileSync(file, JSON.stringify({ groups }));
  // The rules every longer window sums: the 5m increases (their `or 0 * ...` arm needs the
  // recorded total, which the backfill does not have yet; the bad series always exist here).
  const backfillRules: BackfillRule[] = groups
    .filter((g) => g.name.startsWith('slo-sli-recordings-'))
    .flatMap((g) => g.rules.filter((r) => /:increase5m$/.test(String(r.record))))
    .map((r) => ({ record: String(r.record), expr: String(r.expr), labels: (r.labels ?? {}) as Record<string, string> }));
  // The aligned copies the long windows sum, where the rules record them (the group's first
  // evaluation after each 5-minute boundary; the backfill's steps fall on the boundary itself).
  const recorded = new Set(groups.flatMap((g) => g.rules.map((r) => String(r.record))));
  for (const r of backfillRules) if (recorded.has(`${r.record}_aligned`)) r.aligned = `${r.record}_aligned`;
  return { file, backfillRules, groups: groups.length, rules: groups.reduce((n, g) => n + g.rules.length, 0) };
}

function exactness(h: History, results: Array<{ id: string; value: number; ts: number }>, window: (ts: number) => [number, number]): Exactness {
  const errs = results.map((r) => {
    const [from, to] = window(r.ts);
    const truth = trueRatio(h, Number(/r(\d+)$/.exec(r.id)![1]) + 100 * Number(/svc(\d+)/.exec(r.id)![1]), from, to);
    return Math.abs(r.value - truth) / truth;
  });
  errs.sort((a, b) => a - b);
  return { medianRelError: errs[errs.length >> 1] ?? NaN, maxRelError: errs[errs.length - 1] ?? NaN, slos: errs.length };
}

async function ratios(url: string, record: string, idLabel: string): Promise<Array<{ id: string; value: number; ts: number }>> {
  const values = await query(url, record);
  const stamps = new Map((await query(url, `timestamp(${record})`)).map((r) => [r.metric[idLabel]!, Number(r.value[1]) * 1000]));
  return values.map((r) => ({ id: r.metric[idLabel]!, value: Number(r.value[1]), ts: stamps.get(r.metric[idLabel]!)! }));
}

export async function benchRuleCost(opts: { slos: number; hours: number; samples: number; freePort: () => Promise<number>; logDir: string; log: (m: string) => void }): Promise<RuleCostResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rules-'));
  const procs: Array<Awaited<ReturnType<typeof startPrometheus>>> = [];
  try {
    // History from `hours` ago to 20 minutes ahead: the past as blocks, the rest sent live by
    // remote write as its time comes, so the series stay live while the rules run.
    const steps = Math.round(((opts.hours * 3600 + 1200) * 1000) / (STEP_S * 1000));
    const startMs = Math.floor((Date.now() - opts.hours * 3_600_000) / (STEP_S * 1000)) * STEP_S * 1000;
    const h = makeHistory(opts.slos, startMs, steps);
    const frame = (k: number): Sample[] => {
      const samples: Sample[] = [];
      for (let i = 0; i < opts.slos; i++) {
        const labels = { route: routeOf(i), cluster: 'eu-1' };
        samples.push({ name: metricOf(i), labels: { ...labels, code: '200' }, value: h.total[i]![k]! - h.bad[i]![k]! });
        samples.push({ name: metricOf(i), labels: { ...labels, code: '500' }, value: h.bad[i]![k]! });
      }
      return samples;
    };
    const builder = new OpenMetricsBuilder();
    let sent = 0;
    for (; sent < h.times.length && h.times[sent]! <= Date.now(); sent++) builder.add({ timeMs: h.times[sent]!, samples: frame(sent) });
    const om = join(dir, 'history.om');
    builder.writeFile(om);
    const data = join(dir, 'data');
    promtool(['tsdb', 'create-blocks-from', 'openmetrics', om, data]);
    rmSync(om);

    const ours = ourRules(dir, opts.slos);
    const sloth = join(dir, 'sloth.rules.yml');
    writeFileSync(sloth, slothRuleFile(opts.slos));

    // The recorded 5m series both sets' long windows read, over the whole history, as a
    // Prometheus that had run the rules all along would have them: each base rule evaluated as a
    // range query at 1m steps, written back as blocks (promtool's own rule backfill writes a block
    // per rule and 2 h, thousands here, which Prometheus then spends minutes compacting).
    const plain = await startPrometheus(dir, data, undefined, await opts.freePort(), opts.logDir, 'backfill');
    const frames = new Map<number, Sample[]>();
    const from = Math.floor(startMs / 60_000) * 60 + 300;
    const to = Math.floor(Date.now() / 60_000) * 60;
    for (const rule of [...ours.backfillRules, ...slothBackfillRules(opts.slos)]) {
      for (const series of await queryRange(plain.url, rule.expr, from, to)) {
        for (const [t, v] of series.values) {
          let list = frames.get(t);
          if (!list) frames.set(t, (list = []));
          list.push({ name: rule.record, labels: { ...series.metric, ...rule.labels }, value: Number(v) });
          const aligned = 'aligned' in rule ? rule.aligned : undefined;
          if (aligned && t % 300 === 0) list.push({ name: aligned, labels: { ...series.metric, ...rule.labels }, value: Number(v) });
        }
      }
    }
    await stopChild(plain.child);
    const recorded = new OpenMetricsBuilder();
    for (const t of [...frames.keys()].sort((x, y) => x - y)) recorded.add({ timeMs: t * 1000, samples: frames.get(t)! });
    recorded.writeFile(om);
    promtool(['tsdb', 'create-blocks-from', 'openmetrics', om, data]);
    rmSync(om);

    const sets = [
      { name: 'slo-engine (generated)', file: ours.file, idLabel: 'slo_id', groups: ours.groups, rules: ours.rules },
      { name: 'Sloth structure', file: sloth, idLabel: 'sloth_id', groups: opts.slos * 3, rules: opts.slos * 17 },
    ];
    // Side by side, so both see the same load from everything else on the machine.
    for (const s of sets) {
      const copy = join(dir, `data-${s.idLabel}`);
      cpSync(data, copy, { recursive: true });
      procs.push(await startPrometheus(dir, copy, s.file, await opts.freePort(), opts.logDir, s.idLabel));
    }
    const feed = async () => {
      for (; sent < h.times.length && h.times[sent]! <= Date.now(); sent++) {
        const body = snappyCompress(encodeWriteRequestV1(frame(sent).map((x) => ({ labels: { ...x.labels, __name__: x.name }, samples: [{ timestampMs: h.times[sent]!, value: x.value }] }))));
        for (const p of procs) {
          const res = await fetch(`${p.url}/api/v1/write`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' }, body });
          if (!res.ok) throw new Error(`Prometheus refused live samples: ${res.status} ${(await res.text()).slice(0, 200)}`);
        }
      }
    };
    let feedError: Error | undefined;
    const feeder = setInterval(() => void feed().catch((e: Error) => (feedError ??= e)), 5000);
    await feed();
    // Warm-up: every group evaluated (each starts at its own offset within the minute).
    await new Promise((ok) => setTimeout(ok, WARM_UP_MS));
    const evalMs: number[][] = sets.map(() => []);
    const perMinuteMs: number[][] = sets.map(() => []);
    const byKind: Array<Map<string, number[]>> = sets.map(() => new Map());
    for (let k = 0; k < opts.samples; k++) {
      if (k > 0) await new Promise((ok) => setTimeout(ok, 60_000));
      if (feedError) throw feedError;
      for (let j = 0; j < sets.length; j++) {
        const d = await lastDurationMs(procs[j]!.url);
        evalMs[j]!.push(d.total);
        perMinuteMs[j]!.push(d.perMinute);
        for (const [kind, ms] of d.byKind) {
          const list = byKind[j]!.get(kind) ?? [];
          byKind[j]!.set(kind, [...list, ms]);
        }
      }
      opts.log(`rule cost sample ${k + 1}/${opts.samples}: ${sets.map((s, j) => `${s.name} ${evalMs[j]![k]!.toFixed(1)} ms per cycle, ${perMinuteMs[j]![k]!.toFixed(1)} ms per minute`).join(', ')}`);
    }
    clearInterval(feeder);
    for (let j = 0; j < sets.length; j++) opts.log(formatKinds(sets[j]!.name, await costByRuleKind(procs[j]!.url)));
    const results: RuleSetCost[] = [];
    for (let j = 0; j < sets.length; j++) {
      const s = sets[j]!;
      const url = procs[j]!.url;
      const oneHour = await ratios(url, 'slo:sli_error:ratio_rate1h', s.idLabel);
      const period = await ratios(url, 'slo:sli_error:ratio_rate30d', s.idLabel);
      // Our windows are sums of the 5m buckets aligned to the clock; Sloth's end at evaluation.
      const end = (ts: number) => (s.idLabel === 'slo_id' ? Math.floor(ts / MIN5) * MIN5 : ts);
      results.push({
        name: s.name,
        groups: s.groups,
        rules: s.rules,
        evalMs: summarize(evalMs[j]!),
        perMinuteMs: summarize(perMinuteMs[j]!),
        byKind: Object.fromEntries([...byKind[j]!].map(([k, v]) => [k, summarize(v)])),
        oneHour: exactness(h, oneHour, (ts) => [end(ts) - 3_600_000, end(ts)]),
        period: exactness(h, period, (ts) => [h.times[0]!, end(ts)]),
      });
    }
    return { slos: opts.slos, hours: opts.hours, scrapeSeconds: STEP_S, samples: opts.samples, sets: results };
  } finally {
    for (const p of procs) await stopChild(p.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

