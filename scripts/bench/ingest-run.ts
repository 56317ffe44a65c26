import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postAll } from './client.js';
import { cpuSeconds, peakRssBytes, startChild, stopChild, waitHttpOk } from './procs.js';
import type { RequestSet } from './requests.js';
import type { Target } from './targets.js';

export interface IngestRun {
  samplesPerSecond: number;
  cpuSecondsPerMillion: number;
  peakRssBytes: number;
  wallSeconds: number;
  acceptedSamples: number;
  failedRequests: number;
  retries: number;
  firstError?: string;
  /** The target's own count of samples it took in (engine: matched samples only). */
  selfReported?: number;
  /** process.hrtime of the first request and the last answer, in µs: CLOCK_MONOTONIC, as V8's profiler stamps its samples. */
  postedMicros: [number, number];
}

/** CPU measured up to this long after the last acknowledgement, for work done after it. */
const SETTLE_MS = 2000;

/** One fresh process, fresh data folder, the whole request set, then the process is stopped. */
export async function ingestRun(target: Target, set: RequestSet, port: number, logDir: string, env?: NodeJS.ProcessEnv): Promise<IngestRun> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${target.name}-`));
  const { cmd, args } = target.command(port, dir);
  const child = startChild(cmd, args, join(logDir, `${target.name}.log`), env);
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitHttpOk(base + target.readyPath, 60_000, child);
    await new Promise((r) => setTimeout(r, 500)); // let start-up work settle
    // The previous target's data is still being written back to disk; flushed now, it does not
    // slow this target's own writes (the engine syncs each commit) or count in its time.
    spawnSync('sync');
    const pid = child.pid!;
    const cpu0 = cpuSeconds(pid);
    const from = Number(process.hrtime.bigint() / 1000n);
    const posted = await postAll(base + target.writePath, set);
    const to = Number(process.hrtime.bigint() / 1000n);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const cpu1 = cpuSeconds(pid);
    const rss = peakRssBytes(pid);
    let selfReported: number | undefined;
    try {
      const m = target.ingestedMetric.exec(await (await fetch(base + '/metrics')).text());
      if (m) selfReported = Number(m[1]);
    } catch {
      /* only a sanity check */
    }
    return {
      samplesPerSecond: posted.acceptedSamples / posted.wallSeconds,
      cpuSecondsPerMillion: ((cpu1 - cpu0) / posted.acceptedSamples) * 1e6,
      peakRssBytes: rss,
      wallSeconds: posted.wallSeconds,
      acceptedSamples: posted.acceptedSamples,
      failedRequests: posted.failedRequests,
      retries: posted.retries,
      firstError: posted.firstError,
      selfReported,
      postedMicros: [from, to],
    };
  } finally {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
