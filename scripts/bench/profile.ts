import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ingestRun } from './ingest-run.js';
import type { RequestSet } from './requests.js';
import { ENGINE, type Target } from './targets.js';
import { pathToFileURL } from 'node:url';

export interface ProfileLine {
  what: string;
  selfPercent: number;
}

export interface ProfileResult {
  totalSeconds: number;
  byFunction: ProfileLine[];
  byFile: ProfileLine[];
}

interface CpuProfile {
  nodes: Array<{ id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  startTime: number;
  endTime: number;
}

function where(url: string): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

function top(map: Map<string, number>, total: number, n: number): ProfileLine[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([what, hits]) => ({ what, selfPercent: (100 * hits) / total }));
}

/** Line numbers of tsx-compiled files are not kept (each shows as line 1), so functions are named without them. */
/** One extra, unmeasured engine run under `--cpu-prof`; self time by function and by file. */
export async function profileEngine(set: RequestSet, port: number, logDir: string): Promise<ProfileResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  try {
    // bin/slo is `node --import tsx/loader src/cli/main.ts`; --cpu-prof is refused in NODE_OPTIONS, so run that directly.
    const loader = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
    const profiled: Target = {
      ...ENGINE,
      name: 'slo-engine-profiled',
      command: (p, d) => ({ cmd: process.execPath, args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', loader, 'src/cli/main.ts', ...ENGINE.command(p, d).args] }),
    };
    await ingestRun(profiled, set, port, logDir);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the engine wrote no .cpuprofile (did it exit through process.exit?)');
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byFunction = new Map<string, number>();
    const byFile = new Map<string, number>();
    let total = 0;
    for (const n of prof.nodes) {
      const hits = n.hitCount ?? 0;
      if (hits === 0) continue;
      const f = n.callFrame;
      if (f.functionName === '(idle)' || f.functionName === '(program)') continue;
      total += hits;
      const at = where(f.url);
      const name = `${f.functionName || '(anonymous)'} ${at}${f.url && f.lineNumber > 0 ? `:${f.lineNumber + 1}` : ''}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
      const area = f.functionName === '(garbage collector)' ? '(garbage collector)' : at.replace(/node_modules\/([^/]+)\/.*/, 'node_modules/$1');
      byFile.set(area, (byFile.get(area) ?? 0) + hits);
    }
    return { totalSeconds: (prof.endTime - prof.startTime) / 1e6, byFunction: top(byFunction, total, 20), byFile: top(byFile, total, 15) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
