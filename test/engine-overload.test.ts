import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineProcess, type EngineProcess } from './helpers/engine-process.js';
import { freePort, sleep, startPrometheus, tail, type PrometheusProcess } from './helpers/prometheus-process.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';

/**
 * Overload: a real Prometheus (2.42) remote-writes to `slo serve` started with
 * --max-pending-samples 1, so a request that arrives while another one waits for the store is
 * answered 429 + Retry-After. With `retry_on_http_429: true` Prometheus backs off and resends. At
 * the end the engine must hold exactly what Prometheus scraped: per series the increases between
 * consecutive samples, summed, equal to the same sum over the raw samples in Prometheus's own
 * TSDB (read through its query API), so no batch was lost and none counted twice.
 *
 * The exporter's 400 counters grow on every scrape by known steps (code 500 on a quarter of them),
 * and Prometheus sends them with up to 8 shards of 25 samples, so requests overlap and the engine
 * refuses many of them.
 */

const SPEC = `apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: errors }
spec:
  service: overload
  objective: 99
  sli:
    events:
      bad: 'ov_requests_total{code="500"}'
      total: 'ov_requests_total'
`;

const INSTANCES = 200;
const SCRAPE_SECONDS = 25;
const BASE = 5 * 60_000;

/** Counters that grow on every scrape; the test never needs their values, Prometheus has them. */
function startExporter(): Promise<{ server: Server; target: string; scrapes: () => number }> {
  let scrapes = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    scrapes++;
    const lines: string[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      lines.push(`ov_requests_total{pod="p${i}",code="200"} ${scrapes * (1 + (i % 7))}`);
      lines.push(`ov_requests_total{pod="p${i}",code="500"} ${i % 4 === 0 ? scrapes * (i % 3) : 0}`);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, target: `127.0.0.1:${(server.address() as AddressInfo).port}`, scrapes: () => scrapes })));
}

