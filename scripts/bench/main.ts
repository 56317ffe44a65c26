/**
 * `npm run bench`: ingest throughput of the engine, Prometheus and VictoriaMetrics side by side,
 * the decode ceiling, evaluation of 10,000 SLOs and generation of 1,000. Writes BENCHMARKS.md
 * and bench-results.json at the repository root. Knobs (environment): BENCH_HOURS (simulated
 * hours of data, default 2), BENCH_RUNS (default 3), BENCH_SHARDS (concurrent connections,
 * default 4), BENCH_PROFILE=0 to skip the CPU profile.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { DEFAULT_RENDER_OPTIONS } from '../../src/rules/index.js';
import { loadSlos } from '../../src/spec/load.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { decodeRate } from './ceiling.js';
import { benchEvaluation } from './evaluation.js';
import { benchGeneration } from './generation.js';
import { ingestRun, type IngestRun } from './ingest-run.js';
import { describeMachine } from './machine.js';
import { killAllChildren } from './procs.js';
import { profileEngine, type ProfileResult } from './profile.js';
import { writeReport, type Results, type TargetResult } from './report.js';
import { buildRequests } from './requests.js';
import { summarize } from './stats.js';
import { ENGINE, PROMETHEUS, VICTORIA, type Target } from './targets.js';

const HOURS = Number(process.env.BENCH_HOURS ?? 2);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 4);
const PER_REQUEST = 2000;
const EVAL_SLOS = 10_000;
const GEN_SLOS = 1000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const log = (msg: string) => console.log(`[bench] ${msg}`);


async function main(): Promise<void> {
  const started = Date.now();
  const logDir = join(tmpdir(), `bench-logs-${process.pid}`);
  mkdirSync(logDir, { recursive: true });
  const machine = describeMachine();
  log(`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; logs in ${logDir}`);

  // 1. The requests, built once.
  let t = performance.now();
  const set = buildRequests({ hours: HOURS, newestMs: Date.now() - 60_000, shards: SHARDS, perRequest: PER_REQUEST });
  const requests = set.shards.reduce((n, s) => n + s.length, 0);
  log(`${set.samples} samples of ${set.series} series in ${requests} requests (${(set.compressedBytes / 2 ** 20).toFixed(1)} MiB compressed), built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // 2. The ceiling, and the same with the engine's own keep filter for the repo's SLOs.
  const repoSlos = loadSlos(['slos']).slos;
  const keepDir = join(tmpdir(), `bench-keep-${process.pid}`);
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

  // 5. Evaluation of 10,000 SLOs.
  t = performance.now();
  const evaluation = await benchEvaluation(EVAL_SLOS, 30, 5);
  log(`evaluation of ${EVAL_SLOS} SLOs: median ${evaluation.total.median.toFixed(1)} ms (load ${evaluation.loadSeconds.toFixed(1)} s, feed ${evaluation.feedSeconds.toFixed(1)} s; ${((performance.now() - t) / 1000).toFixed(1)} s in all)`);

  // 6. Generation of 1,000 SLOs.
  const generation = benchGeneration(GEN_SLOS, RUNS);
  log(`generate ${GEN_SLOS} SLOs: median ${generation.wall.median.toFixed(2)} s`);

  const results: Results = {
    generatedAt: new Date().toISOString(),
    command: 'npm run bench',
    settings: { hours: HOURS, runs: RUNS, shards: SHARDS, samplesPerRequest: PER_REQUEST },
    machine,
    requests: { samples: set.samples, series: set.series, requests, compressedBytes: set.compressedBytes, oldest: new Date(set.oldestMs).toISOString(), newest: new Date(set.newestMs).toISOString(), repoSlos: repoSlos.length, keptMetrics: keepEngine.matchedMetrics },
    ceiling: { decodeAll: ceiling, decodeWithEngineKeep: decodeWithKeep },
    ingest,
    profile,
    evaluation,
    generation,
    benchSeconds: (Date.now() - started) / 1000,
  };
  rmSync(keepDir, { recursive: true, force: true });
  writeFileSync('bench-results.json', JSON.stringify(results, null, 2) + '\n');
  writeFileSync('BENCHMARKS.md', writeReport(results));
  log(`wrote BENCHMARKS.md and bench-results.json in ${results.benchSeconds.toFixed(0)} s`);
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
