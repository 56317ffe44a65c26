/**
 * `npm run bench`: ingest throughput of the engine, Prometheus and VictoriaMetrics side by side,
 * the decode ceiling, evaluation of 10,000 SLOs and generation of 1,000. Writes BENCHMARKS.md
 * and bench-results.json at the repository root. Knobs (environment): BENCH_HOURS (simulated
 * hours of data, default 2), BENCH_RUNS (default 3), BENCH_SHARDS (concurrent connections,
 * default 4), BENCH_PROFILE=0 to skip the CPU profile, BENCH_SECTIONS (comma-separated subset of
 * ingest,evaluation,generation,rules,freshness,memory; default all). A subset writes its report to
 * $TMPDIR/bench-partial/ instead of BENCHMARKS.md, so a development run never replaces the full one.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { DEFAULT_RENDER_OPTIONS } from '../../src/rules/index.js';
import { loadSlos } from '../../src/spec/load.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { decodeRate } from './ceiling.js';
import { benchEvaluation, benchEvaluationFilled, type EvaluationResult, type FilledEvaluationResult } from './evaluation.js';
import { benchFreshness } from './freshness.js';
import { benchGeneration, type GenerationResult } from './generation.js';
import { benchMemory } from './memory.js';
import { benchRuleCost, type RuleCostResult } from './rule-cost.js';
import { ingestRun, type IngestRun } from './ingest-run.js';
import { describeMachine } from './machine.js';
import { freePort, killAllChildren } from './procs.js';
import { profileEngine, type ProfileResult } from './profile.js';
import { writeReport, type Results, type TargetResult } from './report.js';
import { buildRequests } from './requests.js';
import { summarize } from './stats.js';
import { ENGINE, PROMETHEUS, VICTORIA, type Target } from './targets.js';

const HOURS = Number(process.env.BENCH_HOURS ?? 2);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 4);
const PER_REQUEST = 2000;
const RULE_SLOS = 100;
// 30 days: every window of both rule sets full, as in a Prometheus that has run a whole period
// (with hours, the long-window rules read a fraction of it); the rules section takes ~5 minutes.
const RULE_HOURS = Number(process.env.BENCH_RULE_HOURS ?? 720);
/**
 * Days of 5m buckets restored per SLO: 30 up to 100 SLOs; fewer beyond, because the engine's
 * start-up reads every stored bucket (1,000 SLOs x 30 days took over 4 minutes to restore).
 */
// 10,000 SLOs x 30 days (86 million stored buckets, a 5 GB store) would take most of the bench's
// 15 minutes to prepare and restore three times; 8 hours shows what 10,000 SLOs hold in memory.
const MEMORY_SIZES = [
  { slos: 10, days: 30 },
  { slos: 100, days: 30 },
  { slos: 1000, days: 30 },
  { slos: 10_000, days: 1 / 3 },
];
const EVAL_SLOS = 10_000;
const GEN_SLOS = 1000;
const SECTIONS = ['ingest', 'evaluation', 'generation', 'rules', 'freshness', 'memory'] as const;
const chosen = new Set((process.env.BENCH_SECTIONS ?? SECTIONS.join(',')).split(',').map((x) => x.trim()).filter(Boolean));
for (const c of chosen) if (!(SECTIONS as readonly string[]).includes(c)) throw new Error(`BENCH_SECTIONS: unknown section ${JSON.stringify(c)}; choose from ${SECTIONS.join(', ')}`);
const want = (s: (typeof SECTIONS)[number]) => chosen.has(s);
const everything = SECTIONS.every(want);


const log = (msg: string) => console.log(`[bench] ${msg}`);


