import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GENERATED_HEADER } from '../rules/yaml-out.js';

export interface OutputDiff {
  stale: string[];
  missing: string[];
  extra: string[];
}

/** Files in `dir` that we generated earlier: they start with our header. */
function generatedFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .filter((f) => {
      const head = readFileSync(join(dir, f), 'utf8').slice(0, GENERATED_HEADER.length + 20);
      return head.startsWith(GENERATED_HEADER.trimEnd());
    });
}

/** What `--check` reports: files whose content differs, files not yet written, files no SLO produces any more. */
export function diffOutputs(dir: string, files: ReadonlyMap<string, string>): OutputDiff {
  const diff: OutputDiff = { stale: [], missing: [], extra: [] };
  for (const [name, content] of files) {
    const path = join(dir, name);
    if (!existsSync(path)) diff.missing.push(path);
    else if (readFileSync(path, 'utf8') !== content) diff.stale.push(path);
  }
  for (const f of generatedFiles(dir)) if (!files.has(f)) diff.extra.push(join(dir, f));
  return diff;
}

/**
 * Writes every changed file next to its target first, then renames them into place: a failure
 * part-way leaves the old outputs untouched. Files we generated before and no longer produce are
 * removed; unchanged files are not touched.
 */
export function writeOutputs(dir: string, files: ReadonlyMap<string, string>): { written: number; removed: number } {
  mkdirSync(dir, { recursive: true });
  const diff = diffOutputs(dir, files);
  const staged: Array<[string, string]> = [];
  try {
    for (const target of [...diff.stale, ...diff.missing]) {
      const name = basename(target);
      const temp = join(dir, `.${name}.${process.pid}.tmp`);
      writeFileSync(temp, files.get(name)!);
      staged.push([temp, target]);
    }
  } catch (e) {
    for (const [temp] of staged) rmSync(temp, { force: true });
    throw e;
  }
  for (const [temp, target] of staged) renameSync(temp, target);
  for (const f of diff.extra) rmSync(f);
  return { written: staged.length, removed: diff.extra.length };
}
