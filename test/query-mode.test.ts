import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_OPTIONS, ruleOutputs } from '../src/rules/index.js';
import { QuerySource } from '../src/service/query-source.js';
import { startService, type EngineService } from '../src/service/service.js';
import { loadSlos } from '../src/spec/load.js';
import { writeOpenMetricsBlocks } from './helpers/history-blocks.js';
import { rangeQuery } from './helpers/prometheus-api.js';
import { sleep, startPrometheus, type PrometheusProcess } from './helpers/prometheus-process.js';
import { scratchDir } from './helpers/promtool.js';
import { readRecordingRules } from './helpers/rule-backfill.js';
import { sampleCount, syntheticHistory, toImportText, toOpenMetrics, toRemoteWrite, type SyntheticHistory } from './helpers/synthetic-history.js';
import { startVictoriaMetrics, type VictoriaMetricsProcess } from './helpers/victoria-metrics.js';
import { replayByLevel, vmalertCheck } from './helpers/vmalert.js';

const FIXTURE = resolve('test/fixtures/engine/query-mode.yaml');
const MINUTE = 60_000;
const BASE = 5 * MINUTE;
const HISTORY = 3 * 60 * MINUTE;
const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'];

/** Each SLO that needs query mode, and the SLO that computes the same SLI from the stream. */
const TWINS: Record<string, string> = {
  'qm-requests-promql': 'qm-requests',
  'qm-requests-rate': 'qm-requests',
  'qm-latency-promql': 'qm-latency',
  'qm-queue-promql': 'qm-queue',
  'qm-error-ratio': 'qm-requests-all',
};
const QUERY_SLOS = Object.keys(TWINS);
const INGEST_SLOS = [...new Set(Object.values(TWINS))];

/**
 * Relative tolerance on error ratios. All series share sample timestamps, every 5m evaluation
 * time is a sample time, and counters are integers: Prometheus 2's increase() then has nothing
 * to extrapolate (its range includes the sample at the window's start), VictoriaMetrics'
 * increase() is last minus the sample before the window, and the engine adds the same
 * differences; sums of integers are exact in float64. What is left is rounding: rate() x 300,
 * averages of ratios summed in another order, and VictoriaMetrics storing recorded floats as
 * decimals.
 */
const REL = 1e-9;

interface WindowJson {
  total: number | null;
  bad: number | null;
  errorRatio: number | null;
}
interface SloJson {
  id: string;
  source: 'ingest' | 'query' | 'unavailable';
  status: string;
  reason: string | null;
  groups: Array<{ labels: Record<string, string>; windows: Record<string, WindowJson> }>;
}

