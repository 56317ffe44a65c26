/**
 * Drives real promtool over a synthetic scenario and reads back, minute by
 * minute, what an expression returned. promtool has no "dump" mode, so every
 * minute gets a `promql_expr_test` that expects nothing (`exp_samples: []`):
 * each minute where the expression returned samples fails, and the failure
 * report carries the samples promtool got. Those reports are parsed into
 * intervals per label set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { promtool, writeFiles } from './promtool.js';

export const MINUTE = 60_000;

/** One stretch of the scenario: `minutes` long, `total` events a minute, `errorRatio` of them bad. */
export interface Phase {
  name: string;
  minutes: number;
  total: number;
  errorRatio: number;
}

export interface InputSeries {
  series: string;
  values: string;
}

function num(v: number): string {
  // Counters are sums of per-minute steps; round away float noise so the notation stays exact.
  return String(Math.round(v * 1e6) / 1e6);
}

/** promtool's expanding notation for a series whose per-minute step is given for minutes 1..n (value 0 at minute 0). */
export function stepsToNotation(steps: Array<{ minutes: number; step: number }>): string {
  const parts: string[] = ['0'];
  let v = 0;
  for (const { minutes, step } of steps) {
    if (minutes <= 0) continue;
    parts.push(minutes === 1 ? num(v + step) : `${num(v + step)}+${num(step)}x${minutes - 1}`);
    v += step * minutes;
  }
  return parts.join(' ');
}

export function scenarioMinutes(phases: readonly Phase[]): number {
  return phases.reduce((s, p) => s + p.minutes, 0);
}

/**
 * Two request counters, good (code 200) and bad (code 500), for one job.
 * Minute m of the scenario (1-based) adds the events of the phase it falls in.
 */
export function httpCounters(job: string, phases: readonly Phase[]): InputSeries[] {
  const good = phases.map((p) => ({ minutes: p.minutes, step: p.total * (1 - p.errorRatio) }));
  const bad = phases.map((p) => ({ minutes: p.minutes, step: p.total * p.errorRatio }));
  return [
    { series: `http_request_duration_seconds_count{job="${job}",code="200"}`, values: stepsToNotation(good) },
    { series: `http_request_duration_seconds_count{job="${job}",code="500"}`, values: stepsToNotation(bad) },
  ];
}

/** Exact bad/total over minutes (0, T] of the scenario, from the phase definitions alone. */
export function exactErrorRatio(phases: readonly Phase[], untilMinute: number): number {
  let bad = 0;
  let total = 0;
  let m = 0;
  for (const p of phases) {
    const n = Math.max(0, Math.min(p.minutes, untilMinute - m));
    bad += n * p.total * p.errorRatio;
    total += n * p.total;
    m += p.minutes;
  }
  return bad / total;
}

/** A gauge that holds `value` for each phase's minutes (minute 0 takes the first phase's value). */
export function gauge(series: string, phases: ReadonlyArray<{ minutes: number; value: number }>): InputSeries {
  const parts: string[] = [];
  phases.forEach((p, i) => {
    const n = i === 0 ? p.minutes + 1 : p.minutes;
    parts.push(n === 1 ? num(p.value) : `${num(p.value)}x${n - 1}`);
  });
  return { series, values: parts.join(' ') };
}

export interface Interval {
  /** First minute the expression returned this label set. */
  start: number;
  /** First minute it no longer did (the scenario's end + 1 if it never stopped). */
  end: number;
}

export type Timeline = Record<string, Interval[]>;

export interface PromtoolRun {
  ok: boolean;
  output: string;
  /** minute -> label set (as promtool prints it) -> value */
  samples: Map<number, Map<string, number>>;
}

/** Group names of rule files in `dir`, in file order. */
function groupNames(dir: string, ruleFiles: string[]): string[] {
  return ruleFiles.flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), 'utf8')).flatMap((d) => {
      const v = d.toJS() as { groups?: Array<{ name: string }> } | null;
      return (v?.groups ?? []).map((g) => g.name);
    }),
  );
}

/**
 * Without `group_eval_order` promtool 2.42 evaluates groups in Go map order,
 * which changes from run to run: an alert group evaluated before the
 * recording group it reads sees the previous minute's values, so alerts would
 * move by one evaluation interval at random. File order (recordings, then
 * metadata, then alerts) makes every run the same.
 */
function testFile(dir: string, ruleFiles: string[], input: InputSeries[], tests: Array<{ expr: string; minute: number; exp?: Array<{ labels: string; value: number }> }>): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    'rule_files:',
    ...ruleFiles.map((f) => `  - ${q(f)}`),
    'evaluation_interval: 1m',
    'group_eval_order:',
    ...groupNames(dir, ruleFiles).map((g) => `  - ${q(g)}`),
    'tests:',
    '  - interval: 1m',
    '    input_series:',
    ...input.flatMap((s) => [`      - series: ${q(s.series)}`, `        values: ${q(s.values)}`]),
    '    promql_expr_test:',
    ...tests.flatMap((t) => [
      `      - expr: ${q(t.expr)}`,
      `        eval_time: ${t.minute}m`,
      ...(t.exp && t.exp.length > 0
        ? ['        exp_samples:', ...t.exp.flatMap((e) => [`          - labels: ${q(e.labels)}`, `            value: ${e.value}`])]
        : ['        exp_samples: []']),
    ]),
  ];
  return lines.join('\n') + '\n';
}

