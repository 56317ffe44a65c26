import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { extraGeneratedFiles } from './generated-files.js';

export interface OutputDiff {
  stale: string[];
  missing: string[];
  extra: string[];
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
