import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { startService, type EngineService } from '../src/service/service.js';
import { encodeWriteRequestV1 } from '../src/wire/remote-write-v1.js';
import { snappyCompress } from '../src/wire/snappy-compress.js';
import { startPrometheus } from './helpers/prometheus-process.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';

const spec = (service: string, tenant: string | undefined) => `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata:
  name: api
${tenant === undefined ? '' : `  labels: { tenant: ${tenant} }\n`}spec:
  service: ${service}
  objective: 99.9
  sli:
    events:
      bad: 'http_requests_total{code=~"5.."}'
      total: 'http_requests_total'
`;

const TOKEN = {
  ingestA: 'ingest-bound-to-team-a-0123456789',
  ingestProxy: 'ingest-of-the-gateway-0123456789',
  readA: 'read-bound-to-team-a-0123456789',
  readB: 'read-bound-to-team-b-0123456789',
  readAll: 'read-for-every-tenant-0123456789',
  admin: 'admin-token-0123456789abcdef',
};
const RW1 = { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' };
const MIN = 60_000;

interface ApiSlo {
  id: string;
  groups: Array<{ windows: Record<string, { total: number | null; bad: number | null }> }>;
}

/** Two samples per series 20 minutes ago: the second minus the first is the increase. */
function body(counts: { ok: [number, number]; failed: [number, number] }, at: number): Uint8Array {
  const series = (code: string, [v0, v1]: [number, number]) => ({ labels: { __name__: 'http_requests_total', code, job: 'web' }, samples: [{ value: v0, timestampMs: at }, { value: v1, timestampMs: at + MIN }] });
  return snappyCompress(encodeWriteRequestV1([series('200', counts.ok), series('500', counts.failed)]));
}

describe('tenants by X-Scope-OrgID', () => {
  const dir = scratchDir('tenancy-');
  let service: EngineService;
  const at = Math.floor((Date.now() - 20 * MIN) / (5 * MIN)) * 5 * MIN;
  const req = (path: string, headers: Record<string, string>, init: RequestInit = {}) => fetch(`${service.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), ...headers } });
  const as = (token: string, tenant?: string) => ({ Authorization: `Bearer ${token}`, ...(tenant ? { 'X-Scope-OrgID': tenant } : {}) });
  const write = (headers: Record<string, string>, b: Uint8Array) => req('/api/v1/write', headers, { method: 'POST', body: b as BodyInit, headers: RW1 });
  const slos = async (headers: Record<string, string>) => ((await (await req('/api/v1/slos', headers)).json()) as { data: ApiSlo[] }).data;

  beforeAll(async () => {
    mkdirSync(join(dir, 'slos'));
    writeFiles(dir, {
      'slos/a.yaml': spec('web-a', 'team-a'),
      'slos/b.yaml': spec('web-b', 'team-b'),
      'ingest.tokens': `${TOKEN.ingestA} tenant=team-a\n${TOKEN.ingestProxy}\n`,
      'read.tokens': `${TOKEN.readA} tenant=team-a\n${TOKEN.readB} tenant=team-b\n${TOKEN.readAll}\n`,
      'admin.tokens': TOKEN.admin,
    });
    service = await startService({
      sloPaths: [join(dir, 'slos')],
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, 'data'),
      render: DEFAULT_RENDER_OPTIONS,
      version: 'test',
      watch: false,
      env: {},
      tenantLabel: 'tenant',
      tokenFiles: { ingest: join(dir, 'ingest.tokens'), read: join(dir, 'read.tokens'), admin: join(dir, 'admin.tokens') },
      evalIntervalMs: 3_600_000,
      log: () => {},
    });
    // The same series, by labels, from both tenants: team-a's has errors, team-b's none.
    expect((await write(as(TOKEN.ingestA), body({ ok: [0, 100], failed: [0, 10] }, at))).status).toBe(204);
    expect((await write(as(TOKEN.ingestProxy, 'team-b'), body({ ok: [0, 50], failed: [5, 5] }, at))).status).toBe(204);
  });
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("counts a tenant's samples only towards its own SLOs, even when another tenant sends the same series", async () => {
    const all = await slos(as(TOKEN.readAll, 'team-a|team-b'));
    const window = (id: string) => all.find((s) => s.id === id)!.groups[0]!.windows['1h']!;
    expect(window('web-a-api')).toMatchObject({ total: 110, bad: 10 });
    expect(window('web-b-api')).toMatchObject({ total: 50, bad: 0 });
  });

  it('shows each tenant only its own SLOs in the API', async () => {
    expect((await slos(as(TOKEN.readA))).map((s) => s.id)).toEqual(['web-a-api']);
    expect((await slos(as(TOKEN.readB, 'team-b'))).map((s) => s.id)).toEqual(['web-b-api']);
    expect((await slos(as(TOKEN.readAll, 'team-b'))).map((s) => s.id)).toEqual(['web-b-api']);
    expect((await slos(as(TOKEN.readAll, 'team-a|team-b'))).map((s) => s.id).sort()).toEqual(['web-a-api', 'web-b-api']);
    expect(await slos(as(TOKEN.readAll, 'team-c'))).toEqual([]);
  });

  it("answers another tenant's SLO exactly as one that does not exist", async () => {
    for (const path of ['/api/v1/slos/web-b-api', '/api/v1/slos/web-b-api/history']) {
      const theirs = await req(path, as(TOKEN.readA));
      const missing = await req(path.replace('web-b-api', 'no-such-slo'), as(TOKEN.readA));
      expect(theirs.status).toBe(404);
      expect((await theirs.text()).replace('web-b-api', 'X')).toBe((await missing.text()).replace('no-such-slo', 'X'));
      expect((await req(path, as(TOKEN.readB))).status).toBe(200);
    }
  });

  it("shows each tenant only its own SLOs' series and alerts in /metrics and /api/v1/alerts", async () => {
    service.evaluate();
    const text = await (await req('/metrics', as(TOKEN.readA))).text();
    expect(text).toMatch(/slo_id="web-a-api"/);
    expect(text).not.toMatch(/web-b-api/);
    const alerts = ((await (await req('/api/v1/alerts', as(TOKEN.readB))).json()) as { data: Array<{ slo: string }> }).data;
    expect(alerts.every((a) => a.slo === 'web-b-api')).toBe(true);
  });

  it('refuses a token bound to one tenant speaking for another, with the same 403 as any forbidden request', async () => {
    const write403 = await write(as(TOKEN.ingestA, 'team-b'), body({ ok: [0, 1], failed: [0, 1] }, at + 10 * MIN));
    expect(write403.status).toBe(403);
    const read403 = await req('/api/v1/slos', as(TOKEN.readA, 'team-b'));
    expect(read403.status).toBe(403);
    expect(await read403.text()).toBe(await write403.text());
    expect((await req('/api/v1/slos', as(TOKEN.readA, 'team-a|team-b'))).status).toBe(403);
  });

  it('asks for X-Scope-OrgID when the token does not imply one', async () => {
    for (const [path, init] of [['/api/v1/write', { method: 'POST', body: body({ ok: [0, 1], failed: [0, 1] }, at) as BodyInit, headers: RW1 }], ['/api/v1/slos', {}], ['/metrics', {}], ['/api/v1/alerts', {}]] as const) {
      const token = path === '/api/v1/write' ? TOKEN.ingestProxy : TOKEN.readAll;
      const res = await req(path, as(token), init);
      expect(res.status, path).toBe(401);
      expect(await res.text()).toMatch(/send the header X-Scope-OrgID: <tenant>/);
    }
  });

  it('refuses malformed tenant IDs and a write for two tenants with 400 and the rule', async () => {
    const bad = await req('/api/v1/slos', as(TOKEN.readAll, 'team a'));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/X-Scope-OrgID: "team a" is not a tenant ID: it contains " "; use letters, digits/);
    expect((await req('/api/v1/slos', as(TOKEN.readAll, '..'))).status).toBe(400);
    expect((await req('/api/v1/slos', as(TOKEN.readAll, 'x'.repeat(151)))).status).toBe(400);
    const two = await write(as(TOKEN.ingestProxy, 'team-a|team-b'), body({ ok: [0, 1], failed: [0, 1] }, at));
    expect(two.status).toBe(400);
    expect(await two.text()).toMatch(/a write belongs to one tenant/);
  });

  it('keeps reload an operator action outside tenancy, and the probes open', async () => {
    expect((await req('/-/reload', as(TOKEN.admin), { method: 'POST' })).status).toBe(200);
    expect((await req('/-/reload', as(TOKEN.readAll, 'team-a'), { method: 'POST' })).status).toBe(403);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });

  it('counts samples of a tenant with no SLOs nowhere', async () => {
    const before = await slos(as(TOKEN.readAll, 'team-a|team-b'));
    expect((await write(as(TOKEN.ingestProxy, 'team-c'), body({ ok: [0, 1000], failed: [0, 1000] }, at + 2 * MIN))).status).toBe(204);
    expect(await slos(as(TOKEN.readAll, 'team-a|team-b'))).toEqual(before);
  });
});

describe("the engine's own health series with tenants", () => {
  const dir = scratchDir('tenancy-health-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("leave out series labelled with another tenant's SLO", async () => {
    mkdirSync(join(dir, 'slos'));
    writeFiles(dir, { 'slos/a.yaml': spec('web-a', 'team-a'), 'slos/b.yaml': spec('web-b', 'team-b') });
    const service = await startService({ sloPaths: [join(dir, 'slos')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, env: {}, tenantLabel: 'tenant', maxSeriesPerSlo: 1, log: () => {} });
    try {
      const at = Date.now() - 20 * MIN;
      // Two series for an SLO that may read one: the guard drops the second and counts it by SLO id.
      const r = await fetch(`${service.url}/api/v1/write`, { method: 'POST', headers: { ...RW1, 'X-Scope-OrgID': 'team-a' }, body: body({ ok: [0, 1], failed: [0, 1] }, at) as BodyInit });
      expect(r.status).toBe(400);
      const metrics = async (tenant: string) => (await fetch(`${service.url}/metrics`, { headers: { 'X-Scope-OrgID': tenant } })).text();
      expect(await metrics('team-a')).toMatch(/slo_engine_series_limit_dropped_samples_total\{[^}]*slo="web-a-api"/);
      const theirs = await metrics('team-b');
      expect(theirs).toMatch(/slo_engine_ingest_requests_total/);
      expect(theirs).not.toMatch(/web-a-api/);
    } finally {
      await service.close();
    }
  });
});

describe('tenancy configuration', () => {
  const dir = scratchDir('tenancy-config-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'slos'));
  const start = (files: Record<string, string>, extra: object) => {
    writeFiles(dir, files);
    return startService({ sloPaths: [join(dir, 'slos')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, env: {}, log: () => {}, ...extra });
  };

  it('refuses an SLO without a tenant label, naming its file, line and how to add one', async () => {
    await expect(start({ 'slos/x.yaml': spec('web-x', undefined) }, { tenantLabel: 'tenant' })).rejects.toThrow(
      /slos\/x\.yaml:2: SLO web-x-api: has no "tenant" label, and with --tenancy every SLO belongs to a tenant; add it to metadata\.labels/,
    );
  });

  it('refuses a tenant label that is not a valid tenant ID', async () => {
    await expect(start({ 'slos/x.yaml': spec('web-x', '"a/b"') }, { tenantLabel: 'tenant' })).rejects.toThrow(/label tenant="a\/b" is not a tenant ID: it contains "\/"/);
  });

  it('refuses tokens bound to tenants when tenancy is off, instead of letting them see everything', async () => {
    await expect(start({ 'slos/x.yaml': spec('web-x', 'team-x'), 'read.tokens': `${TOKEN.readA} tenant=team-a\n` }, { tokenFiles: { read: join(dir, 'read.tokens') } })).rejects.toThrow(
      /read\.tokens:1: the token is bound to a tenant, which means nothing without --tenancy/,
    );
  });

  it('ignores X-Scope-OrgID when tenancy is off', async () => {
    writeFiles(dir, { 'slos/x.yaml': spec('web-x', 'team-x') });
    const service = await startService({ sloPaths: [join(dir, 'slos')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data2'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, env: {}, log: () => {} });
    try {
      const data = ((await (await fetch(`${service.url}/api/v1/slos`, { headers: { 'X-Scope-OrgID': 'someone-else' } })).json()) as { data: ApiSlo[] }).data;
      expect(data.map((s) => s.id)).toEqual(['web-x-api']);
    } finally {
      await service.close();
    }
  });
});

const querySpec = (service: string, tenant: string) => `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata:
  name: api
  labels: { tenant: ${tenant} }
spec:
  service: ${service}
  objective: 99.9
  sli:
    events:
      good: { promql: 'sum(increase(http_requests_total{job="${service}",code!~"5.."}[{{.window}}]))' }
      total: { promql: 'sum(increase(http_requests_total{job="${service}"}[{{.window}}]))' }
`;

describe('query mode with tenants', () => {
  const dir = scratchDir('tenancy-query-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("sends each SLO's queries with its own tenant in X-Scope-OrgID, as Mimir expects", async () => {
    mkdirSync(join(dir, 'slos'));
    writeFiles(dir, { 'slos/a.yaml': querySpec('web-a', 'team-a'), 'slos/b.yaml': querySpec('web-b', 'team-b') });
    writeFileSync(join(dir, 'prometheus.yml'), 'global: { scrape_interval: 1m }\n');
    const prometheus = await startPrometheus({ workDir: dir, configFile: join(dir, 'prometheus.yml'), dataDir: join(dir, 'prom'), logName: 'prometheus.log' });
    // A pass-through proxy in front of the real Prometheus that notes each query's tenant header.
    const seen: Array<{ tenant: string | undefined; body: string }> = [];
    const proxy: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({ tenant: req.headers['x-scope-orgid'] as string | undefined, body: decodeURIComponent(body.toString().replace(/\+/g, ' ')) });
        const up = request(`${prometheus.url}${req.url}`, { method: req.method, headers: { ...req.headers, host: `127.0.0.1:${prometheus.port}` } }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.end(body);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as { port: number }).port;
    const service = await startService({ sloPaths: [join(dir, 'slos')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, env: {}, tenantLabel: 'tenant', prometheusUrl: `http://127.0.0.1:${port}`, log: () => {} });
    try {
      const of = (service: string) => seen.filter((q) => q.body.includes(`job="${service}"`));
      expect(of('web-a').length).toBeGreaterThan(0);
      expect(of('web-b').length).toBeGreaterThan(0);
      expect(new Set(of('web-a').map((q) => q.tenant))).toEqual(new Set(['team-a']));
      expect(new Set(of('web-b').map((q) => q.tenant))).toEqual(new Set(['team-b']));
    } finally {
      await service.close();
      await new Promise((r) => proxy.close(r));
      await prometheus.stop();
    }
  }, 60_000);
});
