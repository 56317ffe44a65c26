import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/*
 * bin/slo runs a cached esbuild bundle of the CLI (src/cli/launch.mjs, src/cli/cli-cache.mjs).
 * The cache's own rules are tested on a tiny stand-in project whose CLI prints a word, so
 * edits and races never touch this checkout's sources; the real CLI is compared bundle against
 * sources in test/cli-bundle-real.test.ts.
 */

const REAL = resolve('.');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project named slo-engine with our launcher and a CLI that prints `word` through TypeScript syntax. */
function standIn(word: string): string {
  const root = mkdtempSync(join(tmpdir(), 'slo-bundle-'));
  dirs.push(root);
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  mkdirSync(join(root, 'node_modules'));
  for (const pkg of ['esbuild', 'tsx']) symlinkSync(join(REAL, 'node_modules', pkg), join(root, 'node_modules', pkg));
  for (const f of ['launch.mjs', 'cli-cache.mjs']) copyFileSync(join(REAL, 'src', 'cli', f), join(root, 'src', 'cli', f));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'slo-engine', type: 'module' }));
  // the bundle's second entry point (the worker of src/cli/parallel-render.ts)
  writeFileSync(join(root, 'src', 'cli', 'render-worker.ts'), 'export {};\n');
  writeMain(root, word);
  return root;
}

function writeMain(root: string, word: string): void {
  writeFileSync(join(root, 'src', 'cli', 'main.ts'), `const word: string = '${word}';\nconsole.log(word, process.argv.slice(2).join(' '));\n`);
}

function run(root: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [join(root, 'src', 'cli', 'launch.mjs'), ...args], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

function runAsync(root: string): Promise<string> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [join(root, 'src', 'cli', 'launch.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('error', fail);
    p.on('exit', (code) => (code === 0 ? done(out.trim()) : fail(new Error(`exit ${code}`))));
  });
}

const cache = (root: string) => join(root, 'node_modules', '.cache', 'slo-engine', 'cli');

describe('the cached CLI bundle', () => {
  it('is built on the first run, passes the arguments on, and is reused by the next run', () => {
    const root = standIn('alpha');
    expect(run(root, 'generate', '--check')).toBe('alpha generate --check');
    const [key, ...others] = readdirSync(cache(root));
    expect(others).toEqual([]);
    const built = statSync(join(cache(root), key!, 'main.mjs')).mtimeMs;
    expect(run(root)).toBe('alpha');
    expect(readdirSync(cache(root))).toEqual([key]);
    expect(statSync(join(cache(root), key!, 'main.mjs')).mtimeMs).toBe(built);
  });

  it('runs an edited source on the next call, even an edit that keeps the file size and time', () => {
    const root = standIn('alpha');
    expect(run(root)).toBe('alpha');
    const main = join(root, 'src', 'cli', 'main.ts');
    const before = statSync(main);
    writeMain(root, 'omega');
    utimesSync(main, before.atime, before.mtime);
    expect(statSync(main).size).toBe(before.size);
    expect(run(root)).toBe('omega');
    expect(readdirSync(cache(root))).toHaveLength(2);
  });

  it('lets two runs race on a cold cache: both work and one complete bundle is left, no temporary folder', async () => {
    const root = standIn('alpha');
    expect(await Promise.all([runAsync(root), runAsync(root), runAsync(root)])).toEqual(['alpha', 'alpha', 'alpha']);
    const left = readdirSync(cache(root));
    expect(left).toHaveLength(1);
    expect(readdirSync(join(cache(root), left[0]!))).toContain('main.mjs');
  });

  it('runs the sources through tsx when the cache cannot be written', () => {
    const root = standIn('alpha');
    writeFileSync(join(root, 'node_modules', '.cache'), 'a file where the cache folder would go');
    expect(run(root)).toBe('alpha');
  });

  it('refuses to cache a bundle that reads a file its key does not cover, and runs the sources instead', () => {
    const root = standIn('alpha');
    mkdirSync(join(root, 'elsewhere'));
    writeFileSync(join(root, 'elsewhere', 'word.ts'), "export const word: string = 'outside';\n");
    writeFileSync(join(root, 'src', 'cli', 'main.ts'), "import { word } from '../../elsewhere/word.ts';\nconsole.log(word);\n");
    expect(run(root)).toBe('outside');
    expect(readdirSync(cache(root))).toEqual([]);
  });

  it('runs the sources when SLO_CLI_BUNDLE=0 asks for them, building nothing', () => {
    const root = standIn('alpha');
    const r = spawnSync(process.execPath, [join(root, 'src', 'cli', 'launch.mjs')], { encoding: 'utf8', env: { ...process.env, SLO_CLI_BUNDLE: '0' } });
    expect(r.stdout.trim()).toBe('alpha');
    expect(() => readdirSync(cache(root))).toThrow(/ENOENT/);
  });
});

describe('projectRoot', () => {
  it('finds this checkout from the sources', async () => {
    const { projectRoot } = await import('../src/paths.js');
    expect(projectRoot()).toBe(REAL);
    expect(JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).name).toBe('slo-engine');
  });
});
