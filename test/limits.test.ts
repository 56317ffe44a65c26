import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { startService, type EngineService } from '../src/service/service.js';
import { encodeWriteRequestV1 } from '../src/wire/remote-write-v1.js';
import { snappyCompress } from '../src/wire/snappy-compress.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';

const slo = (name: string, total: string) => `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: web
  objective: 99.9
  sli:
    events:
      bad: '${total.replace(/\}$|$/, (end) => (end ? ',code="500"}' : '{code="500"}'))}'
      total: '${total}'
`;

const RW1 = { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' };
const LIMIT = 3;

interface ApiSlo {
  id: string;
  warnings: Array<{ field: string; reason: string }>;
  groups: Array<{ windows: Record<string, { total: number | null }> }>;
}

describe('the cardinality guard (--max-series-per-slo)', () => {
  const dir = scratchDir('limits-series-');
  const logs: string[] = [];
  let engine: EngineService;
  const t0 = Date.now() - 120_000;
  /** One series per pod, two samples each (the second one's increase is what counts). */
  const pods = (names: string[], step: number) =>
    names.map((pod) => ({ labels: { __name__: 'http_requests_total', code: '200', job: 'web', pod }, samples: [{ value: step * 10, timestampMs: t0 + step * 15_000 }, { value: step * 10 + 10, timestampMs: t0 + step * 15_000 + 5_000 }] }));
  const write = (names: string[], step: number) => fetch(`${engine.url}/api/v1/write`, { method: 'POST', headers: RW1, body: snappyCompress(encodeWriteRequestV1(pods(names, step))) as BodyInit });
  const slos = async (query = '') => ((await (await fetch(`${engine.url}/api/v1/slos${query}`)).json()) as { data: ApiSlo[] }).data;
  const total30m = (s: ApiSlo | undefined) => s?.groups[0]?.windows['30m']?.total ?? 0;

  beforeAll(async () => {
    // `all` reads every pod; `first` reads one pod only, so it never reaches the limit.
    writeFiles(dir, { 'slos.yaml': `${slo('all', 'http_requests_total')}---${slo('first', 'http_requests_total{pod="p0"}')}` });
    engine = await startService({ sloPaths: [join(dir, 'slos.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, maxSeriesPerSlo: LIMIT, log: (l) => logs.push(l) });
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the rest of the request and answers 400 naming the SLO, the limit and the flag', async () => {
    const r = await write(['p0', 'p1', 'p2', 'p3', 'p4'], 0);
    expect(r.status).toBe(400);
    const reason = await r.text();
    expect(reason).toMatch(/SLO web-all: 4 samples of 2 new series/);
    expect(reason).toMatch(new RegExp(`at most ${LIMIT} active series \\(--max-series-per-slo\\)`));
    expect(reason).not.toMatch(/web-first/);
    // The admitted series were stored: their next samples join on and count as events.
    expect((await write(['p0', 'p1', 'p2'], 1)).status).toBe(204);
    // Read at a 5m boundary past the data, where the 5m buckets it landed in are complete.
    const list = await slos(`?time=${(Math.ceil(Date.now() / 300_000) * 300_000 + 300_000) / 1000}`);
    const [all, first] = ['web-all', 'web-first'].map((id) => list.find((s) => s.id === id));
    // Two increases of 10 per admitted pod (within and across the two requests); none from p3, p4.
    expect(total30m(all)).toBe(LIMIT * 20);
    expect(total30m(first)).toBe(20);
  });

  it('keeps refusing new series of that SLO while its admitted ones keep flowing', async () => {
    expect((await write(['p5'], 2)).status).toBe(400);
    expect((await write(['p0', 'p1', 'p2'], 2)).status).toBe(204);
  });

  it('warns in the SLO status, with the field, the limit and the flag, and only for that SLO', async () => {
    const list = await slos();
    const all = list.find((s) => s.id === 'web-all')!;
    expect(all.warnings).toHaveLength(1);
    expect(all.warnings[0]!.field).toBe('series');
    expect(all.warnings[0]!.reason).toMatch(new RegExp(`more than ${LIMIT} series.*--max-series-per-slo`));
    expect(list.find((s) => s.id === 'web-first')!.warnings).toEqual([]);
  });

  it('counts the dropped samples per SLO on /metrics and logs the limit once per SLO', async () => {
    const text = await (await fetch(`${engine.url}/metrics`)).text();
    // p3 and p4 (2 samples each), then p5 (2 samples).
    expect(text).toMatch(/^slo_engine_series_limit_dropped_samples_total\{slo="web-all"\} 6$/m);
    expect(text).not.toMatch(/slo_engine_series_limit_dropped_samples_total\{slo="web-first"\}/);
    const said = logs.filter((l) => l.includes('--max-series-per-slo'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/SLO web-all: more than 3 series/);
  });

  it('says on the on-call page, in a real browser, that this SLO\'s numbers leave series out', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.goto(engine.url);
      await page.locator('tr[data-id="web-all"]').waitFor();
      await expect(page.locator('tr[data-id="web-all"] .badge.limit').textContent()).resolves.toBe('PARTIAL');
      expect(await page.locator('tr[data-id="web-first"] .badge.limit').count()).toBe(0);
      await page.goto(`${engine.url}/slo/web-all`);
      const banner = page.locator('[data-fact="warning"]');
      await banner.waitFor();
      expect(await banner.getAttribute('role')).toBe('alert');
      expect(await banner.textContent()).toMatch(/^Partial data \(series\): more than 3 series .* --max-series-per-slo\.$/);
      await page.goto(`${engine.url}/slo/web-first`);
      await page.locator('[data-fact="sli"]').waitFor();
      expect(await page.locator('[data-fact="warning"]').count()).toBe(0);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('the SLO count limit (--max-slos)', () => {
  const dir = scratchDir('limits-slos-');
  const start = (maxSlos: number, log: (l: string) => void = () => {}) =>
    startService({ sloPaths: [join(dir, 'slos')], host: '127.0.0.1', port: 0, dataDir: join(dir, `data-${maxSlos}`), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, maxSlos, log });

  beforeAll(() => {
    mkdirSync(join(dir, 'slos'));
    for (const name of ['a', 'b', 'c']) writeFileSync(join(dir, 'slos', `${name}.yaml`), slo(name, 'http_requests_total'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start with more SLOs than the limit, saying the count, the limit and the flag', async () => {
    await expect(start(2)).rejects.toThrow(/3 SLOs in 3 files .*more than the limit of 2 \(--max-slos\)/);
  });

  it('refuses a reload that would go over the limit and keeps the running set', async () => {
    const service = await start(3);
    try {
      writeFileSync(join(dir, 'slos', 'd.yaml'), slo('d', 'http_requests_total'));
      const r = await fetch(`${service.url}/-/reload`, { method: 'POST' });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(await r.text()).toMatch(/previous 3 SLOs keep running: 4 SLOs .*limit of 3 \(--max-slos\)/);
      expect(service.engine.slos).toHaveLength(3);
    } finally {
      await service.close();
      rmSync(join(dir, 'slos', 'd.yaml'), { force: true });
    }
  });
});
