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
import type { Sample } from '../../src/simulator/types.js';
import { encodeWriteRequestV1 } from '../../src/wire/remote-write-v1.js';
import { snappyCompress } from '../../src/wire/snappy-compress.js';
import { startChild, stopChild, waitHttpOk } from './procs.js';
import { increase5m, makeHistory, selectors, STEP_S, trueRatio, writeHistoryBlocks, type History, type RecordedSeries } from './rule-history.js';
import { costByRuleKind, formatKinds, type KindCost } from './rule-kinds.js';
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
  /** Per kind of rule (rule-kinds.ts), from /api/v1/rules after the last sample. */
  ruleKinds: Record<string, KindCost>;
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

/** Two evaluations of every group and the start-up compaction of the backfilled blocks. */
const WARM_UP_MS = 120_000;
const MIN5 = 300_000;
const DAY30 = 30 * 86_400_000;
/** promtool block span (one of Prometheus's block ranges, 2h x 3^n): 30 days make 5-6 files. */
const BLOCK_HOURS = 162;

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

/** SLO index of a bench SLO id (`bench-svc<i / 100>-requests-r<i % 100>`, slo-spec.ts). */
function sloIndex(id: string): number {
  return Number(/r(\d+)$/.exec(id)![1]) + 100 * Number(/svc(\d+)/.exec(id)![1]);
}

/**
 * The recorded 5m series each set's long windows read, as a Prometheus that had run the rules all
 * along would hold them (evaluated at each minute; our aligned copies at each 5-minute boundary),
 * computed from the counters (rule-history.ts `increase5m` says why that is exact here). Each rule
 * must be the plain form computed here, or the bench stops rather than backfill something else.
 */
function recordedSeries(h: History, ours: BackfillRule[], slos: number): RecordedSeries[] {
  const out: RecordedSeries[] = [];
  for (const r of ours) {
    const i = sloIndex(r.labels.slo_id!);
    const which = r.record === 'slo:events_total:increase5m' ? 'total' : r.record === 'slo:events_bad:increase5m' ? 'bad' : undefined;
    const plain = which && `sum (increase(${selectors(i)[which]}[5m]))`;
    // The bad rule's `or 0 * sum(total)` arm only answers when no bad series exists; here it always does.
    const core = r.expr.replace(/^\((.*) or 0 \* sum \(slo:events_total:increase5m\{[^}]*\}\)\)$/, '$1');
    if (!which || core !== plain) throw new Error(`rule-cost backfill: ${r.record} of ${r.labels.slo_id} is \`${r.expr}\`, not the \`${plain}\` it computes; teach recordedSeries() the new form`);
    const value = increase5m(which === 'total' ? h.total[i]! : h.bad[i]!);
    out.push({ name: r.record, labels: r.labels, every: 2, value, expr: r.expr });
    if (r.aligned) out.push({ name: r.aligned, labels: r.labels, every: 10, value, expr: r.expr });
  }
  for (const [i, r] of slothBackfillRules(slos).entries()) {
    const bad = increase5m(h.bad[i]!);
    const total = increase5m(h.total[i]!);
    // sum(rate(bad[5m])) / sum(rate(all[5m])): each rate is its increase / 300, the two codes summed.
    const value = (k: number) => bad(k) / 300 / ((total(k) - bad(k)) / 300 + bad(k) / 300);
    out.push({ name: r.record, labels: r.labels, every: 2, value, expr: r.expr });
  }
  return out;
}

/**
 * A few backfilled values (first, middle and last SLO; first, middle and last step) against the
 * rule's own expression evaluated by Prometheus at the same time over the raw blocks: the
 * backfill must be what the rule computes, or the bench stops.
 */
