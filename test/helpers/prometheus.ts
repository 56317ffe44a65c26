/**
 * A real Prometheus with hours of simulated platform history, evaluating real rule files, for
 * end-to-end tests:
 *
 *   1. The simulator's history (the last `historyHours`, up to now) becomes TSDB blocks through
 *      `promtool tsdb create-blocks-from openmetrics`. History ends at now, not in the future: a
 *      block reaching past now makes Prometheus 2.42 discard every rule result until wall time
 *      passes the block's end ("out of bounds"; the head accepts nothing older than the newest
 *      block unless out-of-order ingestion is configured).
 *   2. Recording rules are backfilled level by level with `promtool tsdb create-blocks-from
 *      rules` (see rule-backfill.ts), each level against a Prometheus restarted over the blocks
 *      so far: promtool cannot see its own output, and a running Prometheus only notices new
 *      blocks at its once-a-minute reload. So long windows, ratios and burn rates have history
 *      too, and alerts that read them can fire on their first evaluation.
 *   3. The final Prometheus runs the rule files unchanged and scrapes the same simulated
 *      platform live from a 127.0.0.1 /metrics endpoint, so counters continue where the
 *      history ended. By default it returns once every rule group has been evaluated (groups
 *      with their own 1m interval take up to a minute to start) and the faster groups that read
 *      their output (meta recordings, alerts) have been evaluated after them; `waitFor:
 *      'fast-groups'` returns as soon as the alerts are out, 40-60 s sooner.
 *
 * Everything lives in a scratch dir under .tmp/, removed by stop().
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createPlatform, serveMetrics, type Faults, type MetricsServer } from '../../src/simulator/index.js';
import { writeHistoryBlocks } from './history-blocks.js';
import { instantQuery, rangeQuery, ruleGroups, type InstantSample, type RangeSeries, type RuleGroupState } from './prometheus-api.js';
import { sleep, startPrometheus, tail, type PrometheusProcess } from './prometheus-process.js';
import { scratchDir } from './promtool.js';
import { backfillRuleLevels, readRecordingRules } from './rule-backfill.js';

export type { InstantSample, RangeSeries, RuleGroupState } from './prometheus-api.js';

export interface LoadedPrometheusOptions {
  /** Rule files to load unchanged (e.g. the generated alert-rules/*.rules.yaml). */
  ruleFiles: string[];
  /** Simulator faults, for the history and the live platform alike. */
  faults?: Faults;
  /** Hours of history before now. Default 3; at least 1.25 so that 1h windows are full. */
  historyHours?: number;
  /** Spacing of the backfilled raw samples in seconds, a multiple of 15. Default 60. */
  resolutionSeconds?: number;
  /**
   * Which recording rules get history: `all` (default) backfills every level, so dashboards'
   * range queries over the last hours see burn rates and ratios; `base` only the 5m base counts
   * (slo:events_*:increase5m) that longer windows are summed from, about 10 s faster.
   */
  backfill?: 'all' | 'base';
  /**
   * When to return. `every-group` (default): once every rule group has been evaluated by this
   * Prometheus, which for groups with their own 1m interval takes up to a minute. `fast-groups`:
   * once the groups without their own interval (meta recordings, alerts) have been evaluated
   * often enough for ALERTS series to exist, under 10 s; with `backfill: 'all'` they already
   * read every recorded series' history, so alerts fire as they would, while the 1m groups
   * start within the next minute.
   */
  waitFor?: 'every-group' | 'fast-groups';
  /** Evaluation interval of rule groups without their own (meta recordings, alerts). Default 3s. */
  evaluationIntervalSeconds?: number;
  seed?: number;
  /** Keep the scratch dir after stop(), for debugging. Also kept when startup fails. */
  keepDir?: boolean;
  /** How long to wait for the rules' first evaluations. Default 150 s. */
  rulesTimeoutMs?: number;
}

export interface LoadedPrometheus {
  /** e.g. http://127.0.0.1:43121 */
  url: string;
  dir: string;
  /** Unix seconds: first and last backfilled sample. */
  historyStartSec: number;
  historyEndSec: number;
  /** Milliseconds spent in each phase of the startup. */
  timings: Record<string, number>;
  /** Instant query (at `timeSec`, default now); throws with Prometheus' error message. */
  query(expr: string, timeSec?: number): Promise<InstantSample[]>;
  queryRange(expr: string, startSec: number, endSec: number, stepSec: number): Promise<RangeSeries[]>;
  rules(): Promise<RuleGroupState[]>;
  /** Changes the live platform's faults from its next step on (history stays as it was). */
  setFaults(faults: Faults): void;
  stop(): Promise<void>;
}

const MINUTE = 60_000;

