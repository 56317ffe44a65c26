import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * `bin/slo` runs a bundle of the CLI kept under node_modules/.cache (src/cli/cli-cache.mjs), so
 * `import.meta.url` of a module is either its file in src/ or that bundle: paths relative to it
 * move. Files of the project (package.json, src/web/client, src/store/commit-worker.mjs, the
 * cache folders) are found from the project root instead, the nearest folder above whose
 * package.json is this project's; both places have it above them.
 */

const PACKAGE_NAME = 'slo-engine';

let root: string | undefined;

/** The folder holding this project's package.json, from src/ or from the CLI bundle alike. */
export function projectRoot(): string {
  if (root !== undefined) return root;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (nameOf(join(dir, 'package.json')) === PACKAGE_NAME) return (root = dir);
    if (dirname(dir) === dir) throw new Error(`no package.json named "${PACKAGE_NAME}" above ${start}: run slo from its checkout`);
  }
}

/** A path inside the project, e.g. `projectPath('src', 'store', 'commit-worker.mjs')`. */
export function projectPath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}

function nameOf(packageJson: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(packageJson, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined; // no package.json here, or not one we can read: keep walking up
  }
}
