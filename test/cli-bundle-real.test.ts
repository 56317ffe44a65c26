import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWriteRequestV1 } from '../src/wire/remote-write-v1.js';
import { snappyCompress } from '../src/wire/snappy-compress.js';

/*
 * bin/slo runs a bundle of the CLI (src/cli/launch.mjs): everything that finds files of the
 * project from its own location (package.json, the ajv cache, the commit worker, the web client)
 * must work from the bundle exactly as from the sources.
 */

const SLO = './bin/slo';
const work = mkdtempSync(join(tmpdir(), 'slo-bundle-real-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function slo(args: string[], env: Record<string, string> = {}) {
  return spawnSync(SLO, args, { encoding: 'utf8', env: { ...process.env, ...env } });
}

function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

describe('bin/slo from its bundle', () => {
  it('generates the same bytes, on two threads, as the TypeScript sources run through tsx on one', () => {
    const out = (name: string) => ['--rules-dir', join(work, name, 'rules'), '--dashboards-dir', join(work, name, 'dashboards')];
    // SLO_CLI_DEBUG makes the launcher say when it falls back to the sources, and generate when
    // its render worker failed: this run must do neither
    const bundled = slo(['generate', 'slos', ...out('bundle')], { SLO_CLI_DEBUG: '1' });
    expect(bundled.stderr).toBe('');
    const sources = slo(['generate', 'slos', ...out('sources')], { SLO_CLI_BUNDLE: '0' });
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(sources.status, sources.stderr).toBe(0);
    expect(filesOf(join(work, 'bundle', 'rules'))).toEqual(filesOf(join(work, 'sources', 'rules')));
    expect(filesOf(join(work, 'bundle', 'dashboards'))).toEqual(filesOf(join(work, 'sources', 'dashboards')));
  });

  it('reports the version from package.json', () => {
    expect(slo(['--version']).stdout.trim()).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });

  it('serves: ready, takes a remote-write through its commit thread, lists the SLOs and serves the page script', async () => {
    writeFileSync(join(work, 'slos.yaml'), `apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: api }
spec:
  service: web
  objective: 99.9
  sli:
    events:
      bad: 'http_requests_total{code=~"5.."}'
      total: 'http_requests_total'
`);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child: ChildProcess = spawn(SLO, ['serve', join(work, 'slos.yaml'), '--listen', `127.0.0.1:${port}`, '--data-dir', join(work, 'data')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLO_CLI_DEBUG: '1' } });
    let log = '';
    child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    try {
      let ready = 0;
      for (let i = 0; i < 150 && ready !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        ready = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
      }
      expect(ready, log).toBe(200);
      expect(log).not.toMatch(/through tsx/);
      const t = Date.now() - 60_000;
      const series = (code: string, v: number) => ({ labels: { __name__: 'http_requests_total', code, job: 'web' }, samples: [{ value: v, timestampMs: t }, { value: v * 2, timestampMs: t + 15_000 }] });
      const write = await fetch(`${url}/api/v1/write`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
        body: snappyCompress(encodeWriteRequestV1([series('200', 100), series('500', 1)])) as BodyInit,
      });
      expect(write.status, `${await write.text()}\n${log}`).toBe(204);
      const slos = await fetch(`${url}/api/v1/slos`);
      expect(slos.status).toBe(200);
      expect(await slos.text()).toContain('"api"');
      const page = await (await fetch(`${url}/`)).text();
      const script = page.match(/src="(\/assets\/app\.js\?v=[0-9a-f]+)"/)?.[1];
      expect(script).toBeDefined();
      const js = await fetch(`${url}${script}`);
      expect(js.status).toBe(200);
      expect((await js.text()).length).toBeGreaterThan(1000);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});
