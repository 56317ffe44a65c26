import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { startService, type EngineService } from '../src/service/service.js';
import { loadAccess } from '../src/service/tokens.js';
import { encodeWriteRequestV1 } from '../src/wire/remote-write-v1.js';
import { snappyCompress } from '../src/wire/snappy-compress.js';
import { sleep, startPrometheus } from './helpers/prometheus-process.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';

const SPEC = `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: api }
spec:
  service: web
  objective: 99.9
  sli:
    events:
      bad: 'http_requests_total{code=~"5.."}'
      total: 'http_requests_total'
`;

const TOKENS = { ingest: 'ingest-token-0123456789abcdef', read: 'read-token-0123456789abcdef', admin: 'admin-token-0123456789abcdef' };
const RW1 = { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' };

function writeBody(): Uint8Array {
  const t = Date.now() - 60_000;
  return snappyCompress(encodeWriteRequestV1([{ labels: { __name__: 'http_requests_total', code: '200' }, samples: [{ value: 1, timestampMs: t }] }]));
}

interface Route {
  method: string;
  path: string;
  scope: 'ingest' | 'read' | 'admin';
  body?: () => Uint8Array | string;
  headers?: Record<string, string>;
}

/** Every route of the API that holds or changes data, with a request it would accept. */
const PROTECTED: Route[] = [
  { method: 'POST', path: '/api/v1/write', scope: 'ingest', body: writeBody, headers: RW1 },
  { method: 'POST', path: '/v1/metrics', scope: 'ingest', body: () => '{"resourceMetrics":[]}', headers: { 'Content-Type': 'application/json' } },
  { method: 'GET', path: '/metrics', scope: 'read' },
  { method: 'GET', path: '/api/v1/slos', scope: 'read' },
  { method: 'GET', path: '/api/v1/slos/web-api', scope: 'read' },
  { method: 'GET', path: '/api/v1/slos/web-api/history', scope: 'read' },
  { method: 'GET', path: '/api/v1/alerts', scope: 'read' },
  { method: 'POST', path: '/-/reload', scope: 'admin' },
];
/** Routes a kubelet probe or a browser loads without a token; none of them holds data. */
const OPEN = ['/healthz', '/readyz', '/', '/slo/web-api', '/assets/app.js', '/assets/app.css'];

describe('bearer tokens per scope', () => {
  const dir = scratchDir('access-');
  let service: EngineService;
  const call = (r: Route, token?: string) =>
    fetch(`${service.url}${r.path}`, { method: r.method, headers: { ...r.headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: r.body?.() as BodyInit | undefined });

  beforeAll(async () => {
    writeFiles(dir, { 'slos.yaml': SPEC, 'ingest.tokens': `# rotated on 2026-11-01\n${TOKENS.ingest}\n\n`, 'read.tokens': `${TOKENS.read}\n`, 'admin.tokens': TOKENS.admin });
    service = await startService({
      sloPaths: [join(dir, 'slos.yaml')],
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, 'data'),
      render: DEFAULT_RENDER_OPTIONS,
      version: 'test',
      watch: false,
      env: {},
      tokenFiles: { ingest: join(dir, 'ingest.tokens'), read: join(dir, 'read.tokens'), admin: join(dir, 'admin.tokens') },
      log: () => {},
    });
  });
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const r of PROTECTED) {
    describe(`${r.method} ${r.path}`, () => {
      it('answers 401 with a Bearer challenge and no detail when no token or an unknown token is sent', async () => {
        const bodies = new Set<string>();
        for (const token of [undefined, 'not-a-token-of-this-engine-at-all', `${TOKENS[r.scope]}x`, TOKENS[r.scope].slice(0, -1)]) {
          const res = await call(r, token);
          expect(res.status).toBe(401);
          expect(res.headers.get('www-authenticate')).toBe('Bearer realm="slo-engine"');
          bodies.add(await res.text());
        }
        // The same words every time, naming neither a scope nor a file.
        expect(bodies.size).toBe(1);
        const body = [...bodies][0]!;
        expect(body).not.toMatch(/ingest|read|admin|tokens|\.tokens/);
      });

      it('answers 403 to a valid token of another scope', async () => {
        for (const other of (['ingest', 'read', 'admin'] as const).filter((s) => s !== r.scope)) {
          const res = await call(r, TOKENS[other]);
          expect(res.status).toBe(403);
          expect(await res.text()).not.toMatch(/ingest|read|admin/);
        }
      });

      it('lets its own token through', async () => {
        const res = await call(r, TOKENS[r.scope]);
        expect(res.status).toBeLessThan(300);
      });
    });
  }

  it('refuses other authorization schemes and a token sent twice', async () => {
    const r = PROTECTED.find((p) => p.path === '/api/v1/slos')!;
    for (const authorization of [`Basic ${Buffer.from(`u:${TOKENS.read}`).toString('base64')}`, `Bearer ${TOKENS.read} ${TOKENS.read}`, TOKENS.read, 'Bearer']) {
      const res = await fetch(`${service.url}${r.path}`, { headers: { Authorization: authorization } });
      expect(res.status, authorization).toBe(401);
    }
  });

  it('keeps the probes, the page and its assets open: they hold no data', async () => {
    for (const path of OPEN) expect((await fetch(`${service.url}${path}`)).status, path).toBe(200);
  });

  it('counts refused ingest requests by code in its own metrics', async () => {
    await call(PROTECTED[0]!, 'wrong-token-0123456789abcdef');
    const text = await (await fetch(`${service.url}/metrics`, { headers: { Authorization: `Bearer ${TOKENS.read}` } })).text();
    expect(text).toMatch(/slo_engine_ingest_requests_total\{[^}]*code="401"[^}]*\} [1-9]/);
  });

  it('re-reads the token files on reload, so a token is rotated without a restart', async () => {
    const next = 'read-token-after-rotation-0123456789';
    writeFileSync(join(dir, 'read.tokens'), `${next}\n`);
    const reload = await fetch(`${service.url}/-/reload`, { method: 'POST', headers: { Authorization: `Bearer ${TOKENS.admin}` } });
    expect(reload.status).toBe(200);
    expect((await fetch(`${service.url}/api/v1/slos`, { headers: { Authorization: `Bearer ${TOKENS.read}` } })).status).toBe(401);
    expect((await fetch(`${service.url}/api/v1/slos`, { headers: { Authorization: `Bearer ${next}` } })).status).toBe(200);

    // An emptied file would open the scope: the reload is refused and the tokens stay.
    writeFileSync(join(dir, 'read.tokens'), '# nothing\n');
    const refused = await fetch(`${service.url}/-/reload`, { method: 'POST', headers: { Authorization: `Bearer ${TOKENS.admin}` } });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/read\.tokens: the file holds no token, which would leave read open/);
    expect((await fetch(`${service.url}/api/v1/slos`)).status).toBe(401);
    expect((await fetch(`${service.url}/api/v1/slos`, { headers: { Authorization: `Bearer ${next}` } })).status).toBe(200);
    writeFileSync(join(dir, 'read.tokens'), `${TOKENS.read}\n`);
    expect((await fetch(`${service.url}/-/reload`, { method: 'POST', headers: { Authorization: `Bearer ${TOKENS.admin}` } })).status).toBe(200);
  });
});

