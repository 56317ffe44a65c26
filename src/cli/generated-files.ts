import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_HEADER, GENERATED_TAG } from '../model/constants.js';

/** The files `slo generate` produces for one folder, by name. */
export interface OutputSet {
  dir: string;
  files: ReadonlyMap<string, string>;
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
 * Paths of the files we generated earlier and no longer produce, given each folder's listing;
 * anything else there is the user's and left alone. Sets that share a folder (rules and
 * dashboards in one) are one set of names there, so neither takes the other's files for
 * leftovers. Files we still produce are not read here: they are not extra either way.
 */
export function extraGeneratedFiles(sets: readonly OutputSet[], listing: (dir: string) => readonly string[]): string[] {
  const produced = new Map<string, Set<string>>();
  for (const { dir, files } of sets) {
    const names = produced.get(dir) ?? produced.set(dir, new Set()).get(dir)!;
    for (const name of files.keys()) names.add(name);
  }
  return [...produced].flatMap(([dir, names]) => listing(dir).filter((f) => !names.has(f) && isGenerated(join(dir, f))).map((f) => join(dir, f)));
}
