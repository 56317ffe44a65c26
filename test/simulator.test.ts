import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPlatform, formatLabels, Histogram, mulberry32, OpenMetricsBuilder, toOpenMetrics, toPrometheusText, type Faults, type Frame, type Sample } from '../src/simulator/index.js';
import { promtool, scratchDir } from './helpers/promtool.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 5, 8, 0, 0);

type Filter = (labels: Readonly<Record<string, string>>) => boolean;
const all: Filter = () => true;

function total(samples: Sample[], name: string, filter: Filter = all): number {
  return samples.filter((s) => s.name === name && filter(s.labels)).reduce((sum, s) => sum + s.value, 0);
}

/** Two snapshots `hours` apart, after the platform has settled for a step, under the given faults. */
function run(faults: Faults, hours = 6) {
  const p = createPlatform({ startMs: START, faults });
  p.advance(START + 15_000);
  const before = p.samples();
  p.advance(START + 15_000 + hours * HOUR);
  return { before, after: p.samples(), hours };
}

type Run = ReturnType<typeof run>;
const delta = (r: Run, name: string, filter: Filter = all) => total(r.after, name, filter) - total(r.before, name, filter);

const SLI_VERBS = /^(LIST|GET|POST|PUT|PATCH|DELETE)$/;
const WRITES = /^(POST|PUT|PATCH|DELETE)$/;
const READS = /^(LIST|GET)$/;

/** Each SLI computed from the raw series the way the generated rules read them (ratios of bad to total). */
const SLIS = {
  apiserver(r: Run): number {
    const req = (f: Filter) => delta(r, 'apiserver_request_total', (l) => SLI_VERBS.test(l.verb!) && f(l));
    const count = (f: Filter) => delta(r, 'apiserver_request_sli_duration_seconds_count', f);
    const bucket = (f: Filter, le: string) => delta(r, 'apiserver_request_sli_duration_seconds_bucket', (l) => l.le === le && f(l));
    const errors = req((l) => /^5..$/.test(l.code!));
    const slowWrites = count((l) => WRITES.test(l.verb!)) - bucket((l) => WRITES.test(l.verb!), '1');
    const slowReads =
      count((l) => READS.test(l.verb!)) -
      bucket((l) => READS.test(l.verb!) && l.scope === 'resource', '1') -
      bucket((l) => READS.test(l.verb!) && l.scope === 'namespace', '5') -
      bucket((l) => READS.test(l.verb!) && l.scope === 'cluster', '30');
    return (errors + slowWrites + slowReads) / req(all);
  },
  podStartup: (r: Run) => latencySli(r, 'kubelet_pod_start_sli_duration_seconds', '5'),
  scheduler: (r: Run) => latencySli(r, 'scheduler_pod_scheduling_sli_duration_seconds', '1.28'),
  imagePull: (r: Run) => latencySli(r, 'kubelet_image_pull_duration_seconds', '60', (l) => /^(0-10MB|10MB-100MB|100MB-500MB)$/.test(l.image_size_in_bytes!)),
  /** Evictions (kubelet + eviction API) per 1000 pods per hour. */
  evictions(r: Run): number {
    const evictions =
      delta(r, 'kubelet_evictions') + delta(r, 'apiserver_request_total', (l) => l.subresource === 'eviction' && l.verb === 'POST' && /^2..$/.test(l.code!));
    return (1000 * evictions) / total(r.after, 'kube_pod_info') / r.hours;
  },
  /** Share of tenant deployments with Progressing=False. */
  stuckDeployments(r: Run): number {
    const tenant: Filter = (l) => /^(shop|team)-/.test(l.namespace!);
    const stuck = total(r.after, 'kube_deployment_status_condition', (l) => tenant(l) && l.condition === 'Progressing' && l.status === 'false');
    return stuck / r.after.filter((s) => s.name === 'kube_deployment_spec_replicas' && tenant(s.labels)).length;
  },
  /** Dollars per request over both shop namespaces, as the cost SLO computes it per namespace. */
  costPerRequest(r: Run, namespace = 'shop-web'): number {
    const price = (metric: string, node: string) => r.after.find((s) => s.name === metric && s.labels.node === node)!.value;
    const dollarsPerHour = r.after
      .filter((s) => s.name === 'container_cpu_allocation' && s.labels.namespace === namespace)
      .reduce((sum, s) => {
        const mem = r.after.find((m) => m.name === 'container_memory_allocation_bytes' && m.labels.pod === s.labels.pod)!.value;
        return sum + s.value * price('node_cpu_hourly_cost', s.labels.node!) + (mem / 2 ** 30) * price('node_ram_hourly_cost', s.labels.node!);
      }, 0);
    const requests = delta(r, 'http_server_request_duration_seconds_count', (l) => l.namespace === namespace);
    return (dollarsPerHour * r.hours) / requests;
  },
};

