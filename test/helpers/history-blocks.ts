/**
 * Simulated history as TSDB blocks: the platform is sampled every `resolutionMs` from where it
 * stands up to `toMs`, written as OpenMetrics and turned into blocks by
 * `promtool tsdb create-blocks-from openmetrics`, straight into a Prometheus data dir. The
 * platform is left at `toMs`, ready to be served live from there.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { OpenMetricsBuilder, STEP_MS, type Platform } from '../../src/simulator/index.js';
import { promtool } from './promtool.js';

export function writeHistoryBlocks(opts: { platform: Platform; toMs: number; resolutionMs: number; workDir: string; dataDir: string }): { frames: number; samples: number } {
  const { platform, resolutionMs } = opts;
  if (resolutionMs <= 0 || resolutionMs % STEP_MS !== 0) {
    throw new Error(`history resolution must be a multiple of the simulator's ${STEP_MS / 1000}s step (got ${resolutionMs / 1000}s)`);
  }
  const builder = new OpenMetricsBuilder();
  let frames = 0;
  let samples = 0;
  for (let t = platform.nowMs; t <= opts.toMs; t += resolutionMs) {
    platform.advance(t);
    const s = platform.samples();
    builder.add({ timeMs: platform.nowMs, samples: s });
    frames++;
    samples += s.length;
  }
  writeOpenMetricsBlocks({ builder, workDir: opts.workDir, dataDir: opts.dataDir });
  return { frames, samples };
}

/** Any collected OpenMetrics frames as TSDB blocks in `dataDir`, through a scratch file in `workDir`. */
export function writeOpenMetricsBlocks(opts: { builder: OpenMetricsBuilder; workDir: string; dataDir: string }): void {
  const file = join(opts.workDir, 'history.om');
  opts.builder.writeFile(file);
  const r = promtool(['tsdb', 'create-blocks-from', 'openmetrics', file, opts.dataDir]);
  if (!r.ok) throw new Error(`promtool could not turn ${file} into blocks:\n${r.output.slice(0, 4000)}`);
  // Over 100 MB for three hours of the simulator; the blocks hold the same for a fraction of that.
  rmSync(file);
}