describe('where tokens come from', () => {
  const dir = scratchDir('tokens-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const req = (token: string) => ({ headers: { authorization: `Bearer ${token}` } }) as never;

  it('takes several tokens from one variable, comma-separated, for rotation', () => {
    const policy = loadAccess({}, { SLO_ENGINE_INGEST_TOKEN: 'first-token-0123456789, second-token-0123456789' });
    expect(() => policy.check(req('first-token-0123456789'), 'ingest')).not.toThrow();
    expect(() => policy.check(req('second-token-0123456789'), 'ingest')).not.toThrow();
    expect(policy.isOpen('read')).toBe(true);
    expect(policy.summary()).toEqual({ ingest: 2, read: 0, admin: 0 });
  });

  it('adds a file and the environment together', () => {
    writeFileSync(join(dir, 'admin'), 'file-admin-token-0123456789\n');
    const policy = loadAccess({ admin: join(dir, 'admin') }, { SLO_ENGINE_ADMIN_TOKEN: 'env-admin-token-0123456789' });
    expect(policy.summary().admin).toBe(2);
  });

  it('refuses a short token with the file and line, and how to make a good one', () => {
    writeFileSync(join(dir, 'short'), '# comment\n\nshort\n');
    expect(() => loadAccess({ read: join(dir, 'short') }, {})).toThrow(/--read-token-file .*short:3: a token is 5 characters long; use at least 16 \(generate one with `openssl rand -hex 32`\)/);
    expect(() => loadAccess({}, { SLO_ENGINE_READ_TOKEN: 'tiny' })).toThrow(/SLO_ENGINE_READ_TOKEN \(token 1\): a token is 4 characters long/);
  });

  it('refuses a missing file and an empty file instead of leaving the scope open', () => {
    expect(() => loadAccess({ ingest: join(dir, 'nope') }, {})).toThrow(/--ingest-token-file .*nope: cannot read it \(ENOENT\)/);
    writeFileSync(join(dir, 'empty'), '\n# only a comment\n');
    expect(() => loadAccess({ ingest: join(dir, 'empty') }, {})).toThrow(/holds no token, which would leave ingest open/);
  });

  it('refuses to start the service on a bad token file, naming it', async () => {
    writeFiles(dir, { 'slos.yaml': SPEC, 'bad': 'abcdef0123456789abcdef extra\n' });
    await expect(
      startService({ sloPaths: [join(dir, 'slos.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, env: {}, tokenFiles: { admin: join(dir, 'bad') }, log: () => {} }),
    ).rejects.toThrow(/--admin-token-file .*bad:1: after the token only "tenant=<id>"/);
  });
});

describe('a real Prometheus remote-writing with a bearer token', () => {
  const dir = scratchDir('access-prom-');
  let service: EngineService;
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is let in with its credentials file and refused without it', async () => {
    writeFiles(dir, { 'slos.yaml': SPEC, 'ingest.tokens': `${TOKENS.ingest}\n`, 'credentials': TOKENS.ingest });
    service = await startService({ sloPaths: [join(dir, 'slos.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, env: {}, tokenFiles: { ingest: join(dir, 'ingest.tokens') }, log: () => {} });
    const queue = { batch_send_deadline: '1s', min_backoff: '100ms', max_backoff: '1s' };
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      JSON.stringify({
        global: { scrape_interval: '1s' },
        // Prometheus scrapes the engine's own metrics (read is open here) and sends them back: no
        // SLO selects them, but what matters is whether each request was let in.
        scrape_configs: [{ job_name: 'engine', static_configs: [{ targets: [service.url.replace('http://', '')] }] }],
        remote_write: [
          { name: 'with-token', url: `${service.url}/api/v1/write`, authorization: { credentials_file: join(dir, 'credentials') }, queue_config: queue, metadata_config: { send: false } },
          { name: 'without', url: `${service.url}/api/v1/write`, queue_config: queue, metadata_config: { send: false } },
        ],
      }),
    );
    const prometheus = await startPrometheus({ workDir: dir, configFile: config, dataDir: join(dir, 'prom'), logName: 'prometheus.log' });
    try {
      const metric = async (name: string, queue: string) => {
        const text = await (await fetch(`${prometheus.url}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`remote_name="${queue}"`));
        return line ? Number(line.split(' ').pop()) : 0;
      };
      const deadline = Date.now() + 45_000;
      let sent = 0;
      let failed = 0;
      while (Date.now() < deadline) {
        sent = await metric('prometheus_remote_storage_samples_total', 'with-token');
        failed = await metric('prometheus_remote_storage_samples_failed_total', 'without');
        if (sent > 0 && failed > 0) break;
        await sleep(500);
      }
      // Samples the engine refused with 401 are failed (not retried) by Prometheus; the others went in.
      expect(failed).toBeGreaterThan(0);
      expect(await metric('prometheus_remote_storage_samples_failed_total', 'with-token')).toBe(0);
      expect(sent).toBeGreaterThan(0);
      const ours = await (await fetch(`${service.url}/metrics`)).text();
      expect(ours).toMatch(/slo_engine_ingest_requests_total\{[^}]*code="204"[^}]*\} [1-9]/);
      expect(ours).toMatch(/slo_engine_ingest_requests_total\{[^}]*code="401"[^}]*\} [1-9]/);
    } finally {
      await prometheus.stop();
    }
  }, 90_000);
});

describe('HTTPS', () => {
  const dir = scratchDir('access-tls-');
  let service: EngineService;
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over TLS with the given certificate and nothing in clear text', async () => {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    writeFiles(dir, { 'slos.yaml': SPEC });
    service = await startService({ sloPaths: [join(dir, 'slos.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, env: { SLO_ENGINE_READ_TOKEN: TOKENS.read }, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') }, log: () => {} });
    expect(service.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(join(dir, 'cert.pem'));
    const get = (path: string, token?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const r = httpsRequest(`${service.url}${path}`, { ca, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        r.on('error', reject);
        r.end();
      });
    expect((await get('/api/v1/slos', TOKENS.read)).status).toBe(200);
    expect((await get('/api/v1/slos')).status).toBe(401);
    // A client that does not trust the certificate is refused by TLS itself.
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
    await expect(fetch(`${service.url.replace('https', 'http')}/healthz`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status)).rejects.toThrow();
  });

  it('refuses a certificate without its key, naming the flags', async () => {
    await expect(
      startService({ sloPaths: [join(dir, 'slos.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data2'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, env: {}, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'missing.pem') }, log: () => {} }),
    ).rejects.toThrow(/--tls-key-file .*missing\.pem: cannot read it \(ENOENT\)/);
  });
});

describe('the on-call page with a read token', () => {
  const dir = scratchDir('access-page-');
  let service: EngineService;
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks for the token once, then shows the SLOs', async () => {
    writeFiles(dir, { 'slos.yaml': SPEC });
    service = await startService({ sloPaths: [join(dir, 'slos.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, env: { SLO_ENGINE_READ_TOKEN: TOKENS.read }, log: () => {} });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const prompts: string[] = [];
      page.on('dialog', (d) => {
        prompts.push(d.message());
        void d.accept(TOKENS.read);
      });
      await page.goto(`${service.url}/`);
      await page.waitForSelector('table.slos tbody tr', { timeout: 15_000 });
      expect(prompts).toHaveLength(1);
      expect(prompts[0]).toMatch(/read token/);
      // Later refreshes reuse the token without asking again.
      await page.reload();
      await page.waitForSelector('table.slos tbody tr', { timeout: 15_000 });
      expect(await page.locator('table.slos tbody tr').count()).toBe(1);
      expect(prompts).toHaveLength(1);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
