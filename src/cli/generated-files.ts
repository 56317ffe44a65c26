import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_HEADER, GENERATED_TAG } from '../model/constants.js';

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
export function extraGeneratedFiles(dir: string, present: readonly string[], files: { has(name: string): boolean }): string[] {
  return present.filter((f) => !files.has(f) && isGenerated(join(dir, f)));
}
