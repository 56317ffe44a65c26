import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_OPTIONS, ruleOutputs } from '../src/rules/index.js';
import { QuerySource } from '../src/service/query-source.js';
import { startService, type EngineService } from '../src/service/service.js';
import { loadSlos } from '../src/spec/load.js';
import { rawErrorRatio } from '../src/rules/sli-expressions.js';
import { sloWindows } from '../src/model/windows.js';
import { formatDuration } from '../src/model/duration.js';
import { writeOpenMetricsBlocks } from './helpers/history-blocks.js';
import { instantQuery, rangeQuery } from './helpers/prometheus-api.js';
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
  'qm-error-ratio-by-cluster': 'qm-requests',
};
const QUERY_SLOS = Object.keys(TWINS);
const INGEST_SLOS = [...new Set(Object.values(TWINS))];
/** Raw error ratios have no counts: only their 5m window is the same SLI as their twin's. */
const RAW = new Set(['qm-error-ratio', 'qm-error-ratio-by-cluster']);
/** Groups (series after sum by) per SLO: two clusters, or one for the SLOs summed over both. */
const GROUPS: Record<string, number> = { 'qm-error-ratio': 1, 'qm-requests-all': 1 };
const groupsOf = (id: string) => GROUPS[id] ?? 2;

/**
 * Tolerances on error ratios: |a - b| <= rel * max(|a|, |b|) + 1e-15.
 *
 * Engines against each other (query mode on either backend, ingest mode): 1e-12. Every series
 * has a sample at every 15s, so at every 5m evaluation time. Prometheus 2's range includes the
 * sample at the window's start, so increase() has nothing to extrapolate; VictoriaMetrics'
 * increase() is the last sample minus the one before the window; the engine adds up the same
 * differences. Counters are integers, so those counts are exact. What is left is float64
 * rounding where PromQL divides and multiplies (rate() x 300, then clamp_min(total - good)),
 * and averages of ratios summed in another order: a few ulps of a count, 1e-16 of a ratio.
 * Measured: 6e-14 relative.
 *
 * vmalert's recorded series against the engines: 1e-11. VictoriaMetrics stores a non-integer
 * float as a decimal with 12 significant digits (lib/decimal, conversionPrecision = 1e12):
 * 282.99999999999966 comes back as 283, 0.12345678901234567 as 0.12345678901234. A recorded
 * ratio carries that rounding once, or twice when it is a ratio of recorded non-integer counts.
 * Measured: 1.1e-12 relative.
 */
const ENGINES_REL = 1e-12;
const VMALERT_REL = 1e-11;
const ABS = 1e-15;

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
  readAt: string | null;
  groups: Array<{ labels: Record<string, string>; windows: Record<string, WindowJson> }>;
}

