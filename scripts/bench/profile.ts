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
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
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

/**
 * One extra, unmeasured engine run under `--cpu-prof`; self time by function and by file, over
 * every thread (the main thread and the SQLite commit thread), counting only the samples taken
 * while the requests were being posted: start-up and module loading are left out.
 */
export async function profileEngine(set: RequestSet, port: number, logDir: string): Promise<ProfileResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  try {
    // From the sources through tsx rather than the bundle, so that functions keep their file
    // names; --cpu-prof is refused in NODE_OPTIONS, so node is run directly.
    const loader = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
    const profiled: Target = {
      ...ENGINE,
      name: 'slo-engine-profiled',
      command: (p, d) => ({ cmd: process.execPath, args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', loader, 'src/cli/main.ts', ...ENGINE.command(p, d).args] }),
    };
    const run = await ingestRun(profiled, set, port, logDir);
    const [from, to] = run.postedMicros;
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    if (!files.length) throw new Error('the engine wrote no .cpuprofile (did it exit through process.exit?)');
    const byFunction = new Map<string, number>();
    const byFile = new Map<string, number>();
    let total = 0;
    for (const file of files) {
      const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
      const frames = new Map(prof.nodes.map((n) => [n.id, n.callFrame]));
      let at = prof.startTime;
      for (let i = 0; i < prof.samples.length; i++) {
        at += prof.timeDeltas[i]!;
        if (at < from || at > to) continue;
        const f = frames.get(prof.samples[i]!)!;
        if (f.functionName === '(idle)' || f.functionName === '(program)') continue;
        total++;
        const where_ = where(f.url);
        const name = `${f.functionName || '(anonymous)'} ${where_}${f.url && f.lineNumber > 0 ? `:${f.lineNumber + 1}` : ''}`;
        byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
        const area = f.functionName === '(garbage collector)' ? '(garbage collector)' : where_.replace(/node_modules\/([^/]+)\/.*/, 'node_modules/$1');
        byFile.set(area, (byFile.get(area) ?? 0) + 1);
      }
    }
    if (!total) throw new Error('no profile sample fell within the posting of the requests');
    return { totalSeconds: (to - from) / 1e6, byFunction: top(byFunction, total, 20), byFile: top(byFile, total, 15) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
