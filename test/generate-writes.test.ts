import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from './helpers/promtool.js';
import { mountTmpfs } from './helpers/tmpfs.js';

const SLO = join(process.cwd(), 'bin', 'slo');

function generate(cwd: string, out: string) {
  const r = spawnSync(SLO, ['generate', 'slos', '--rules-dir', join(out, 'rules'), '--dashboards-dir', join(out, 'dashboards')], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every file under `dir` with its bytes, temporary ones included. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const sub of ['rules', 'dashboards']) for (const f of readdirSync(join(dir, sub))) out.set(`${sub}/${f}`, readFileSync(join(dir, sub, f), 'utf8'));
  return out;
}

/**
 * `slo generate` writes its files while it renders, each through a temporary name, and renames
 * them into place only once all are written. The outputs live on a 2 MiB tmpfs that a junk file
 * fills, so that a write fails for real part-way.
 */
describe('slo generate writing its outputs', () => {
  const dir = scratchDir('generate-writes-');
  const mountPoint = join(dir, 'tmpfs');
  const junk = join(mountPoint, 'junk');
  let unmount: (() => void) | undefined;

  beforeAll(() => {
    cpSync('slos', join(dir, 'slos'), { recursive: true });
    cpSync('schema', join(dir, 'schema'), { recursive: true });
    unmount = mountTmpfs(mountPoint, 2);
  });
  afterAll(() => {
    unmount?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no temporary file behind and does not touch files that did not change', () => {
    const first = generate(dir, mountPoint);
    expect(first.code, first.err).toBe(0);
    const files = snapshot(mountPoint);
    expect([...files.keys()].filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const rule = [...files.keys()].find((f) => f.endsWith('.rules.yaml'))!;
    const inode = statSync(join(mountPoint, rule)).ino;
    const again = generate(dir, mountPoint);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/\(0 changed, 0 removed\)/);
    expect(statSync(join(mountPoint, rule)).ino).toBe(inode);
  });

  it('keeps rules and dashboards written to one folder, and --check passes there, instead of taking each for the other\'s leftovers', () => {
    const one = join(dir, 'one');
    const run = () => spawnSync(SLO, ['generate', 'slos', '--rules-dir', one, '--dashboards-dir', one], { cwd: dir, encoding: 'utf8' });
    expect(run().status).toBe(0);
    const files = readdirSync(one).sort();
    expect(files.some((f) => f.endsWith('.json')) && files.some((f) => f.endsWith('.rules.yaml'))).toBe(true);
    const again = run();
    expect(again.stdout).toMatch(/\(0 changed, 0 removed\)/);
    expect(readdirSync(one).sort()).toEqual(files);
    const check = spawnSync(SLO, ['generate', 'slos', '--check', '--rules-dir', one, '--dashboards-dir', one], { cwd: dir, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/generated files are up to date/);
  });

  it('on a full disk fails naming the file and the reason, and leaves every output as it was', () => {
    const before = snapshot(mountPoint);
    // A new objective changes every output of that SLO and the dashboards that show it.
    const spec = readdirSync(join(dir, 'slos')).find((f) => /objective: /.test(readFileSync(join(dir, 'slos', f), 'utf8')))!;
    const text = readFileSync(join(dir, 'slos', spec), 'utf8');
    writeFileSync(join(dir, 'slos', spec), text.replace(/objective: [\d.]+/, 'objective: 97.5'));
    // Fill the tmpfs, leaving less than one dashboard's worth.
    const free = () => {
      const out = execFileSync('df', ['-B1', '--output=avail', mountPoint], { encoding: 'utf8' });
      return Number(out.trim().split('\n').pop());
    };
    writeFileSync(junk, Buffer.alloc(Math.max(0, free() - 8 * 1024)));
    const full = generate(dir, mountPoint);
    expect(full.code).toBe(1);
    expect(full.err).toMatch(/^slo generate: cannot write .*tmpfs\/(rules|dashboards)\/[^ ]+: no space left on device \(ENOSPC\)\. Nothing was changed/);
    expect(full.err).not.toMatch(/\n\s+at /);
    const after = snapshot(mountPoint);
    expect([...after.keys()].filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(after).toEqual(before);
    // Space back: the same command now writes the change.
    rmSync(junk);
    const ok = generate(dir, mountPoint);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).not.toMatch(/\(0 changed/);
    const rules = readFileSync(join(mountPoint, 'rules', readdirSync(join(mountPoint, 'rules')).find((f) => f.endsWith('.rules.yaml') && snapshot(mountPoint).get(`rules/${f}`) !== before.get(`rules/${f}`))!), 'utf8');
    expect(rules).toMatch(/97\.5/);
  });
});