async function slosAt(engine: EngineService, timeMs?: number): Promise<Map<string, SloJson>> {
  const res = await fetch(`${engine.url}/api/v1/slos${timeMs === undefined ? '' : `?time=${timeMs / 1000}`}`);
  if (!res.ok) throw new Error(`GET /api/v1/slos answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { data: SloJson[] };
  return new Map(body.data.map((s) => [s.id, s]));
}

/** Error ratio of every group and window, by `cluster|window` (cluster '' for an SLO over both). */
function ratios(slo: SloJson | undefined): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const g of slo?.groups ?? []) for (const [w, v] of Object.entries(g.windows)) out.set(`${g.labels.cluster ?? ''}|${w}`, v.errorRatio);
  return out;
}

const iso = (t: number) => new Date(t).toISOString();

/** The largest differences one comparison saw, and the pairs outside its tolerance. */
class Agreement {
  compared = 0;
  maxAbs = 0;
  maxRel = 0;
  /** Where the largest relative difference was. */
  worst = '';
  readonly misses: string[] = [];

  constructor(private readonly rel: number) {}

  check(what: string, a: number | null | undefined, b: number | null | undefined): void {
    if (a === null || a === undefined || b === null || b === undefined) {
      if ((a ?? null) !== (b ?? null)) this.misses.push(`${what}: ${a} vs ${b}`);
      return;
    }
    this.compared++;
    const abs = Math.abs(a - b);
    const scale = Math.max(Math.abs(a), Math.abs(b));
    this.maxAbs = Math.max(this.maxAbs, abs);
    if (abs > 0 && abs / scale > this.maxRel) {
      this.maxRel = abs / scale;
      this.worst = what;
    }
    if (abs > this.rel * scale + ABS) this.misses.push(`${what}: ${a} vs ${b} (relative ${(abs / scale).toExponential(2)})`);
  }

  summary(): string {
    return `${this.compared} compared, max difference ${this.maxAbs.toExponential(2)} absolute, ${this.maxRel.toExponential(2)} relative${this.worst ? ` (${this.worst})` : ''}`;
  }

  /** Passes when nothing differs beyond the tolerance and exactly `expected` pairs had values on both sides. */
  assert(expected: number): void {
    if (this.misses.length) throw new Error(`${this.misses.length} differ beyond ${this.rel} relative (${this.summary()}):\n${this.misses.slice(0, 30).join('\n')}`);
    expect(this.compared).toBe(expected);
  }
}

/**
 * Query mode against real backends. Three hours of synthetic history (test/helpers/
 * synthetic-history.ts) go into a real Prometheus (TSDB blocks from promtool), a real
 * VictoriaMetrics (its import API) and, as one remote-write request, an engine in ingest mode.
 * Two more engines run in query mode, one on each backend. Every SLI that needs query mode must
 * come out the same from both backends and the same as its stream-computed twin, at every 5m
 * step of the history and in every window; vmalert replaying the generated rules over
 * VictoriaMetrics must record the same error ratios.
 */
describe('query mode on Prometheus and VictoriaMetrics holding the same history', () => {
  const dir = scratchDir('query-mode-');
  const slos = loadSlos([FIXTURE]).slos;
  const timings: Record<string, number> = {};
  let history: SyntheticHistory;
  let prometheus: PrometheusProcess | undefined;
  let vm: VictoriaMetricsProcess | undefined;
  let ingest: EngineService | undefined;
  let onPrometheus: EngineService | undefined;
  let onVm: EngineService | undefined;
  /** Ingest mode with no stream at all: everything it knows is the backfill from Prometheus. */
  let backfilled: EngineService | undefined;
  /** Every 5m from the first full 5m of history to 10m before its end (later the 5m window is the live one, read differently). */
  const times: number[] = [];

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
    // History ends on the last whole 5 minutes, not after now: the engine refuses future samples.
    const endMs = Math.floor(Date.now() / BASE) * BASE;
    history = syntheticHistory({ startMs: endMs - HISTORY, endMs });
    for (let t = history.startMs + BASE; t <= endMs - 2 * BASE; t += BASE) times.push(t);
    const promData = join(dir, 'prometheus-data');
    mkdirSync(promData);
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, 'global: {}\n');
    const started = await Promise.allSettled([
      timed('Prometheus: blocks and start', async () => {
        writeOpenMetricsBlocks({ builder: toOpenMetrics(history), workDir: dir, dataDir: promData });
        prometheus = await startPrometheus({ workDir: dir, configFile: config, dataDir: promData, logName: 'prometheus.log' });
      }),
      timed('VictoriaMetrics: start and import', async () => {
        vm = await startVictoriaMetrics({ workDir: dir, dataDir: join(dir, 'vm-data') });
        await vm.importPrometheus(toImportText(history));
      }),
      timed('ingest engine: start and remote-write', async () => {
        ingest = await service('ingest');
        const res = await fetch(`${ingest.url}/api/v1/write`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
          body: toRemoteWrite(history),
        });
        if (res.status !== 204) throw new Error(`remote-write answered ${res.status}: ${await res.text()}`);
      }),
    ]);
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    // Each query-mode engine reads the whole SLO window (30d in 5m steps) before it starts.
    await Promise.all([
      timed('engine on Prometheus: start with backfill', async () => void (onPrometheus = await service('on-prometheus', prometheus!.url))),
      timed('engine on VictoriaMetrics: start with backfill', async () => void (onVm = await service('on-vm', vm!.url))),
      timed('ingest engine with no stream: start with backfill', async () => void (backfilled = await service('backfilled', prometheus!.url))),
    ]);
  }, 60_000);

  afterAll(async () => {
    console.info(`query mode: ${history ? sampleCount(history) : 0} samples, ${times.length} times compared; timings (ms)`, timings);
    await Promise.all([ingest?.close(), onPrometheus?.close(), onVm?.close(), backfilled?.close()]);
    await Promise.all([prometheus?.stop(), vm?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes every SLI that needs query mode the same from Prometheus as from VictoriaMetrics, in every window at every 5m step', async () => {
    const agree = new Agreement(ENGINES_REL);
    for (const t of times) {
      const [p, v] = await Promise.all([slosAt(onPrometheus!, t), slosAt(onVm!, t)]);
      for (const id of QUERY_SLOS) {
        expect([p.get(id)?.source, v.get(id)?.source]).toEqual(['query', 'query']);
        const a = ratios(p.get(id));
        const b = ratios(v.get(id));
        for (const key of new Set([...a.keys(), ...b.keys()])) agree.check(`${id} ${key} at ${iso(t)}`, a.get(key), b.get(key));
      }
    }
    console.info(`Prometheus vs VictoriaMetrics: ${agree.summary()}`);
    agree.assert(QUERY_SLOS.reduce((n, id) => n + groupsOf(id), 0) * WINDOWS.length * times.length);
  });

  it('gives each PromQL SLI the error ratios its stream-computed twin has in ingest mode', async () => {
    const agree = new Agreement(ENGINES_REL);
    for (const t of times) {
      const [q, i] = await Promise.all([slosAt(onVm!, t), slosAt(ingest!, t)]);
      for (const [id, twin] of Object.entries(TWINS)) {
        expect([q.get(id)?.source, i.get(twin)?.source]).toEqual(['query', 'ingest']);
        const a = ratios(q.get(id));
        const b = ratios(i.get(twin));
        // A raw ratio that keeps a label is one group per series it returns, as in the recorded rules.
        if (id === 'qm-error-ratio-by-cluster') expect([...a.keys()].filter((k) => k.endsWith('|5m')).sort()).toEqual(['a|5m', 'b|5m']);
        for (const key of new Set([...a.keys(), ...b.keys()])) if (!RAW.has(id) || key.endsWith('|5m')) agree.check(`${id} vs ${twin} ${key} at ${iso(t)}`, a.get(key), b.get(key));
      }
    }
    console.info(`query mode vs ingest mode: ${agree.summary()}`);
    const windowsCompared = (id: string) => (RAW.has(id) ? 1 : WINDOWS.length);
    agree.assert(QUERY_SLOS.reduce((n, id) => n + groupsOf(id) * windowsCompared(id), 0) * times.length);
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
    // vmalert parses every group of the files unchanged, alerts and their templates included.
    const check = vmalertCheck(ruleFiles);
    expect(check.ok, check.output).toBe(true);
    const rules = readRecordingRules(ruleFiles).filter((r) => /^slo:(events_total|events_bad|sli_error):/.test(r.record));
    const replayed = await timed('vmalert replay', () => replayByLevel({ rules, vm: vm!, fromMs: history.startMs, toMs: history.endMs, workDir: dir }));
    expect(replayed.samples).toBeGreaterThan(0);

    const recorded = new Map<string, number>();
    for (const w of WINDOWS) {
      for (const s of await rangeQuery(vm!.url, `slo:sli_error:ratio_rate${w}`, times[0]! / 1000, times[times.length - 1]! / 1000, BASE / 1000)) {
        for (const [ts, value] of s.values) recorded.set(`${s.metric.slo_id}|${s.metric.cluster ?? ''}|${w}|${ts * 1000}`, Number(value));
      }
    }
    const agree = new Agreement(VMALERT_REL);
    // A raw ratio between 5m and the SLO window: the rules evaluate the query over the window, an event-weighted ratio.
    const rawByRules = new Agreement(VMALERT_REL);
    // ... where the engine averages its 5m ratios, as the rules do only for the SLO window.
    const rawByEngine = new Agreement(VMALERT_REL);
    for (const t of times) {
      const [q, i] = await Promise.all([slosAt(onVm!, t), slosAt(ingest!, t)]);
      for (const id of [...QUERY_SLOS, ...INGEST_SLOS]) {
        for (const [key, value] of ratios((QUERY_SLOS.includes(id) ? q : i).get(id))) {
          const theirs = recorded.get(`${id}|${key}|${t}`);
          const w = key.split('|')[1];
          if (RAW.has(id) && w !== '5m' && w !== '30d') {
            rawByRules.check(`${id} ${key} at ${iso(t)}`, ratios(i.get(TWINS[id]!)).get(key), theirs);
            rawByEngine.check(`${id} ${key} at ${iso(t)}`, value, theirs);
          } else agree.check(`${id} ${key} at ${iso(t)}`, value, theirs);
        }
      }
    }
    console.info(
      `vmalert vs engines: ${agree.summary()}\n` +
        `raw ratios, 30m to 3d: rules vs the events twin ${rawByRules.summary()}; rules vs the engine's average of 5m ratios ${rawByEngine.summary()}`,
    );
    const groups = (ids: string[]) => ids.reduce((n, id) => n + groupsOf(id), 0);
    agree.assert(((groups(INGEST_SLOS) + groups(QUERY_SLOS.filter((id) => !RAW.has(id)))) * WINDOWS.length + groups([...RAW]) * 2) * times.length);
    rawByRules.assert(groups([...RAW]) * (WINDOWS.length - 2) * times.length);
  });

  it('fills the windows of stream-computed SLOs from the query API on start, as if it had ingested the history', async () => {
    const agree = new Agreement(ENGINES_REL);
    for (const t of times) {
      const [a, b] = await Promise.all([slosAt(ingest!, t), slosAt(backfilled!, t)]);
      for (const id of INGEST_SLOS) {
        expect(b.get(id)?.source).toBe('ingest');
        const x = ratios(a.get(id));
        const y = ratios(b.get(id));
        for (const key of new Set([...x.keys(), ...y.keys()])) agree.check(`${id} ${key} at ${iso(t)}`, x.get(key), y.get(key));
      }
    }
    console.info(`remote-written vs backfilled: ${agree.summary()}`);
    agree.assert(INGEST_SLOS.reduce((n, id) => n + groupsOf(id), 0) * WINDOWS.length * times.length);
  });

  it('evaluates a raw ratio over each alert window as the rules do, at the moment it last read the backend', async () => {
    const now = await slosAt(onPrometheus!);
    let compared = 0;
    for (const id of RAW) {
      const slo = slos.find((x) => x.id === id)!;
      const json = now.get(id)!;
      expect(json.readAt).not.toBeNull();
      const at = Date.parse(json.readAt!) / 1000;
      for (const w of sloWindows(slo).filter((x) => x !== BASE && x !== slo.window)) {
        if (slo.sli.kind !== 'rawErrorRatio') continue;
        for (const p of await instantQuery(prometheus!.url, rawErrorRatio(slo.sli, w), at)) {
          const g = json.groups.find((x) => (x.labels.cluster ?? '') === (p.metric.cluster ?? ''));
          const mine = g?.windows[formatDuration(w)]?.errorRatio;
          expect(mine, `${id} ${p.metric.cluster ?? ''} ${formatDuration(w)}`).toBeCloseTo(Number(p.value[1]), 12);
          compared++;
        }
      }
    }
    // Both raw SLOs (one over all clusters, one per cluster) in their alert windows between 5m and 30d.
    expect(compared).toBeGreaterThanOrEqual(3 * 5);
  });

  it('shows a query-mode SLO without data, and why, when its backend is down: never a 100% or 0% SLI', async () => {
    const before = await slosAt(onPrometheus!);
    for (const id of QUERY_SLOS) expect(before.get(id)!.groups.length).toBe(groupsOf(id));
    await prometheus!.stop();
    // A reload reads the query API again at once, as the minute timer would.
    const reload = await fetch(`${onPrometheus!.url}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);
    const after = await slosAt(onPrometheus!);
    for (const id of QUERY_SLOS) {
      const slo = after.get(id)!;
      expect(slo.groups).toEqual([]);
      expect(slo.status).toBe('no-data');
      expect(slo.reason).toMatch(new RegExp(`^query API ${prometheus!.url} failed for SLO ${id}: .*ECONNREFUSED`));
    }
    // The SLOs the stream computes do not depend on the query API.
    for (const id of INGEST_SLOS) expect(after.get(id)!.source).toBe('ingest');
  });

  it('drops to no data when VictoriaMetrics goes away, and has the same values again once it is back, on the periodic refresh', async () => {
    const t = times[times.length - 1]!;
    const before = await slosAt(onVm!, t);
    // The service's source refreshes once a minute; this one does the same reads every 200ms.
    const source = new QuerySource({ url: vm!.url, engine: onVm!.engine, log: () => {}, refreshMs: 200 });
    await source.start();
    try {
      await vm!.stop();
      await sleep(1_000);
      const down = await slosAt(onVm!, t);
      for (const id of QUERY_SLOS) {
        expect(down.get(id)!.groups).toEqual([]);
        expect(down.get(id)!.reason).toMatch(/ECONNREFUSED/);
      }
      vm = await startVictoriaMetrics({ workDir: dir, dataDir: vm!.dataDir, port: vm!.port, logName: 'victoria-metrics-restarted.log' });
      await sleep(1_000);
      const back = await slosAt(onVm!, t);
      // Re-read values may differ in the last bit: VictoriaMetrics sums series in no fixed order.
      const agree = new Agreement(ENGINES_REL);
      for (const id of QUERY_SLOS) {
        expect(back.get(id)!.reason).toBeNull();
        const a = ratios(before.get(id));
        const b = ratios(back.get(id));
        for (const key of new Set([...a.keys(), ...b.keys()])) agree.check(`${id} ${key}`, a.get(key), b.get(key));
      }
      agree.assert(QUERY_SLOS.reduce((n, id) => n + groupsOf(id), 0) * WINDOWS.length);
    } finally {
      source.stop();
    }
  });
});
