import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSloSpecs } from './slo-spec.js';
import { summarize, type Summary } from './stats.js';

export interface GenerationResult {
  slos: number;
  wall: Summary;
  ruleFiles: number;
  dashboardFiles: number;
}

/** `./bin/slo generate` of `count` SLOs into fresh folders, wall time including node start-up. */
export function benchGeneration(count: number, runs: number): GenerationResult {
  const dir = mkdtempSync(join(tmpdir(), 'bench-gen-'));
  try {
    writeSloSpecs(join(dir, 'slos'), count);
    const wall: number[] = [];
    let ruleFiles = 0;
    let dashboardFiles = 0;
    for (let r = 0; r < runs; r++) {
      const rules = join(dir, `rules-${r}`);
      const dashboards = join(dir, `dashboards-${r}`);
      // Earlier runs' and sections' writes flushed first, so that each run starts on a quiet disk.
      spawnSync('sync');
      const t = performance.now();
      const res = spawnSync('./bin/slo', ['generate', join(dir, 'slos'), '--rules-dir', rules, '--dashboards-dir', dashboards], { encoding: 'utf8', timeout: 300_000 });
      const seconds = (performance.now() - t) / 1000;
      if (res.status !== 0) throw new Error(`slo generate failed (${res.status ?? res.signal}): ${(res.stderr || res.stdout).slice(0, 1000)}`);
      wall.push(seconds);
      ruleFiles = readdirSync(rules).length;
      dashboardFiles = readdirSync(dashboards).length;
    }
    return { slos: count, wall: summarize(wall), ruleFiles, dashboardFiles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
