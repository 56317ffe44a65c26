/**
 * One look at the on-call page with 1,000 SLOs (not a benchmark: one machine, one run): the
 * engine in process with 1,000 SLOs and five minutes of data each, then Debian's
 * Chromium loading the list three times, one filter keystroke and one sort.
 * Run: npx tsx scripts/page-with-1000-slos.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { startService } from '../src/service/service.js';
import { encodeWriteRequestV1 } from '../src/wire/remote-write-v1.js';
import { snappyCompress } from '../src/wire/snappy-compress.js';

const dir = mkdtempSync(join(tmpdir(), 'page-1000-'));
const spec = Array.from(
  { length: 1000 },
  (_, i) => `apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: api-${i} }
spec:
  service: svc-${i % 50}
  objective: 99.9
  sli:
    events:
      bad: 'http_requests_total{job="svc-${i}",code=~"5.."}'
      total: 'http_requests_total{job="svc-${i}"}'
`,
).join('---\n');
writeFileSync(join(dir, 'slos.yaml'), spec);
const svc = await startService({ sloPaths: [join(dir, 'slos.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'page-1000', watch: false, log: () => {} });
try {
  const now = Date.now() - 60_000;
  const series = [];
  for (let i = 0; i < 1000; i++) {
    for (const code of ['200', '500']) {
      series.push({ labels: { __name__: 'http_requests_total', job: `svc-${i}`, code }, samples: Array.from({ length: 20 }, (_, k) => ({ timestampMs: now - (20 - k) * 15_000, value: k * (code === '200' ? 100 : i % 7) })) });
    }
  }
  const res = await fetch(`${svc.url}/api/v1/write`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' }, body: snappyCompress(encodeWriteRequestV1(series)) });
  if (res.status !== 204) throw new Error(`remote-write answered ${res.status}`);
  const t0 = performance.now();
  const api = await (await fetch(`${svc.url}/api/v1/slos`)).text();
  console.log(`GET /api/v1/slos: ${(performance.now() - t0).toFixed(0)} ms, ${(api.length / 1024).toFixed(0)} KiB`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  for (let run = 1; run <= 3; run++) {
    const s = performance.now();
    await page.goto(svc.url);
    await page.waitForFunction(() => document.querySelectorAll('table.slos tbody tr').length === 1000);
    console.log(`load ${run}, navigation to 1,000 rows drawn: ${(performance.now() - s).toFixed(0)} ms`);
  }
  const filter = await page.evaluate(() => {
    const input = document.getElementById('filter') as HTMLInputElement;
    const s = performance.now();
    input.value = 'svc-1';
    input.dispatchEvent(new Event('input'));
    return performance.now() - s;
  });
  console.log(`one filter keystroke, table redrawn: ${filter.toFixed(0)} ms`);
  const sort = await page.evaluate(() => {
    const s = performance.now();
    (document.querySelector('button[data-sort="budget"]') as HTMLButtonElement).click();
    return performance.now() - s;
  });
  console.log(`one sort click, table redrawn: ${sort.toFixed(0)} ms`);
  await browser.close();
} finally {
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
}