function latencySli(r: Run, histogram: string, le: string, filter: Filter = all): number {
  const count = delta(r, `${histogram}_count`, filter);
  return (count - delta(r, `${histogram}_bucket`, (l) => l.le === le && filter(l))) / count;
}

describe('the platform simulator', () => {
  it('gives the same samples for the same seed, however often it is advanced', () => {
    const once = createPlatform({ startMs: START, seed: 7, faults: { podStartSlow: 0.1 } });
    once.advance(START + HOUR);
    const stepwise = createPlatform({ startMs: START, seed: 7, faults: { podStartSlow: 0.1 } });
    const rng = mulberry32(3);
    for (let t = START; t < START + HOUR; t += Math.floor(rng() * 200_000)) stepwise.advance(t);
    stepwise.advance(START + HOUR);
    expect(stepwise.nowMs).toBe(once.nowMs);
    expect(stepwise.samples()).toEqual(once.samples());
    const other = createPlatform({ startMs: START, seed: 8, faults: { podStartSlow: 0.1 } });
    other.advance(START + HOUR);
    expect(other.samples()).not.toEqual(once.samples());
  });

  it('moves in whole 15-second steps and refuses to go back in time', () => {
    const p = createPlatform({ startMs: START });
    p.advance(START + 44_999);
    expect(p.nowMs).toBe(START + 30_000);
    expect(() => p.advance(START)).toThrow(/cannot go back/);
  });

  it('keeps counters monotonic and whole, and histogram buckets cumulative up to +Inf = count', () => {
    const p = createPlatform({ startMs: START, faults: { apiserverErrors: 0.05, podStartSlow: 0.2, evictionsPer1000PodsPerHour: 30 } });
    const last = new Map<string, number>();
    for (let i = 1; i <= 24; i++) {
      p.advance(START + i * 5 * 60_000);
      const samples = p.samples();
      for (const s of samples) {
        if (!/(_total|_count|_bucket|^kubelet_evictions)$/.test(s.name)) continue;
        const key = s.name + formatLabels(s.labels);
        expect(s.value, key).toBeGreaterThanOrEqual(last.get(key) ?? 0);
        expect(Number.isInteger(s.value), key).toBe(true);
        last.set(key, s.value);
      }
      const byHistogram = new Map<string, number[]>();
      for (const s of samples.filter((x) => x.name.endsWith('_bucket'))) {
        const { le: _le, ...rest } = s.labels;
        const key = s.name + formatLabels(rest);
        byHistogram.set(key, [...(byHistogram.get(key) ?? []), s.value]);
        if (s.labels.le === '+Inf') {
          const count = samples.find((c) => c.name === s.name.replace(/_bucket$/, '_count') && formatLabels(c.labels) === formatLabels(rest));
          expect(count?.value, key).toBe(s.value);
        }
      }
      for (const [key, values] of byHistogram) expect(values, key).toEqual([...values].sort((a, b) => a - b));
    }
  });

  it('writes bucket bounds as Prometheus 2 does: 0.05, 1, 1.28, 60, +Inf', () => {
    const p = createPlatform({ startMs: START });
    p.advance(START + HOUR);
    const les = new Set(p.samples().flatMap((s) => (s.labels.le === undefined ? [] : [s.labels.le])));
    for (const le of ['0.05', '1', '1.28', '5', '30', '60', '5242.88', '+Inf']) expect(les).toContain(le);
    expect([...les].filter((le) => /\.0$|e/.test(le))).toEqual([]);
  });

  it('uses the real series names and labels the catalog SLIs select on', () => {
    const p = createPlatform({ startMs: START, faults: { evictionsPer1000PodsPerHour: 100 } });
    p.advance(START + HOUR);
    const samples = p.samples();
    const has = (name: string, f: Filter) => samples.some((s) => s.name === name && f(s.labels));
    expect(has('apiserver_request_total', (l) => l.job === 'apiserver' && l.verb === 'LIST' && l.scope === 'cluster' && l.code === '200')).toBe(true);
    expect(has('apiserver_request_total', (l) => l.resource === 'pods' && l.subresource === 'eviction' && l.verb === 'POST' && l.code === '201')).toBe(true);
    expect(has('kubelet_evictions', (l) => l.eviction_signal === 'memory.available')).toBe(true);
    expect(has('kube_pod_info', (l) => l.namespace === 'kube-system' && !!l.node && !!l.uid)).toBe(true);
    expect(has('kube_deployment_status_condition', (l) => l.condition === 'Available' && l.status === 'unknown')).toBe(true);
    expect(has('node_cpu_hourly_cost', (l) => !!l.instance_type)).toBe(true);
    expect(has('http_server_request_duration_seconds_count', (l) => l.namespace === 'shop-api' && l.http_response_status_code === '200')).toBe(true);
    expect(samples.every((s) => s.labels.cluster === 'eu-1' || s.labels.cluster === 'us-1')).toBe(true);
    expect(samples.every((s) => !!s.labels.job && !!s.labels.instance)).toBe(true);
    expect(samples.filter((s) => s.name === 'kube_pod_info').length).toBeGreaterThan(200);
    // Empty label values are absent labels in Prometheus; the simulator never writes them.
    expect(samples.filter((s) => Object.values(s.labels).includes(''))).toEqual([]);
  });

  it('is healthy without faults: no bad events, and cost per request an order of magnitude under $0.0002', () => {
    const r = run({});
    expect(SLIS.apiserver(r)).toBe(0);
    expect(SLIS.podStartup(r)).toBe(0);
    expect(SLIS.scheduler(r)).toBe(0);
    expect(SLIS.imagePull(r)).toBe(0);
    expect(SLIS.evictions(r)).toBe(0);
    expect(SLIS.stuckDeployments(r)).toBe(0);
    for (const ns of ['shop-web', 'shop-api']) {
      expect(SLIS.costPerRequest(r, ns)).toBeGreaterThan(0.00001);
      expect(SLIS.costPerRequest(r, ns)).toBeLessThan(0.00002);
    }
    // No 5xx series at all while healthy: the rules' zero-fill has to cope, as in real clusters.
    expect(r.after.filter((s) => s.name === 'apiserver_request_total' && /^5/.test(s.labels.code!))).toEqual([]);
  });

  it('keeps large images slow without touching the image pull SLO, which only holds images under 500 MB', () => {
    const r = run({});
    expect(latencySli(r, 'kubelet_image_pull_duration_seconds', '60', (l) => l.image_size_in_bytes === '500MB-1GB')).toBeGreaterThan(0.2);
    expect(SLIS.imagePull(r)).toBe(0);
  });

  const knobs: Array<[string, Faults, keyof typeof SLIS, number, number]> = [
    ['apiserverErrors 0.1 makes 10% of apiserver requests answer 5xx', { apiserverErrors: 0.1 }, 'apiserver', 0.1, 0.001],
    ['apiserverSlow 0.05 makes 5% of apiserver requests slower than their threshold', { apiserverSlow: 0.05 }, 'apiserver', 0.05, 0.001],
    ['podStartSlow 0.3 makes 30% of pod startups slower than 5s', { podStartSlow: 0.3 }, 'podStartup', 0.3, 0.01],
    ['schedulerSlow 0.02 makes 2% of pods take longer than 1.28s to schedule', { schedulerSlow: 0.02 }, 'scheduler', 0.02, 0.005],
    ['imagePullSlow 0.2 makes 20% of pulls under 500 MB slower than 60s', { imagePullSlow: 0.2 }, 'imagePull', 0.2, 0.01],
    ['evictionsPer1000PodsPerHour 50 evicts 50 pods per 1000 per hour', { evictionsPer1000PodsPerHour: 50 }, 'evictions', 50, 2],
    ['stuckDeployments 0.25 sticks a quarter of the tenant deployments', { stuckDeployments: 0.25 }, 'stuckDeployments', 0.25, 0],
  ];

  it.each(knobs)('%s, and nothing else', (_name, faults, sli, expected, tolerance) => {
    const r = run(faults);
    expect(Math.abs(SLIS[sli](r) - expected)).toBeLessThanOrEqual(tolerance);
    const others = (['apiserver', 'podStartup', 'scheduler', 'imagePull', 'evictions', 'stuckDeployments'] as const).filter((s) => s !== sli);
    for (const other of others) expect(SLIS[other](r), other).toBe(0);
  });

  it('multiplies the cost per request by costPerRequestFactor', () => {
    const normal = SLIS.costPerRequest(run({}, 2));
    const costly = SLIS.costPerRequest(run({ costPerRequestFactor: 20 }, 2));
    expect(costly / normal).toBeCloseTo(20, 0);
    expect(costly).toBeGreaterThan(0.0002);
  });

  it('sticks only tenant deployments, a superset of them as the share grows', () => {
    const stuckAt = (share: number) => {
      const p = createPlatform({ startMs: START, faults: { stuckDeployments: share } });
      return p
        .samples()
        .filter((s) => s.name === 'kube_deployment_status_condition' && s.labels.status === 'false' && s.labels.condition === 'Progressing' && s.value === 1)
        .map((s) => `${s.labels.cluster}/${s.labels.namespace}/${s.labels.deployment}:${s.labels.reason}`);
    };
    const few = stuckAt(0.2);
    const more = stuckAt(0.5);
    expect(few.length).toBeGreaterThan(0);
    expect(more).toEqual(expect.arrayContaining(few));
    expect(more.every((d) => /\/(shop|team)-[^/]+\/.+:ProgressDeadlineExceeded$/.test(d))).toBe(true);
    // The same deployments in every cluster: the SLO merges a deployment's clusters.
    const inCluster = (c: string) => more.filter((d) => d.startsWith(`${c}/`)).map((d) => d.slice(c.length));
    expect(inCluster('eu-1')).toEqual(inCluster('us-1'));
  });

  it('keeps a slow share exact per cluster to one event, even in every 5-minute window', () => {
    const p = createPlatform({ startMs: START, faults: { podStartSlow: 0.3, schedulerSlow: 0.1 } });
    let prev = p.samples();
    for (let i = 1; i <= 24; i++) {
      p.advance(START + i * 5 * 60_000);
      const now = p.samples();
      const r = { before: prev, after: now, hours: 1 / 12 };
      for (const cluster of ['eu-1', 'us-1']) {
        const inCluster: Filter = (l) => l.cluster === cluster;
        for (const [histogram, le, share] of [['kubelet_pod_start_sli_duration_seconds', '5', 0.3], ['scheduler_pod_scheduling_sli_duration_seconds', '1.28', 0.1]] as const) {
          const count = delta(r, `${histogram}_count`, inCluster);
          const bad = count - delta(r, `${histogram}_bucket`, (l) => inCluster(l) && l.le === le);
          expect(Math.abs(bad - share * count), `${histogram} ${cluster} window ${i}`).toBeLessThanOrEqual(1);
        }
      }
      prev = now;
    }
  });

  it('applies new faults from the next step on', () => {
    const p = createPlatform({ startMs: START });
    p.advance(START + HOUR);
    const before = p.samples();
    p.setFaults({ podStartSlow: 1 });
    p.advance(START + 2 * HOUR);
    const r = { before, after: p.samples(), hours: 1 };
    expect(SLIS.podStartup(r)).toBe(1);
  });

  it('rejects faults it cannot simulate, naming the knob and the fix', () => {
    expect(() => createPlatform({ startMs: START, faults: { podStartSlow: 1.5 } })).toThrow(/podStartSlow is a share of events and must be between 0 and 1 \(got 1.5\)/);
    expect(() => createPlatform({ startMs: START, faults: { costPerRequestFactor: 0 } })).toThrow(/costPerRequestFactor must be a finite number > 0/);
    expect(() => createPlatform({ startMs: START, faults: { podsSlow: 1 } as Faults })).toThrow(/unknown fault "podsSlow"; use one of/);
    expect(() => createPlatform({ startMs: START, clusters: ['EU 1'] })).toThrow(/clusters must be distinct DNS-style names/);
  });
});