async function promQuery<T>(base: string, query: string): Promise<T> {
  const res = await fetch(`${base}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query }) });
  const json = (await res.json()) as { status: string; data: { result: T }; error?: string };
  if (json.status !== 'success') throw new Error(`Prometheus query ${query} failed: ${json.error}`);
  return json.data.result;
}

/** Sum of one metric's samples on Prometheus's own /metrics (it does not scrape itself here). */
async function selfMetric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/** Prometheus's raw samples, summed as the engine sums them: increases of consecutive samples under 5m apart, a drop a reset. */
async function promIncreases(base: string): Promise<{ total: number; num: number; series: number; samples: number }> {
  const matrix = await promQuery<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>>(base, 'ov_requests_total[10m]');
  let total = 0;
  let num = 0;
  let samples = 0;
  for (const s of matrix) {
    samples += s.values.length;
    for (let i = 1; i < s.values.length; i++) {
      const [t0, a] = [s.values[i - 1]![0], Number(s.values[i - 1]![1])];
      const [t1, b] = [s.values[i]![0], Number(s.values[i]![1])];
      if ((t1 - t0) * 1000 >= 5 * 60_000) continue;
      const inc = b >= a ? b - a : b;
      total += inc;
      if (s.metric.code === '500') num += inc;
    }
  }
  return { total, num, series: matrix.length, samples };
}

describe('a real Prometheus remote-writing to an engine that answers 429 when its store is behind', () => {
  const dir = scratchDir('engine-overload-');
  writeFiles(dir, { 'overload.yaml': SPEC });
  const dataDir = join(dir, 'data');
  let engine: EngineProcess;
  let prometheus: PrometheusProcess;
  let exporter: Awaited<ReturnType<typeof startExporter>>;

  beforeAll(async () => {
    engine = await startEngineProcess({ specs: [join(dir, 'overload.yaml')], dataDir, port: await freePort(), log: join(dir, 'engine.log'), extraArgs: ['--max-pending-samples', '1'] });
    exporter = await startExporter();
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      JSON.stringify({
        global: { scrape_interval: '1s' },
        scrape_configs: [{ job_name: 'ov', static_configs: [{ targets: [exporter.target] }] }],
        remote_write: [
          {
            url: `${engine.url}/api/v1/write`,
            queue_config: { retry_on_http_429: true, min_shards: 8, max_shards: 8, max_samples_per_send: 25, capacity: 2500, batch_send_deadline: '200ms', min_backoff: '30ms', max_backoff: '1s' },
            metadata_config: { send: false },
          },
        ],
      }),
    );
    prometheus = await startPrometheus({ workDir: dir, configFile: config, dataDir: join(dir, 'prom-data'), logName: 'prometheus.log' });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise<void>((r) => (exporter ? exporter.server.close(() => r()) : r()));
    await engine?.stop(2000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers many of its requests 429 with Retry-After, and Prometheus backs off and catches up until the engine holds exactly what Prometheus scraped', async () => {
    await sleep(SCRAPE_SECONDS * 1000);
    // Stop scraping: Prometheus then sends staleness markers and nothing new.
    await new Promise<void>((r) => {
      exporter.server.close(() => r());
      exporter.server.closeAllConnections();
    });
    const scrapes = exporter.scrapes();
    // Caught up: every sample Prometheus appended has been sent, nothing pending in its queue.
    let lag = NaN;
    let pending = NaN;
    for (let i = 0; i < 120; i++) {
      await sleep(500);
      lag = (await selfMetric(prometheus.url, 'prometheus_remote_storage_highest_timestamp_in_seconds')) - (await selfMetric(prometheus.url, 'prometheus_remote_storage_queue_highest_sent_timestamp_seconds'));
      pending = await selfMetric(prometheus.url, 'prometheus_remote_storage_samples_pending');
      if (lag === 0 && pending === 0 && i >= 6) break;
    }
    expect({ lag, pending }, `Prometheus caught up\n${tail(prometheus.log, 10)}`).toEqual({ lag: 0, pending: 0 });

    const metrics = await (await fetch(`${engine.url}/metrics`)).text();
    const count = (code: string) => Number(new RegExp(`^slo_engine_ingest_requests(?:_total)?\\{[^}]*code="${code}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
    const tooMany = count('429');
    const accepted = count('204');
    const retried = await selfMetric(prometheus.url, 'prometheus_remote_storage_samples_retried_total');
    const failed = await selfMetric(prometheus.url, 'prometheus_remote_storage_samples_failed_total');
    const dropped = await selfMetric(prometheus.url, 'prometheus_remote_storage_samples_dropped_total');
    expect(tooMany, 'the engine answered 429 to some requests').toBeGreaterThan(10);
    expect(retried, 'Prometheus retried the refused samples').toBeGreaterThan(0);
    // Prometheus waited as the engine asked rather than by its own backoff alone.
    expect(readFileSync(prometheus.log, 'utf8')).toContain('Retrying after duration specified by Retry-After header');
    expect(failed, 'Prometheus gave up on no sample').toBe(0);
    expect(dropped).toBe(0);

    const theirs = await promIncreases(prometheus.url);
    expect(theirs.series).toBe(INSTANCES * 2);
    // Every scrape's samples are in Prometheus (the last one may have been cut by closing the exporter).
    expect(scrapes).toBeGreaterThan(10);
    expect(theirs.samples).toBeGreaterThanOrEqual(INSTANCES * 2 * (scrapes - 1));
    expect((await engine.stop()).code).toBe(0);
    const db = new Database(join(dataDir, 'slo-engine.sqlite'), { readonly: true, fileMustExist: true });
    const mine = db.prepare('SELECT SUM(total) AS total, SUM(num) AS num FROM buckets WHERE res = ?').get(BASE) as { total: number; num: number };
    const seriesStored = (db.prepare('SELECT COUNT(*) AS n FROM series').get() as { n: number }).n;
    db.close();
    expect(seriesStored).toBe(INSTANCES * 2);
    expect(mine).toEqual({ total: theirs.total, num: theirs.num });
    console.log(
      `[engine-overload] ${scrapes} scrapes of ${INSTANCES * 2} counters (${theirs.samples} samples in Prometheus): engine answered ${accepted} x 204 and ${tooMany} x 429; ` +
        `Prometheus retried ${retried} samples, failed ${failed}, dropped ${dropped}; increases summed: engine ${mine.total}/${mine.num}, Prometheus ${theirs.total}/${theirs.num}`,
    );
  }, 120_000);
});
