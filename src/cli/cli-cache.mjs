// The cached bundle of the CLI that bin/slo runs (through src/cli/launch.mjs). Loading ~100
// TypeScript modules through tsx took a second of every `slo` command; one esbuild bundle of
// the same sources, split so `generate` does not parse the server, loads in a fifth of that.
// Plain JavaScript because it runs before anything can load TypeScript.
//
// Never stale: a bundle is named by a hash of the content of every file that can go into it
// (src/, schema/, package.json, package-lock.json, tsconfig.json and this file, which holds the
// build options), so any edit names a bundle that does not exist yet and is built on that run.
// Hashing content rather than sizes and times costs a few ms and cannot be fooled by an edit
// within the same clock tick. Code in node_modules is covered by package-lock.json; the build
// refuses (and bin/slo falls back to tsx) if the bundle would read any other file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders and files whose content decides the bundle, relative to the project root. */
export const KEY_DIRS = ['src', 'schema'];
export const KEY_FILES = ['package.json', 'package-lock.json', 'tsconfig.json'];

/** Native addons and esbuild itself stay in node_modules: they cannot be bundled. */
const EXTERNAL = ['better-sqlite3', 'snappy', 'esbuild'];

/** Bundles not run for this long are removed when another one is built: every edit of src/ makes
 * one (~3 MB). A process still running an older one has nothing left to read from it: its
 * chunks (the commands main.ts imports, generate's render worker) are all loaded at start-up. */
const UNUSED_MS = 3600_000;

/** Where bundles live: one folder per key, holding main.mjs and its chunks. */
export function cacheDir(root) {
  return join(root, 'node_modules', '.cache', 'slo-engine', 'cli');
}

/** The hash of everything that goes into the bundle (see the top of this file). */
export function bundleKey(root) {
  const hash = createHash('sha256');
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  const files = [...KEY_FILES];
  for (const dir of KEY_DIRS) {
    if (!existsSync(join(root, dir))) continue;
    for (const e of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (e.isFile()) files.push(relative(root, join(e.parentPath ?? e.path, e.name)));
    }
  }
  files.sort();
  for (const f of files) {
    const path = join(root, f);
    // a missing optional file (tsconfig.json) is part of the key too
    hash.update(`\0${f}\0`).update(existsSync(path) ? readFileSync(path) : '\u0000missing');
  }
  return hash.digest('hex').slice(0, 32);
}

/** The bundle's entry file for `key`, if it has been built; marks it used. */
export function cachedBundle(root, key) {
  const dir = join(cacheDir(root), key);
  const main = join(dir, 'main.mjs');
  if (!existsSync(main)) return undefined;
  try {
    const now = new Date();
    utimesSync(dir, now, now);
  } catch {
    // read-only cache: the bundle still runs, it just cannot be marked used
  }
  return main;
}

/**
 * Builds the bundle for `key` and returns its entry file. It is written into a private folder
 * and renamed into place whole, so a run racing this one sees either no bundle or a complete one;
 * when two builds race, the first rename wins and the other's copy is dropped.
 */
export async function buildBundle(root, key) {
  const { build } = await import('esbuild');
  const dir = cacheDir(root);
  const final = join(dir, key);
  const temp = join(dir, `${key}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  try {
    const result = await build({
      absWorkingDir: root,
      // render-worker: the worker thread of src/cli/parallel-render.ts
      entryPoints: [join(root, 'src', 'cli', 'main.ts'), join(root, 'src', 'cli', 'render-worker.ts')],
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outdir: temp,
      outExtension: { '.js': '.mjs' },
      external: EXTERNAL,
      metafile: true,
      logLevel: 'silent',
      plugins: [bundleGrafanaSdk],
      // Bundled CommonJS packages call require(); ESM has none, so every chunk gets one.
      banner: { js: "import { createRequire as __sloCreateRequire } from 'node:module'; const require = __sloCreateRequire(import.meta.url);" },
    });
    const unkeyed = Object.keys(result.metafile.inputs).filter((f) => !isKeyed(f));
    if (unkeyed.length) throw new Error(`the CLI bundle would read files its cache key does not cover: ${unkeyed.join(', ')}`);
    try {
      renameSync(temp, final);
    } catch (e) {
      if (!existsSync(join(final, 'main.mjs'))) throw e;
      // another run built the same bundle first: use theirs
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  removeUnused(dir, key);
  return join(final, 'main.mjs');
}

/*
 * src/dashboards/sdk.ts loads the Grafana SDK (CommonJS, ~150 files) with a `require` made by
 * createRequire, because under tsx an ESM import of it is slower still. In the bundle that
 * `require` is left unbound, so esbuild sees plain require() calls and bundles the SDK too:
 * no file lookups or compiles of its ~150 files on every `slo generate` (0.15-0.2 s).
 * If sdk.ts no longer has that line, the file is bundled as written (slower, same behaviour).
 */
const SDK_REQUIRE = 'const require = createRequire(import.meta.url);';
const bundleGrafanaSdk = {
  name: 'bundle-grafana-sdk',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]dashboards[\\/]sdk\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      return { contents: source.replace(SDK_REQUIRE, ''), loader: 'ts' };
    });
  },
};

function isKeyed(input) {
  const top = input.split(/[\\/]/)[0];
  return top === 'node_modules' || KEY_DIRS.includes(top) || KEY_FILES.includes(input);
}

/** Drops bundles (and abandoned temp folders) nobody ran for an hour. */
function removeUnused(dir, keep) {
  try {
    for (const name of readdirSync(dir)) {
      if (name === keep) continue;
      const path = join(dir, name);
      if (Date.now() - statSync(path).mtimeMs > UNUSED_MS) rmSync(path, { recursive: true, force: true });
    }
  } catch {
    // tidying is best effort
  }
}
