import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_OPTIONS, ruleOutputs } from '../src/rules/index.js';
import { startService, type EngineService } from '../src/service/service.js';
import { loadSlos } from '../src/spec/load.js';
import { sloWindows } from '../src/model/windows.js';
import { formatDuration } from '../src/model/duration.js';
import { startBucketExporter, type BucketExporter } from './helpers/bucket-exporter.js';
import { instantQuery } from './helpers/prometheus-api.js';
import { sleep, startPrometheus, tail, type PrometheusProcess } from './helpers/prometheus-process.js';
import { scratchDir } from './helpers/promtool.js';

const FIXTURE = resolve('test/fixtures/engine/equivalence.yaml');
const BASE = 300_000;

interface EngineGroup {
  labels: Record<string, string>;
  windows: Record<string, { errorRatio: number | null; burnRate: number | null }>;
}

/**
 * A real Prometheus scrapes a synthetic exporter, remote-writes everything to the engine and runs
 * the generated recording rules itself; every window of every SLO must agree. This runs in real
 * time (Prometheus only remote-writes samples newer than its start, and refuses samples from the
 * future), so it waits for one whole 5m bucket: five to ten minutes.
 */
describe('the engine fed by Prometheus remote-write', () => {
  const dir = scratchDir('engine-vs-prom-');
  let engine: EngineService;
  let exporter: BucketExporter;
  let prometheus: PrometheusProcess;
  let bucket: number;

  beforeAll(async () => {
    const slos = loadSlos([FIXTURE]).slos;
    const ruleFiles: string[] = [];
    for (const [name, text] of ruleOutputs(slos, { ...DEFAULT_RENDER_OPTIONS, version: 'test', prometheusRule: false })) {
      if (!name.endsWith('.rules.yaml')) continue;
      writeFileSync(join(dir, name), text);
      ruleFiles.push(join(dir, name));
    }
    engine = await startService({ sloPaths: [FIXTURE], host: '127.0.0.1', port: 0, dataDir: join(dir, 'engine'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, evalIntervalMs: 3_600_000, log: () => {} });
    // The first bucket whose middle (where everything changes) comes after Prometheus's first scrapes.
    bucket = Math.ceil((Date.now() + 3.5 * 60_000 + 15_000) / BASE) * BASE;
    exporter = await startBucketExporter({ firstBucketEnd: bucket });
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      JSON.stringify({
        global: { scrape_interval: '5s', evaluation_interval: '5s' },
        rule_files: ruleFiles,
        scrape_configs: [{ job_name: 'eq', static_configs: [{ targets: [exporter.target] }] }],
        remote_write: [{ url: `${engine.url}/api/v1/write`, queue_config: { batch_send_deadline: '1s', min_backoff: '100ms', max_backoff: '1s' }, metadata_config: { send: false } }],
      }),
    );
    prometheus = await startPrometheus({ workDir: dir, configFile: config, dataDir: join(dir, 'prom-data'), logName: 'prometheus.log' });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes every window of every SLO as the generated rules do, within 1e-6', async () => {
    // The rule groups run once a minute at their own offset: a minute after the bucket's end
    // their newest evaluation has closed the bucket, and their 5m range still spans its middle.
    const at = bucket + 62_000;
    while (Date.now() < at + 3_000) await sleep(1_000);
    const body = (await (await fetch(`${engine.url}/api/v1/slos?time=${at / 1000}`)).json()) as { data: Array<{ id: string; groups: EngineGroup[] }> };
    const mismatches: string[] = [];
    const seen = new Set<string>();
    let compared = 0;
    let maxRel = 0;
    const slos = loadSlos([FIXTURE]).slos;
    for (const slo of slos) {
      const clusters = 'groupBy' in slo.sli && slo.sli.groupBy.length ? ['a', 'b'] : [undefined];
      for (const w of sloWindows(slo).map(formatDuration)) {
        for (const cluster of clusters) {
          const sel = `{slo_id="${slo.id}"${cluster ? `,cluster="${cluster}"` : ''}}`;
          const theirs = (await instantQuery(prometheus.url, `slo:burn_rate:ratio_rate${w}${sel}`, at / 1000))[0];
          const stamp = (await instantQuery(prometheus.url, `timestamp(slo:burn_rate:ratio_rate${w}${sel})`, at / 1000))[0];
          const where = `${slo.id} ${cluster ?? ''} ${w}`;
          if (!theirs || !stamp) {
            mismatches.push(`${where}: Prometheus recorded nothing`);
            continue;
          }
          // Read the engine at the very time the rule group evaluated.
          const evaluated = (await (await fetch(`${engine.url}/api/v1/slos/${slo.id}?time=${stamp.value[1]}`)).json()) as { data: { groups: EngineGroup[] } };
          const mine = evaluated.data.groups.find((g) => g.labels.cluster === cluster)?.windows[w]?.burnRate;
          const value = Number(theirs.value[1]);
          compared++;
          seen.add(value.toFixed(9));
          if (mine !== undefined && mine !== null && value !== 0) maxRel = Math.max(maxRel, Math.abs(mine - value) / Math.abs(value));
          if (mine === undefined || mine === null || Math.abs(mine - value) > 1e-6 * Math.max(Math.abs(value), 1e-12)) {
            mismatches.push(`${where} at ${new Date(Number(stamp.value[1]) * 1000).toISOString()}: engine ${mine}, Prometheus ${value}`);
          }
        }
      }
    }
    console.info(`engine vs Prometheus rules: ${compared} burn rates compared, largest relative difference ${maxRel.toExponential(2)}`);
    expect(body.data).toHaveLength(6);
    if (mismatches.length) throw new Error(`${mismatches.length} of ${compared + mismatches.length} differ:\n${mismatches.slice(0, 30).join('\n')}\n${tail(prometheus.log, 5)}`);
    // Every window of every SLO (per cluster where grouped: 88 in all), with values that differ between them.
    expect(compared).toBe(88);
    expect(seen.size).toBeGreaterThan(6);

  }, 720_000);
});