describe('a histogram', () => {
  it('puts exactly the configured share above the threshold, carried over between batches', () => {
    const h = new Histogram([0.5, 1, 5, 10]);
    const rng = mulberry32(1);
    for (let i = 0; i < 100; i++) h.observeBatch(rng, 7, { median: 1, spread: 1 }, { threshold: 5, share: 0.13 });
    const atOrUnder5 = h.buckets().find((b) => b.le === '5')!.value;
    expect(h.count).toBe(700);
    expect(h.count - atOrUnder5).toBe(91);
    expect(h.buckets().at(-1)).toEqual({ le: '+Inf', value: 700 });
  });

  it('counts an observation on a bound into that bound, as Prometheus does (le means <=)', () => {
    const h = new Histogram([1, 2]);
    h.observe(1);
    h.observe(2.5);
    expect(h.buckets()).toEqual([
      { le: '1', value: 1 },
      { le: '2', value: 1 },
      { le: '+Inf', value: 2 },
    ]);
    expect(h.sum).toBe(3.5);
  });
});

describe('the OpenMetrics writer', () => {
  const frames = [0, 60_000, 120_000].map((t): Frame => ({
    timeMs: START + t,
    samples: [
      { name: 'b_total', labels: { path: 'say "hi"\\\n' }, value: t / 1000 },
      { name: 'a_bucket', labels: { le: '+Inf', z: '1', a: '2' }, value: t === 0 ? 1 : Infinity },
      { name: 'b_total', labels: { path: '/' }, value: 0.5 },
    ],
  }));

  it('keeps each family together, each series in time order, in seconds, escaped, ending in # EOF', () => {
    const text = toOpenMetrics(frames);
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('# EOF');
    expect(lines.filter((l) => l.startsWith('# TYPE'))).toEqual(['# TYPE b_total gauge', '# TYPE a_bucket gauge']);
    const family = lines.map((l) => (l.startsWith('#') ? '' : l.split('{')[0]!)).filter(Boolean);
    expect(family).toEqual([...Array(6).fill('b_total'), ...Array(3).fill('a_bucket')]);
    expect(lines[1]).toBe(`b_total{path="say \\"hi\\"\\\\\\n"} 0 ${START / 1000}`);
    expect(lines[4]).toBe(`b_total{path="/"} 0.5 ${START / 1000}`);
    expect(lines).toContain(`a_bucket{a="2",le="+Inf",z="1"} +Inf ${(START + 120_000) / 1000}`);
  });

  it('refuses frames out of time order and a series twice in one frame', () => {
    const b = new OpenMetricsBuilder().add(frames[1]!);
    expect(() => b.add(frames[0]!)).toThrow(/time order/);
    const dup = { timeMs: START + 180_000, samples: [frames[0]!.samples[2]!, frames[0]!.samples[2]!] };
    expect(() => new OpenMetricsBuilder().add(dup)).toThrow(/appears twice/);
  });

  it('is accepted by promtool tsdb create-blocks-from openmetrics, every series of an hour of platform history', () => {
    const dir = scratchDir('openmetrics-');
    const p = createPlatform({ startMs: START, faults: { apiserverErrors: 0.01, evictionsPer1000PodsPerHour: 10 } });
    const b = new OpenMetricsBuilder();
    let series = 0;
    for (let t = START; t <= START + HOUR; t += 60_000) {
      p.advance(t);
      const samples = p.samples();
      series = samples.length;
      b.add({ timeMs: p.nowMs, samples });
    }
    const file = join(dir, 'history.om');
    b.writeFile(file);
    const r = promtool(['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, 'data')]);
    expect(r.ok, r.output).toBe(true);
    const blocks = readdirSync(join(dir, 'data'));
    expect(blocks.length).toBeGreaterThan(0);
    const listed = promtool(['tsdb', 'list', join(dir, 'data')]);
    const seriesInBlocks = listed.output.split('\n').slice(1).filter(Boolean).map((l) => Number(l.trim().split(/\s+/)[6]));
    expect(Math.max(...seriesInBlocks)).toBe(series);
    // An hour of history is some 40 MB of text: not worth keeping after a passing run.
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the Prometheus text format for a /metrics endpoint, without timestamps', () => {
    const text = toPrometheusText(frames[1]!.samples);
    expect(text).toBe(`b_total{path="say \\"hi\\"\\\\\\n"} 60\nb_total{path="/"} 0.5\na_bucket{a="2",le="+Inf",z="1"} +Inf\n`);
  });
});
