import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { startService, type EngineService } from '../src/service/service.js';
import { sleep } from './helpers/prometheus-process.js';
import { scratchDir } from './helpers/promtool.js';

const slo = (name: string, objective: string) => `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: web
  objective: ${objective}
  sli:
    events:
      bad: 'http_requests_total{code=~"5.."}'
      total: 'http_requests_total'
`;

describe('reloading the SLO set', () => {
  const dir = scratchDir('engine-reload-');
  const file = join(dir, 'slos', 'web.yaml');
  const logs: string[] = [];
  let engine: EngineService;
  const ids = async () => ((await (await fetch(`${engine.url}/api/v1/slos`)).json()) as { data: Array<{ id: string; objective: number }> }).data;

  beforeAll(async () => {
    mkdirSync(join(dir, 'slos'));
    writeFileSync(file, slo('api', '99.9'));
    engine = await startService({ sloPaths: [join(dir, 'slos')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', log: (l) => logs.push(l) });
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an invalid set with the file, line and fix, and keeps the old one running', async () => {
    writeFileSync(file, slo('api', '120'));
    const r = await fetch(`${engine.url}/-/reload`, { method: 'POST' });
    expect(r.status).toBe(400);
    const text = await r.text();
    expect(text).toMatch(/reload refused, the previous 1 SLOs keep running/);
    expect(text).toMatch(/web\.yaml:\d+:\d+: error: spec\.objective/);
    expect(logs.some((l) => l.includes('reload refused'))).toBe(true);
    expect(await ids()).toMatchObject([{ id: 'web-api', objective: 0.999 }]);
  });

  it('picks up a changed file by itself', async () => {
    writeFileSync(file, slo('api', '99.5') + '---' + slo('api-strict', '99.99'));
    const deadline = Date.now() + 10_000;
    while ((await ids()).length !== 2 && Date.now() < deadline) await sleep(100);
    expect((await ids()).map((s) => [s.id, s.objective])).toEqual([
      ['web-api', 0.995],
      ['web-api-strict', 0.9999],
    ]);
  });
});