async function slosAt(engine: EngineService, timeMs?: number): Promise<Map<string, SloJson>> {
  const res = await fetch(`${engine.url}/api/v1/slos${timeMs === undefined ? '' : `?time=${timeMs / 1000}`}`);
  if (!res.ok) throw new Error(`GET /api/v1/slos answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { data: SloJson[] };
  return new Map(body.data.map((s) => [s.id, s]));
}

/** Error ratio of every group and window, by `cluster|window` ('' for an SLO without groupBy). */
function ratios(slo: SloJson | undefined): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const g of slo?.groups ?? []) for (const [w, v] of Object.entries(g.windows)) out.set(`${g.labels.cluster ?? ''}|${w}`, v.errorRatio);
  return out;
}

/** Largest differences seen by one comparison, and the pairs outside the tolerance. */
class Agreement {
  compared = 0;
  maxAbs = 0;
  maxRel = 0;
  readonly misses: string[] = [];

  check(what: string, a: number | null | undefined, b: number | null | undefined): void {
    if (a === null || a === undefined || b === null || b === undefined) {
      if ((a ?? null) !== (b ?? null)) this.misses.push(`${what}: ${a} vs ${b}`);
      return;
    }
    this.compared++;
    const abs = Math.abs(a - b);
    const rel = abs === 0 ? 0 : abs / Math.max(Math.abs(a), Math.abs(b));
    this.maxAbs = Math.max(this.maxAbs, abs);
    this.maxRel = Math.max(this.maxRel, rel);
    if (rel > REL) this.misses.push(`${what}: ${a} vs ${b} (relative ${rel.toExponential(2)})`);
  }

  summary(): string {
    return `${this.compared} compared, max abs ${this.maxAbs.toExponential(2)}, max rel ${this.maxRel.toExponential(2)}`;
  }

  assert(minCompared: number): void {
    if (this.misses.length) throw new Error(`${this.misses.length} differ (${this.summary()}):\n${this.misses.slice(0, 30).join('\n')}`);
    expect(this.compared).toBeGreaterThanOrEqual(minCompared);
  }
}

/**
 * Query mode against real backends: three hours of synthetic history go into a real Prometheus
 * (TSDB blocks from promtool), a real VictoriaMetrics (its import API) and, as remote-write, an
 * engine in ingest mode. Two more engines run in query mode, one on each backend. SLIs that need
 * query mode must come out the same from both backends and the same as their stream-computed
 * twins; vmalert replaying the generated rules over VictoriaMetrics must record the same values.
 */
describe('query mode on Prometheus and VictoriaMetrics holding the same history', () => {
  const dir = scratchDir('query-mode-');
  const slos = loadSlos([FIXTURE]).slos;
  const timings: Record<string, number> = {};
  let history: SyntheticHistory;
  let prometheus: PrometheusProcess;
  let vm: VictoriaMetricsProcess;
  let ingest: EngineService;
  let onPrometheus: EngineService;
  let onVm: EngineService;
  /** Every aligned 5m time from the first full 5m of history to 10m before its end (later, the 5m window is the live one). */
  let times: number[];

  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      timings[name] = Math.round(performance.now() - t0);
    }
  };
  const service = (name: string, prometheusUrl?: string) =>
    startService({
      sloPaths: [FIXTURE],
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, name),
      render: DEFAULT_RENDER_OPTIONS,
      version: 'test',
      watch: false,
      evalIntervalMs: 3_600_000,
      prometheusUrl,
      log: () => {},
    });

  beforeAll(async () => {
    const endMs = Math.floor(Date.now() / BASE) * BASE;
    history = syntheticHistory({ startMs: endMs - HISTORY, endMs });
    times = [];
    for (let t = history.startMs + BASE; t <= endMs - 2 * BASE; t += BASE) times.push(t);
    const promDir = join(dir, 'prometheus');
    mkdirSync(promDir);
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, 'global: {}\n');
    [prometheus, vm, ingest] = await Promise.all([
      timed('prometheus (blocks + start)', async () => {
        writeOpenMetricsBlocks({ builder: toOpenMetrics(history), workDir: dir, dataDir: promDir });
        return startPrometheus({ workDir: dir, configFile: config, dataDir: promDir, logName: 'prometheus.log' });
      }),
      timed('victoria-metrics (start + import)', async () => {
        const v = await startVictoriaMetrics({ workDir: dir, dataDir: join(dir, 'vm') });
        await v.importPrometheus(toImportText(history));
        return v;
      }),
      timed('ingest engine (start + remote-write)', async () => {
        const e = await service('ingest');
        const res = await fetch(`${e.url}/api/v1/write`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
          body: toRemoteWrite(history),
        });
        if (res.status !== 204) throw new Error(`remote-write answered ${res.status}: ${await res.text()}`);
        return e;
      }),
    ]);
    // Each query-mode engine reads the whole SLO window (30d in 5m steps) before it starts.
    [onPrometheus, onVm] = await Promise.all([
      timed('engine on Prometheus (backfill)', () => service('on-prometheus', prometheus.url)),
      timed('engine on VictoriaMetrics (backfill)', () => service('on-vm', vm.url)),
    ]);
  }, 60_000);

  afterAll(async () => {
    console.info(`query mode: ${sampleCount(history)} samples, ${times.length} times compared; timings (ms)`, timings);
    await Promise.all([ingest?.close(), onPrometheus?.close(), onVm?.close()]);
    await Promise.all([prometheus?.stop(), vm?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes every SLI that needs query mode the same from Prometheus as from VictoriaMetrics, every window at every 5m step', async () => {
    const agree = new Agreement();
    for (const t of times) {
      const [p, v] = await Promise.all([slosAt(onPrometheus, t), slosAt(onVm, t)]);
      for (const id of QUERY_SLOS) {
        expect(p.get(id)?.source).toBe('query');
        const a = ratios(p.get(id));
        const b = ratios(v.get(id));
        for (const key of new Set([...a.keys(), ...b.keys()])) agree.check(`${id} ${key} at ${new Date(t).toISOString()}`, a.get(key), b.get(key));
      }
    }
    console.info(`Prometheus vs VictoriaMetrics: ${agree.summary()}`);
    // Five SLOs, four of them per cluster, eight windows, 34 times.
    agree.assert(9 * WINDOWS.length * times.length);
  });

  it('gives each PromQL SLI the values its stream-computed twin has in ingest mode', async () => {
    const agree = new Agreement();
    for (const t of times) {
      const [q, i] = await Promise.all([slosAt(onVm, t), slosAt(ingest, t)]);
      for (const [id, twin] of Object.entries(TWINS)) {
        expect(i.get(twin)?.source).toBe('ingest');
        const a = ratios(q.get(id));
        const b = ratios(i.get(twin));
        // A raw error ratio has no counts: beyond 5m its windows are averages of 5m ratios, not event-weighted.
        const keys = id === 'qm-error-ratio' ? ['|5m'] : [...new Set([...a.keys(), ...b.keys()])];
        for (const key of keys) agree.check(`${id} vs ${twin} ${key} at ${new Date(t).toISOString()}`, a.get(key), b.get(key));
      }
    }
    console.info(`query mode vs ingest mode: ${agree.summary()}`);
    agree.assert((8 * WINDOWS.length + 1) * times.length);
  });

  it('records the same error ratios when vmalert replays the generated rules over VictoriaMetrics', async () => {
    const rulesDir = join(dir, 'rules');
    mkdirSync(rulesDir);
    const ruleFiles: string[] = [];
    for (const [name, text] of ruleOutputs(slos, { ...DEFAULT_RENDER_OPTIONS, version: 'test', prometheusRule: false })) {
      if (!name.endsWith('.rules.yaml')) continue;
      writeFileSync(join(rulesDir, name), text);
      ruleFiles.push(join(rulesDir, name));
    }
    const check = vmalertCheck(ruleFiles);
    expect(check.ok, check.output).toBe(true);
    const rules = readRecordingRules(ruleFiles).filter((r) => /^slo:(events_total|events_bad|sli_error)/.test(r.record));
    const replayed = await timed('vmalert replay', () => replayByLevel({ rules, vm, fromMs: history.startMs, toMs: history.endMs, workDir: dir }));
    expect(replayed.samples).toBeGreaterThan(0);

    const recorded = new Map<string, number>();
    for (const w of WINDOWS) {
      for (const s of await rangeQuery(vm.url, `slo:sli_error:ratio_rate${w}`, times[0]! / 1000, times[times.length - 1]! / 1000, BASE / 1000)) {
        for (const [ts, value] of s.values) recorded.set(`${s.metric.slo_id}|${s.metric.cluster ?? ''}|${w}|${ts * 1000}`, Number(value));
      }
    }
    const agree = new Agreement();
    const rawWindows = new Agreement();
    for (const t of times) {
      const [q, i] = await Promise.all([slosAt(onVm, t), slosAt(ingest, t)]);
      for (const id of [...QUERY_SLOS, ...INGEST_SLOS]) {
        const mine = ratios((QUERY_SLOS.includes(id) ? q : i).get(id));
        for (const [key, value] of mine) {
          const theirs = recorded.get(`${id}|${key}|${t}`);
          const w = key.split('|')[1];
          // The rules evaluate a raw ratio over each window; the engine averages its 5m ratios (see the report).
          if (id === 'qm-error-ratio' && w !== '5m' && w !== '30d') rawWindows.check(`${id} ${key} at ${new Date(t).toISOString()}`, value, theirs);
          else agree.check(`${id} ${key} at ${new Date(t).toISOString()}`, value, theirs);
        }
      }
    }
    console.info(`vmalert vs engine: ${agree.summary()}; raw ratio 30m..3d: ${rawWindows.summary()}`, rawWindows.misses.slice(0, 5));
    agree.assert(1);
  });

  it('shows a query-mode SLO without data, and says why, when the backend is down', async () => {
    const before = await slosAt(onPrometheus);
    for (const id of QUERY_SLOS) expect(before.get(id)!.groups.length).toBeGreaterThan(0);
    await prometheus.stop();
    // A reload re-reads the query API at once, as the minute timer would.
    const reload = await fetch(`${onPrometheus.url}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);
    const after = await slosAt(onPrometheus);
    for (const id of QUERY_SLOS) {
      const slo = after.get(id)!;
      expect(slo.groups).toEqual([]);
      expect(slo.status).toBe('no-data');
      expect(slo.reason).toContain(`query API ${prometheus.url} failed`);
    }
  });

  it('drops to no data when VictoriaMetrics goes away and brings the same values back when it returns, on the periodic refresh', async () => {
    const t = times[times.length - 1]!;
    const before = await slosAt(onVm, t);
    // The service refreshes once a minute; this source does the same read every 200ms.
    const source = new QuerySource({ url: vm.url, engine: onVm.engine, log: () => {}, refreshMs: 200 });
    await source.start();
    try {
      await vm.stop();
      await sleep(1_000);
      const down = await slosAt(onVm, t);
      for (const id of QUERY_SLOS) {
        expect(down.get(id)!.groups).toEqual([]);
        expect(down.get(id)!.reason).toMatch(/query API .* failed/);
      }
      vm = await startVictoriaMetrics({ workDir: dir, dataDir: vm.dataDir, port: vm.port, logName: 'victoria-metrics-restarted.log' });
      await sleep(1_000);
      const back = await slosAt(onVm, t);
      for (const id of QUERY_SLOS) {
        expect(back.get(id)!.reason).toBeNull();
        expect(back.get(id)!.groups).toEqual(before.get(id)!.groups);
      }
    } finally {
      source.stop();
    }
  });
});
