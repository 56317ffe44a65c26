import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { startService, type EngineService } from '../src/service/service.js';
import { encodeWriteRequestV1 } from '../src/wire/remote-write-v1.js';
import { snappyCompress } from '../src/wire/snappy-compress.js';
import { encodeV2 } from './helpers/protobuf-writer.js';
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

const RW1 = { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' };
const RW2 = { 'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '2.0.0' };

describe('the engine HTTP API', () => {
  const dir = scratchDir('engine-http-');
  let engine: EngineService;
  const t = Date.now() - 120_000;
  const series = (code: string, v0: number, v1: number, at = t) => ({ labels: { __name__: 'http_requests_total', code, job: 'web' }, samples: [{ value: v0, timestampMs: at }, { value: v1, timestampMs: at + 15_000 }] });
  const post = (body: Uint8Array | string, headers: Record<string, string>, path = "/api/v1/write") => fetch(`${engine.url}${path}`, { method: "POST", headers, body: body as BodyInit });

  beforeAll(async () => {
    writeFiles(dir, { 'slos.yaml': SPEC });
    engine = await startService({ sloPaths: [join(dir, 'slos.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, limits: { maxBodyBytes: 64 * 1024 }, log: () => {} });
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges remote-write 1.0 with 204 and an empty body', async () => {
    const r = await post(snappyCompress(encodeWriteRequestV1([series('200', 0, 100), series('500', 0, 1), { labels: { __name__: 'unrelated_metric' }, samples: [{ value: 1, timestampMs: t }] }])), RW1);
    expect(r.status).toBe(204);
    expect(await r.text()).toBe('');
  });

  it('acknowledges remote-write 2.0 with the Written headers counting every sample it accepted', async () => {
    const r = await post(snappyCompress(encodeV2([series('200', 150, 200, t + 30_000), { labels: { __name__: 'unrelated_metric' }, samples: [{ value: 1, timestampMs: t }] }])), RW2);
    expect(r.status).toBe(204);
    expect(r.headers.get('X-Prometheus-Remote-Write-Samples-Written')).toBe('3');
    expect(r.headers.get('X-Prometheus-Remote-Write-Histograms-Written')).toBe('0');
    expect(r.headers.get('X-Prometheus-Remote-Write-Exemplars-Written')).toBe('0');
  });

  it('refuses what a retry cannot fix with 4xx and says why', async () => {
    const cases: Array<[Promise<Response>, number, RegExp]> = [
      [post(snappyCompress(new Uint8Array([0x0a, 0x05, 0x0a])), RW1), 400, /remote-write|protobuf|truncated|past/i],
      [post(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]), RW1), 413, /limit/],
      [post('hello', { ...RW1, 'Content-Encoding': 'gzip' }), 415, /snappy/],
      [post('hello', { ...RW1, 'Content-Type': 'application/json' }), 415, /Content-Type/],
      [post(new Uint8Array(100 * 1024), RW1), 413, /max-body-bytes/],
      [fetch(`${engine.url}/api/v1/write`), 405, /POST/],
      [fetch(`${engine.url}/nope`), 404, /no route/],
      [fetch(`${engine.url}/api/v1/slos/nope`), 404, /no SLO/],
      [fetch(`${engine.url}/api/v1/slos?time=yesterday`), 400, /time=/],
      [fetch(`${engine.url}/api/v1/slos?time=2026-11-21T08:00:00`), 400, /with Z or an offset/],
      [fetch(`${engine.url}/api/v1/slos?time=9000000000000`), 400, /time=/],
      [fetch(`${engine.url}/api/v1/slos/%E0`), 400, /percent-encoding/],
    ];
    for (const [pending, status, reason] of cases) {
      const r = await pending;
      expect(r.status).toBe(status);
      expect(await r.text()).toMatch(reason);
    }
  });

  it('serves the SLO series under the recording rules names, with its own health metrics', async () => {
    const text = await (await fetch(`${engine.url}/metrics`)).text();
    expect(text).toMatch(/^slo:objective:ratio\{.*slo_id="web-api".*\} 0\.999$/m);
    expect(text).toMatch(/^slo:sli_error:ratio_rate5m\{.*slo_window="5m".*\} /m);
    expect(text).toMatch(/^slo_info\{.*slo_objective="99\.9".*\} 1$/m);
    expect(text).toMatch(/^slo_engine_ingest_requests_total\{.*code="204".*\} \d+/m);
    expect(text).toMatch(/^# TYPE slo_engine_store_commit_duration histogram|^# TYPE slo_engine_evaluation_duration histogram/m);
  });

  it('serves each SLO as JSON with windows, budget, burn-down and alert tiers', async () => {
    const t5 = Math.ceil(Date.now() / 300_000) * 300_000 + 300_000;
    const body = await (await fetch(`${engine.url}/api/v1/slos/web-api?time=${t5 / 1000}`)).json();
    expect(body.data).toMatchObject({ id: 'web-api', objective: 0.999, window: '30d', source: { format: 'native' }, sourceKind: 'ingest' });
    // 100 then 50 more good requests, one bad; the 2.0 request's first sample only joins on.
    expect(body.data.groups[0].windows['30m']).toMatchObject({ total: 201, bad: 1 });
    expect(body.data.tiers.map((x: { name: string }) => x.name)).toEqual(['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow']);
    expect(body.data.burndown[0].points.length).toBeGreaterThan(0);
    const current = await (await fetch(`${engine.url}/api/v1/slos/web-api`)).json();
    expect(current.data).toMatchObject({ stale: false, lastDataAt: expect.any(String) });
    // Ten minutes without a sample: the numbers are old, and the API says so.
    const later = (Date.parse(current.data.lastDataAt) + 11 * 60_000) / 1000;
    const stale = await (await fetch(`${engine.url}/api/v1/slos/web-api?time=${later}`)).json();
    expect(stale.data.stale).toBe(true);
    expect((await fetch(`${engine.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${engine.url}/healthz`)).status).toBe(200);
  });
});
