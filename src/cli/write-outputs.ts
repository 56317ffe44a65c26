import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { GENERATED_HEADER, GENERATED_TAG } from '../model/constants.js';

export interface OutputDiff {
  stale: string[];
  missing: string[];
  extra: string[];
}

/** YAML we wrote starts with our header; dashboards we wrote carry our tag. */
function isGenerated(path: string): boolean {
  if (!/\.(ya?ml|json)$/.test(path) || !statSync(path).isFile()) return false;
  const text = readFileSync(path, 'utf8');
  if (!path.endsWith('.json')) return text.startsWith(GENERATED_HEADER.trimEnd());
  try {
    const tags = (JSON.parse(text) as { tags?: unknown }).tags;
    return Array.isArray(tags) && tags.includes(GENERATED_TAG);
  } catch {
    return false;
  }
}

/**
 * Files in `dir` that we generated earlier and no longer produce; anything else there is the
 * user's and left alone. Files we still produce are not read here: they are not extra either way.
 */
function extraGeneratedFiles(dir: string, present: readonly string[], files: ReadonlyMap<string, string>): string[] {
  return present.filter((f) => !files.has(f) && isGenerated(join(dir, f)));
}

/** What `--check` reports: files whose content differs, files not yet written, files no SLO produces any more. */
export function diffOutputs(dir: string, files: ReadonlyMap<string, string>): OutputDiff {
  const diff: OutputDiff = { stale: [], missing: [], extra: [] };
  // One directory listing instead of a stat per file: a fresh folder has nothing to compare.
  const present = existsSync(dir) ? readdirSync(dir) : [];
  const existing = new Set(present);
  for (const [name, content] of files) {
    const path = join(dir, name);
    if (!existing.has(name)) diff.missing.push(path);
    else if (readFileSync(path, 'utf8') !== content) diff.stale.push(path);
  }
  for (const f of extraGeneratedFiles(dir, present, files)) diff.extra.push(join(dir, f));
  return diff;
}

export interface OutputSet {
  dir: string;
  files: ReadonlyMap<string, string>;
}

/** Writes in flight at once: enough to keep both cores and the disk busy, few enough to bound memory. */
const CONCURRENCY = 16;

/**
 * Writes every changed or new file of every set next to its target first, then renames them all
 * into place: a failure part-way leaves the old outputs untouched and no partial file behind.
 * Files we generated before and no longer produce are removed; unchanged files are not touched.
 * Writes and renames run on libuv's threads, several at once.
 */
export async function writeOutputs(sets: readonly OutputSet[]): Promise<{ written: number; removed: number }> {
  const jobs: Array<{ path: string; content: string; target: string }> = [];
  const extra: string[] = [];
  for (const { dir, files } of sets) {
    mkdirSync(dir, { recursive: true });
    const diff = diffOutputs(dir, files);
    extra.push(...diff.extra);
    // New files too go through a temporary name: a killed run must never leave a half-written
    // rule file for Prometheus or a GitOps sync to pick up.
    for (const target of [...diff.stale, ...diff.missing]) {
      const name = basename(target);
      jobs.push({ path: join(dir, `.${name}.${process.pid}.tmp`), content: files.get(name)!, target });
    }
  }
  const done: string[] = [];
  let failure: unknown;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < jobs.length) {
      const job = jobs[next++]!;
      try {
        await writeFile(job.path, job.content);
        done.push(job.path);
      } catch (e) {
        failure ??= e;
        done.push(job.path); // may exist partly written
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));
  if (failure !== undefined) {
    await Promise.all(done.map((p) => rm(p, { force: true })));
    throw failure;
  }
  await Promise.all(jobs.map((j) => rename(j.path, j.target)));
  for (const f of extra) rmSync(f);
  return { written: jobs.length, removed: extra.length };
}