/** promtool 2.42 formats durations like Prometheus' model.Duration: 1d2h3m, 0s. */
export function parsePromDuration(s: string): number {
  if (s === '0s') return 0;
  const re = /(\d+)(y|w|d|h|ms|m|s)/g;
  const unit: Record<string, number> = { y: 365 * 86400e3, w: 7 * 86400e3, d: 86400e3, h: 3600e3, m: 60e3, s: 1e3, ms: 1 };
  let ms = 0;
  let matched = '';
  for (const m of s.matchAll(re)) {
    ms += Number(m[1]) * unit[m[2]!]!;
    matched += m[0];
  }
  if (matched !== s) throw new Error(`cannot parse promtool duration ${JSON.stringify(s)}`);
  return ms;
}

/**
 * Parses promtool's failure report. In 2.42 each failing promql test prints
 *   expr: "<expr>", time: 1h5m,
 *       exp: nil
 *       got: {a="b"} 1E+00, {a="c"} 2E+00
 * (`got:` lists every returned sample as `<labels> <value>`, comma-separated).
 */
export function parseGot(output: string): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  const lines = output.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /expr: ".*", time: (\S+),\s*$/.exec(lines[i]!);
    if (!head) continue;
    const minute = parsePromDuration(head[1]!) / MINUTE;
    const gotLine = lines.slice(i + 1, i + 4).find((l) => /^\s*got:/.test(l));
    if (gotLine === undefined) throw new Error(`no got: line after ${lines[i]}`);
    const body = gotLine.replace(/^\s*got:\s*/, '');
    const samples = new Map<string, number>();
    if (body !== 'nil') {
      for (const m of body.matchAll(/(\{[^}]*\})\s+([-+0-9.eE]+|NaN|[+-]?Inf)/g)) samples.set(m[1]!, Number(m[2]));
      if (samples.size === 0) throw new Error(`cannot parse got: ${JSON.stringify(gotLine)}`);
    }
    out.set(minute, samples);
  }
  return out;
}

/** Evaluates `expr` at each given minute against the rule files and input; returns what promtool reported. */
export function sampleExpr(dir: string, name: string, ruleFiles: string[], input: InputSeries[], expr: string, minutes: number[]): PromtoolRun {
  const file = `${name}.test.yml`;
  writeFiles(dir, { [file]: testFile(dir, ruleFiles, input, minutes.map((minute) => ({ expr, minute }))) });
  const r = promtool(['test', 'rules', file], dir);
  if (!r.ok && !/FAILED:/.test(r.output)) throw new Error(`promtool did not run the tests:\n${r.output.slice(0, 4000)}`);
  if (/Unable to|could not|error parsing|parse error/i.test(r.output.slice(0, 2000)) && !/expr: /.test(r.output)) {
    throw new Error(`promtool failed:\n${r.output.slice(0, 4000)}`);
  }
  return { ...r, samples: parseGot(r.output) };
}

/** Runs one promql test with exact expectations; ok when promtool agrees. */
export function expectExpr(dir: string, name: string, ruleFiles: string[], input: InputSeries[], expr: string, minute: number, exp: Array<{ labels: string; value: number }>): { ok: boolean; output: string } {
  const file = `${name}.test.yml`;
  writeFiles(dir, { [file]: testFile(dir, ruleFiles, input, [{ expr, minute, exp }]) });
  return promtool(['test', 'rules', file], dir);
}

/** Intervals per label set: a label set is "on" at minute m when the expression returned it then. */
export function toTimeline(samples: Map<number, Map<string, number>>, minutes: number[]): Timeline {
  const tl: Timeline = {};
  const open = new Map<string, number>();
  const keys = new Set<string>();
  for (const s of samples.values()) for (const k of s.keys()) keys.add(k);
  for (const m of minutes) {
    const at = samples.get(m);
    for (const k of keys) {
      const on = at?.has(k) ?? false;
      if (on && !open.has(k)) open.set(k, m);
      if (!on && open.has(k)) {
        (tl[k] ??= []).push({ start: open.get(k)!, end: m });
        open.delete(k);
      }
    }
  }
  const last = minutes[minutes.length - 1] ?? 0;
  for (const [k, start] of open) (tl[k] ??= []).push({ start, end: last + 1 });
  return tl;
}

export function alertTimeline(dir: string, name: string, ruleFiles: string[], input: InputSeries[], lastMinute: number): Timeline {
  const minutes = Array.from({ length: lastMinute + 1 }, (_, i) => i);
  const run = sampleExpr(dir, name, ruleFiles, input, 'count by (sloth_severity) (ALERTS{alertstate="firing"})', minutes);
  return toTimeline(run.samples, minutes);
}

export function fmtMinute(m: number): string {
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function fmtTimeline(tl: Timeline): string {
  return Object.entries(tl)
    .map(([k, iv]) => `${k}: ${iv.map((i) => `[${fmtMinute(i.start)}, ${fmtMinute(i.end)})`).join(' ')}`)
    .join('\n') || '(nothing fired)';
}

export { join };
