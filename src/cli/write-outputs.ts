import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
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
function extraGeneratedFiles(dir: string, files: ReadonlyMap<string, string>): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => !files.has(f) && isGenerated(join(dir, f)));
}

/** What `--check` reports: files whose content differs, files not yet written, files no SLO produces any more. */
export function diffOutputs(dir: string, files: ReadonlyMap<string, string>): OutputDiff {
  const diff: OutputDiff = { stale: [], missing: [], extra: [] };
  for (const [name, content] of files) {
    const path = join(dir, name);
    if (!existsSync(path)) diff.missing.push(path);
    else if (readFileSync(path, 'utf8') !== content) diff.stale.push(path);
  }
  for (const f of extraGeneratedFiles(dir, files)) diff.extra.push(join(dir, f));
  return diff;
}

export interface OutputSet {
  dir: string;
  files: ReadonlyMap<string, string>;
}

/**
 * Writes every changed file of every set next to its target first, then renames them all into
 * place: a failure part-way leaves the old outputs untouched. Files we generated before and no
 * longer produce are removed; unchanged files are not touched.
 */
export function writeOutputs(sets: readonly OutputSet[]): { written: number; removed: number } {
  const staged: Array<[string, string]> = [];
  const extra: string[] = [];
  try {
    for (const { dir, files } of sets) {
      mkdirSync(dir, { recursive: true });
      const diff = diffOutputs(dir, files);
      extra.push(...diff.extra);
      for (const target of [...diff.stale, ...diff.missing]) {
        const name = basename(target);
        const temp = join(dir, `.${name}.${process.pid}.tmp`);
        writeFileSync(temp, files.get(name)!);
        staged.push([temp, target]);
      }
    }
  } catch (e) {
    for (const [temp] of staged) rmSync(temp, { force: true });
    throw e;
  }
  for (const [temp, target] of staged) renameSync(temp, target);
  for (const f of extra) rmSync(f);
  return { written: staged.length, removed: extra.length };
}
