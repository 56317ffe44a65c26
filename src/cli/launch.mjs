// What bin/slo runs: the cached bundle of the CLI (src/cli/cli-cache.mjs), built first when
// the sources changed, or the TypeScript sources through tsx when no bundle can be built
// (read-only checkout, an esbuild failure) or SLO_CLI_BUNDLE=0 asks for the sources.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function bundleEntry() {
  if (process.env.SLO_CLI_BUNDLE === '0') return undefined;
  try {
    const { buildBundle, bundleKey, cachedBundle } = await import('./cli-cache.mjs');
    const key = bundleKey(root);
    return cachedBundle(root, key) ?? (await buildBundle(root, key));
  } catch (e) {
    if (process.env.SLO_CLI_DEBUG) console.error(`slo: running the sources through tsx: ${e?.message ?? e}`);
    return undefined;
  }
}

// Chosen before the CLI starts, so a failure here can never run a command twice.
const entry = await bundleEntry();
if (entry) await import(pathToFileURL(entry).href);
else {
  await import(pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href);
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