async function crossCheck(url: string, h: History, recorded: RecordedSeries[], last: number): Promise<number> {
  const picks = [recorded[0]!, recorded[recorded.length >> 1]!, recorded[recorded.length - 1]!, ...recorded.filter((r) => r.every === 10).slice(0, 1)];
  let checked = 0;
  for (const r of picks) {
    const first = 10;
    for (const k of [first, Math.floor((first + last) / 2 / r.every) * r.every, Math.floor(last / r.every) * r.every]) {
      const want = r.value(k);
      const got = await query(url, r.expr, h.times[k]! / 1000);
      const v = got.length === 1 ? Number(got[0]!.value[1]) : NaN;
      if (!(Math.abs(v - want) <= 1e-12 * Math.abs(want))) {
        throw new Error(`rule-cost backfill differs from Prometheus: ${r.name}${JSON.stringify(r.labels)} at ${new Date(h.times[k]!).toISOString()} is ${want} here, ${got.length === 1 ? v : `${got.length} series`} from \`${r.expr}\``);
      }
      checked++;
    }
  }
  return checked;
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
    const truth = trueRatio(h, sloIndex(r.id), from, to);
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
    // History from `hours` ago (on the 5-minute grid) to 20 minutes ahead: the past as blocks,
    // the rest sent live by remote write as its time comes, so the series stay live while the
    // rules run. With 720 h every window (30d included) is full, as in an engine that has run a
    // whole period; shorter histories measure a Prometheus that has just started.
    const steps = Math.round((opts.hours * 3600 + 1200) / STEP_S);
    const startMs = Math.floor((Date.now() - opts.hours * 3_600_000) / MIN5) * MIN5;
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
    const ours = ourRules(dir, opts.slos);
    const sloth = join(dir, 'sloth.rules.yml');
    writeFileSync(sloth, slothRuleFile(opts.slos));
    const recorded = recordedSeries(h, ours.backfillRules, opts.slos);

    // The blocks end at a 5-minute boundary B, and the rules' servers start between B + 61 s and
    // B + 5m: the backfill holds B's aligned copy, the rules' first evaluations (`time() % 300 <
    // 60` is false until the next boundary) do not record it a second time, and they record the
    // next boundary's themselves, so every bucket is in the windows once. (The rules could not
    // write before B anyway: Prometheus refuses samples older than its newest block.) B is picked
    // from the expected time to write the blocks (30 days: 57 s on an idle machine, 118 s with
    // other benches running), taking the next boundary and waiting for it when the expected
    // start is too close to B + 5m.
    const prepMs = 20_000 + opts.hours * 110;
    const readyAt = Date.now() + prepMs;
    let endMs = Math.floor((readyAt - 61_000) / MIN5) * MIN5;
    if (readyAt > endMs + MIN5 - 30_000) endMs += MIN5;
    const last = Math.min(steps, Math.round((endMs - startMs) / (STEP_S * 1000)));
    let sent = last + 1;
    const t0 = performance.now();
    const data = join(dir, 'data');
    const written = await writeHistoryBlocks(h, last, recorded, dir, data, BLOCK_HOURS);
    opts.log(`rule cost: ${written.toLocaleString('en')} samples of history (${opts.hours} h) written as blocks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const sets = [
      { name: 'slo-engine (generated)', file: ours.file, idLabel: 'slo_id', groups: ours.groups, rules: ours.rules },
      { name: 'Sloth structure', file: sloth, idLabel: 'sloth_id', groups: opts.slos * 3, rules: opts.slos * 17 },
    ];
    // Side by side, so both see the same load from everything else on the machine.
    const copies = sets.map((set) => join(dir, `data-${set.idLabel}`));
    for (const copy of copies) cpSync(data, copy, { recursive: true });
    rmSync(data, { recursive: true });
    if (Date.now() < endMs + 61_000) await new Promise((ok) => setTimeout(ok, endMs + 61_000 - Date.now()));
    for (const [j, set] of sets.entries()) procs.push(await startPrometheus(dir, copies[j]!, set.file, await opts.freePort(), opts.logDir, set.idLabel));
    const late = Date.now() - (endMs + MIN5);
    opts.log(`rule cost: servers ready ${((Date.now() - endMs) / 1000).toFixed(0)} s after the blocks' end${late > 0 ? `, ${(late / 1000).toFixed(0)} s after the next 5-minute boundary: our windows may miss that bucket (the exactness columns would show it)` : ''}`);
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
    // Warm-up: every group evaluated (each starts at its own offset within the minute). The
    // backfill's cross-check runs meanwhile.
    const warm = Date.now();
    opts.log(`rule cost: ${await crossCheck(procs[0]!.url, h, recorded, last)} backfilled values equal the rules' own expressions evaluated by Prometheus`);
    await new Promise((ok) => setTimeout(ok, Math.max(0, WARM_UP_MS - (Date.now() - warm))));
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
    const kinds: Array<Map<string, KindCost>> = [];
    for (let j = 0; j < sets.length; j++) {
      kinds.push(await costByRuleKind(procs[j]!.url));
      opts.log(formatKinds(sets[j]!.name, kinds[j]!));
    }
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
        ruleKinds: Object.fromEntries(kinds[j]!),
        oneHour: exactness(h, oneHour, (ts) => [end(ts) - 3_600_000, end(ts)]),
        // The period is 30 days, or the whole history when shorter.
        period: exactness(h, period, (ts) => [Math.max(h.times[0]!, end(ts) - DAY30), end(ts)]),
      });
    }
    return { slos: opts.slos, hours: opts.hours, scrapeSeconds: STEP_S, samples: opts.samples, sets: results };
  } finally {
    for (const p of procs) await stopChild(p.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