async function main(): Promise<void> {
  const started = Date.now();
  const logDir = join(tmpdir(), `bench-logs-${process.pid}`);
  mkdirSync(logDir, { recursive: true });
  const machine = describeMachine();
  log(`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; logs in ${logDir}`);

  // 6. Generation of 1,000 SLOs, first: before this process holds gigabytes for V8 to collect
  // on the other core, and before any section deletes thousands of files (this ext4 has no
  // journal, so for a minute after a deletion each file creation skips the inodes just freed).
  let generation: GenerationResult | undefined;
  if (want('generation')) {
    generation = benchGeneration(GEN_SLOS, RUNS);
    log(`generate ${GEN_SLOS} SLOs: median ${generation.wall.median.toFixed(2)} s`);
  }

  let t = performance.now();
  let ingestPart: Pick<Results, 'requests' | 'ceiling' | 'ingest' | 'profile'> | undefined;
  let keepDir: string | undefined;
  if (want('ingest')) {
    // 1. The requests, built once.
    t = performance.now();
    const set = buildRequests({ hours: HOURS, newestMs: Date.now() - 60_000, shards: SHARDS, perRequest: PER_REQUEST });
    const requests = set.shards.reduce((n, s) => n + s.length, 0);
    log(`${set.samples} samples of ${set.series} series in ${requests} requests (${(set.compressedBytes / 2 ** 20).toFixed(1)} MiB compressed), built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // 2. The ceiling, and the same with the engine's own keep filter for the repo's SLOs.
    const repoSlos = loadSlos(['slos']).slos;
    keepDir = join(tmpdir(), `bench-keep-${process.pid}`);
    const keepEngine = new Engine({ store: new SqliteStore(keepDir), render: DEFAULT_RENDER_OPTIONS });
    keepEngine.setSlos(repoSlos);
    const keep = keepEngine.keep;
    decodeRate(set); // warm-up
    const ceilingRuns: number[] = [];
    const keepRuns: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      ceilingRuns.push(decodeRate(set));
      keepRuns.push(decodeRate(set, keep));
    }
    const ceiling = summarize(ceilingRuns);
    const decodeWithKeep = summarize(keepRuns);
    log(`ceiling: ${Math.round(ceiling.median)} samples/s decoded in-process; with the engine's keep filter ${Math.round(decodeWithKeep.median)}`);

    // 3. Ingest, round-robin so drift over time hits every target alike; one process at a time.
    const targets: Target[] = [ENGINE, PROMETHEUS, VICTORIA];
    const runs = new Map<string, IngestRun[]>(targets.map((x) => [x.name, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const target of targets) {
        const run = await ingestRun(target, set, await freePort(), logDir);
        runs.get(target.name)!.push(run);
        log(`run ${r + 1}/${RUNS} ${target.name}: ${Math.round(run.samplesPerSecond)} samples/s, ${run.cpuSecondsPerMillion.toFixed(2)} CPU s/M, peak RSS ${(run.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${run.failedRequests} failed requests, ${run.retries} retries${run.firstError ? ` (first error: ${run.firstError})` : ''}`);
      }
    }
    const ingest: TargetResult[] = targets.map((x) => {
      const list = runs.get(x.name)!;
      return {
        target: x.name,
        runs: list,
        samplesPerSecond: summarize(list.map((r) => r.samplesPerSecond)),
        cpuSecondsPerMillion: summarize(list.map((r) => r.cpuSecondsPerMillion)),
        peakRssMiB: summarize(list.map((r) => r.peakRssBytes / 2 ** 20)),
      };
    });

    // 4. Where the engine's ingest time goes.
    let profile: ProfileResult | undefined;
    if (process.env.BENCH_PROFILE !== '0') {
      try {
        profile = await profileEngine(set, await freePort(), logDir);
        log(`profile: top ${profile.byFunction.slice(0, 3).map((l) => `${l.what} ${l.selfPercent.toFixed(1)}%`).join('; ')}`);
      } catch (e) {
        log(`profile skipped: ${(e as Error).message}`);
      }
    }
    ingestPart = {
      requests: { samples: set.samples, series: set.series, requests, compressedBytes: set.compressedBytes, oldest: new Date(set.oldestMs).toISOString(), newest: new Date(set.newestMs).toISOString(), repoSlos: repoSlos.length, keptMetrics: keepEngine.matchedMetrics },
      ceiling: { decodeAll: ceiling, decodeWithEngineKeep: decodeWithKeep },
      ingest,
      profile,
    };
  }

  // 5. Evaluation of 10,000 SLOs.
  let evaluation: EvaluationResult | undefined;
  let evaluationFilled: FilledEvaluationResult | undefined;
  if (want('evaluation')) {
    t = performance.now();
    evaluation = await benchEvaluation(EVAL_SLOS, 30, 5);
    log(`evaluation of ${EVAL_SLOS} SLOs: median ${evaluation.total.median.toFixed(1)} ms (load ${evaluation.loadSeconds.toFixed(1)} s, feed ${evaluation.feedSeconds.toFixed(1)} s; ${((performance.now() - t) / 1000).toFixed(1)} s in all)`);
    t = performance.now();
    // The same SLOs with 30 days in every ring: what the engine pays each time the 5m edge moves.
    evaluationFilled = await benchEvaluationFilled(EVAL_SLOS, 30, 3);
    log(`evaluation of ${EVAL_SLOS} SLOs, 30 days filled: cold ${evaluationFilled.coldAlerts.median.toFixed(1)} ms evaluateAlerts(), ${evaluationFilled.coldStatus.median.toFixed(1)} ms status() (fill ${evaluationFilled.fillSeconds.toFixed(1)} s; ${((performance.now() - t) / 1000).toFixed(1)} s in all)`);
  }

  // 7. Rule cost in Prometheus: our generated rules against Sloth's structure.
  let rules: RuleCostResult | undefined;
  if (want('rules')) {
    t = performance.now();
    rules = await benchRuleCost({ slos: RULE_SLOS, hours: RULE_HOURS, samples: RUNS, freePort, logDir, log });
    log(`rule cost: ${rules.sets.map((s) => `${s.name} ${s.evalMs.median.toFixed(1)} ms`).join(', ')} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }

  // 8 and 9, side by side to keep the run short: freshness (acknowledgement to effect in
  // /api/v1/slos, a lag of seconds set by the minute boundary, not by CPU) and memory (RSS of
  // engines over N SLOs and matched series, which CPU contention does not change).
  t = performance.now();
  const [freshness, memory] = await Promise.all([
    want('freshness') ? benchFreshness({ slos: 100, trials: 60, runs: RUNS, pollMs: 50, freePort, logDir }) : undefined,
    want('memory') ? benchMemory({ sizes: MEMORY_SIZES, runs: RUNS, seriesCount: 20_000, freePort, logDir }) : undefined,
  ] as const);
  if (freshness) log(`freshness: p50 ${(freshness.p50Ms.median / 1000).toFixed(1)} s, p99 ${(freshness.p99Ms.median / 1000).toFixed(1)} s`);
  if (memory) log(`memory: ${memory.points.map((p) => `${p.slos} SLOs ${p.rssMiB.median.toFixed(0)} MiB`).join(', ')}; ${memory.series?.bytesPerSeries.median.toFixed(0) ?? '-'} B per series`);
  if (freshness || memory) log(`freshness and memory took ${((performance.now() - t) / 1000).toFixed(0)} s`);

  const results: Results = {
    generatedAt: new Date().toISOString(),
    command: 'npm run bench',
    settings: { hours: HOURS, runs: RUNS, shards: SHARDS, samplesPerRequest: PER_REQUEST },
    machine,
    ...ingestPart,
    evaluation,
    evaluationFilled,
    generation,
    rules,
    freshness,
    memory,
    benchSeconds: (Date.now() - started) / 1000,
  };
  if (keepDir) rmSync(keepDir, { recursive: true, force: true });
  const outDir = everything ? '.' : join(tmpdir(), 'bench-partial');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'bench-results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(outDir, 'BENCHMARKS.md'), writeReport(results));
  log(`wrote ${outDir}/BENCHMARKS.md and ${outDir}/bench-results.json in ${results.benchSeconds.toFixed(0)} s`);
}

process.on('exit', killAllChildren);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAllChildren();
    process.exit(130);
  });
}
main().catch((e) => {
  console.error(`[bench] failed: ${(e as Error).stack ?? e}`);
  killAllChildren();
  process.exit(1);
});