export async function startLoadedPrometheus(opts: LoadedPrometheusOptions): Promise<LoadedPrometheus> {
  const historyHours = opts.historyHours ?? 3;
  if (!(historyHours >= 1.25)) throw new Error(`startLoadedPrometheus: historyHours must be at least 1.25 so that 1h windows are full (got ${historyHours})`);
  if (opts.waitFor === 'fast-groups' && opts.backfill === 'base') {
    throw new Error(
      "startLoadedPrometheus: waitFor 'fast-groups' needs backfill 'all': alerts evaluated before the 1m SLI groups only see burn rates that were backfilled",
    );
  }
  const ruleFiles = opts.ruleFiles.map((f) => resolve(f));
  const dir = scratchDir('prometheus-');
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  let mark = t0;
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - mark);
    mark = now;
  };

  let server: MetricsServer | undefined;
  let prometheus: PrometheusProcess | undefined;
  try {
    // History on whole minutes: backfilled rule evaluations and 5m tiles line up on them.
    const endMs = Math.floor(Date.now() / MINUTE) * MINUTE;
    const startMs = endMs - Math.round(historyHours * 60) * MINUTE;
    const platform = createPlatform({ startMs, seed: opts.seed, faults: opts.faults });
    writeHistoryBlocks({ platform, toMs: endMs, resolutionMs: (opts.resolutionSeconds ?? 60) * 1000, workDir: dir, dataDir });
    lap('history');

    const recording = readRecordingRules(ruleFiles);
    const chosen = opts.backfill === 'base' ? recording.filter((r) => /:increase5m$/.test(r.record)) : recording;
    await backfillRuleLevels({
      dir,
      dataDir,
      rules: chosen,
      // The first 5 minutes have no full 5m increase yet.
      startSec: startMs / 1000 + 300,
      endSec: endMs / 1000,
      onLevel: (i, n) => lap(`backfill level ${i} (${n} rules)`),
    });

    server = await serveMetrics(platform);
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, finalConfig(server.target, ruleFiles, opts.evaluationIntervalSeconds ?? 3));
    const startedAtMs = Date.now();
    prometheus = await startPrometheus({ workDir: dir, configFile: config, dataDir, logName: 'prometheus.log' });
    lap('start');
    await waitForRules(prometheus, startedAtMs, opts.waitFor ?? 'every-group', opts.rulesTimeoutMs ?? 150_000);
    lap('first rule evaluations');
    timings.total = Math.round(performance.now() - t0);

    const url = prometheus.url;
    const running = prometheus;
    const live = server;
    return {
      url,
      dir,
      historyStartSec: startMs / 1000,
      historyEndSec: endMs / 1000,
      timings,
      query: (expr, timeSec) => instantQuery(url, expr, timeSec),
      queryRange: (expr, s, e, step) => rangeQuery(url, expr, s, e, step),
      rules: () => ruleGroups(url),
      setFaults: (f) => platform.setFaults(f),
      async stop() {
        await running.stop();
        await live.close();
        if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await prometheus?.stop();
    await server?.close();
    (e as Error).message += `\n(scratch dir kept: ${dir})`;
    throw e;
  }
}

/** Scrapes the simulator with its own job/instance labels (honor_labels), so live series continue the backfilled ones. */
function finalConfig(target: string, ruleFiles: string[], evaluationSeconds: number): string {
  return JSON.stringify(
    {
      global: { scrape_interval: '15s', scrape_timeout: '10s', evaluation_interval: `${evaluationSeconds}s` },
      rule_files: ruleFiles,
      scrape_configs: [{ job_name: 'simulator', honor_labels: true, static_configs: [{ targets: [target] }] }],
    },
    null,
    1,
  );
}

/**
 * `every-group`: waits until every group has been evaluated since start, and then until every
 * group with a shorter interval than the longest has been evaluated again one interval later.
 * The long-interval groups (the SLI recordings, 1m) feed the short ones (meta recordings,
 * alerts), so by then the alerts have seen burn rates computed by this Prometheus.
 * `fast-groups`: waits only for the short-interval groups.
 *
 * Either way a group with alerting rules must have been evaluated three times: Prometheus 2.42
 * evaluates it twice, then restores `for` state, and writes ALERTS series only from the third
 * evaluation on (the alerts API shows them firing earlier). Fails at once on a rule in error.
 */
async function waitForRules(p: PrometheusProcess, startedAtMs: number, mode: 'every-group' | 'fast-groups', timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let firstRound: number | undefined;
  let groups: RuleGroupState[] = [];
  const last = (g: RuleGroupState) => Date.parse(g.lastEvaluation);
  // The n-th evaluation after start happens at least (n - 1) intervals after start.
  const evaluated = (g: RuleGroupState, times: number) => last(g) >= startedAtMs + (times - 1) * g.interval * 1000;
  const needed = (g: RuleGroupState) => (g.rules.some((r) => r.type === 'alerting') ? 3 : 1);
  while (Date.now() < deadline) {
    groups = await ruleGroups(p.url);
    const errors = groups.flatMap((g) => g.rules.filter((r) => r.health === 'err').map((r) => `  ${g.file} group ${g.name}, rule ${r.name}: ${r.lastError}`));
    if (errors.length) throw new Error(`Prometheus could not evaluate ${errors.length} rule(s):\n${errors.join('\n')}`);
    const longest = Math.max(0, ...groups.map((g) => g.interval));
    const fast = groups.filter((g) => g.interval < longest);
    const fastDone = fast.every((g) => evaluated(g, Math.max(2, needed(g))));
    if (mode === 'fast-groups' && fast.length > 0 && fastDone) return;
    if (firstRound === undefined && groups.every((g) => evaluated(g, 1))) firstRound = Math.max(0, ...groups.map(last));
    if (firstRound !== undefined) {
      const round = firstRound;
      if (groups.every((g) => evaluated(g, needed(g))) && fast.every((g) => last(g) > round + g.interval * 1000)) return;
    }
    await sleep(500);
  }
  const waiting = groups.filter((g) => Date.parse(g.lastEvaluation) < startedAtMs).map((g) => `  ${g.file}: ${g.name} (every ${g.interval}s)`);
  throw new Error(
    `rule groups were not all evaluated within ${timeoutMs / 1000}s of Prometheus starting; not yet evaluated:\n${waiting.join('\n') || '  (all evaluated, but the meta/alert groups did not follow)'}\nlog ${p.log}:\n${tail(p.log)}`,
  );
}
