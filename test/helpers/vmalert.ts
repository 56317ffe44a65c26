/**
 * vmalert (Debian's victoria-metrics package) for tests: checking rule files with `-dryRun`, and
 * evaluating recording rules over history with replay mode (`-replay.timeFrom/-replay.timeTo`),
 * which runs each rule as range queries against the datasource and remote-writes the results.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTracked, tail } from './prometheus-process.js';
import { backfillGroupNames, dependencyLevels, ruleFileFor, type RecordingRule } from './rule-backfill.js';
import type { VictoriaMetricsProcess } from './victoria-metrics.js';

export const VMALERT = process.env.VMALERT ?? 'vmalert';

/**
 * `vmalert -dryRun`: parses the rule files, every expression with the MetricsQL parser and every
 * template. Syntax only: 1.79 accepts a function it does not have (histogram_fraction,
 * histogram_count) and fails only when the query runs ("unknown func").
 */
export function vmalertCheck(ruleFiles: string[]): { ok: boolean; output: string } {
  const r = spawnSync(VMALERT, ['-dryRun', ...ruleFiles.map((f) => `-rule=${f}`)], { encoding: 'utf8' });
  if (r.error) throw new Error(`could not run ${VMALERT} (${r.error.message}); install Debian's victoria-metrics package or set VMALERT`);
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/**
 * One replay: every group of the rule files evaluated at its interval over [fromMs, toMs], rule
 * after rule, results remote-written to `vm`. Resolves with the number of samples written once
 * vmalert has exited (it flushes its remote-write queue before it does).
 */
export async function vmalertReplay(opts: { ruleFiles: string[]; vm: VictoriaMetricsProcess; fromMs: number; toMs: number; workDir: string; logName: string; rulesDelay?: string }): Promise<number> {
  const log = join(opts.workDir, opts.logName);
  const proc = spawnTracked(
    VMALERT,
    [
      ...opts.ruleFiles.map((f) => `-rule=${f}`),
      `-datasource.url=${opts.vm.url}`,
      `-remoteWrite.url=${opts.vm.url}`,
      `-replay.timeFrom=${new Date(opts.fromMs).toISOString()}`,
      `-replay.timeTo=${new Date(opts.toMs).toISOString()}`,
      `-replay.rulesDelay=${opts.rulesDelay ?? '0s'}`,
      '-replay.disableProgressBar',
      '-replay.ruleRetryAttempts=1',
      '-httpListenAddr=127.0.0.1:0',
    ],
    log,
  );
  await proc.finished;
  if (proc.spawnError()) throw new Error(`could not run ${VMALERT} (${proc.spawnError()!.message}); install Debian's victoria-metrics package or set VMALERT`);
  const text = readFileSync(log, 'utf8');
  if (proc.exited() !== '0') throw new Error(`vmalert replay of ${opts.ruleFiles.join(', ')} exited ${proc.exited()}; ${log} ends with:\n${tail(log, 40)}`);
  const imported = /replay finished! Imported (\d+) samples/.exec(text);
  if (!imported) throw new Error(`vmalert replay did not report finishing; ${log} ends with:\n${tail(log, 40)}`);
  return Number(imported[1]);
}

/**
 * Replays recording rules that read each other. vmalert's replay evaluates a group's rules in
 * order and sleeps -replay.rulesDelay (default 1s) after each, hoping the storage has made the
 * previous results searchable by then: for ~30 chained rules per SLO that is slow, and a delay
 * too short silently gives wrong values. So the rules go in dependency levels (as for promtool,
 * see rule-backfill.ts): one replay per level without delay, then a flush of VictoriaMetrics,
 * so every level reads complete results of the levels below. Rules and group intervals are
 * those of the files; replay aligns every evaluation on the group interval, so every level is
 * evaluated at the same timestamps.
 */
export async function replayByLevel(opts: { rules: RecordingRule[]; vm: VictoriaMetricsProcess; fromMs: number; toMs: number; workDir: string }): Promise<{ levels: number; samples: number }> {
  const levels = dependencyLevels(opts.rules);
  const names = backfillGroupNames(opts.rules);
  let samples = 0;
  for (const [i, rules] of levels.entries()) {
    if (rules.length === 0) continue;
    const file = join(opts.workDir, `vmalert-level-${i}.yml`);
    writeFileSync(file, ruleFileFor(rules, names));
    samples += await vmalertReplay({ ruleFiles: [file], vm: opts.vm, fromMs: opts.fromMs, toMs: opts.toMs, workDir: opts.workDir, logName: `vmalert-level-${i}.log` });
    await opts.vm.flush();
  }
  return { levels: levels.length, samples };
}
