import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extraGeneratedFiles, type OutputSet } from './generated-files.js';

export interface OutputDiff {
  stale: string[];
  missing: string[];
  extra: string[];
}

/** What `--check` reports: files whose content differs, files not yet written, files no SLO produces any more. */
export function diffOutputs(sets: readonly OutputSet[]): OutputDiff {
  const diff: OutputDiff = { stale: [], missing: [], extra: [] };
  // One directory listing per folder instead of a stat per file: a fresh folder has nothing to compare.
  const listings = new Map<string, string[]>();
  const listing = (dir: string) => listings.get(dir) ?? listings.set(dir, existsSync(dir) ? readdirSync(dir) : []).get(dir)!;
  for (const { dir, files } of sets) {
    const existing = new Set(listing(dir));
    for (const [name, content] of files) {
      const path = join(dir, name);
      if (!existing.has(name)) diff.missing.push(path);
      else if (readFileSync(path, 'utf8') !== content) diff.stale.push(path);
    }
  }
  diff.extra.push(...extraGeneratedFiles(sets, listing));
  return diff;
}
