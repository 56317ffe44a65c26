import { Carry, Splitter, eventsIn } from './carry.js';
import { evictionsPerSecondPerSource, type FaultSet } from './faults.js';
import { HistogramSeries, type Latency } from './histogram.js';
import { POD_STARTS_PER_SECOND, type Cluster, type Node } from './inventory.js';
import { streamFor } from './random.js';
import type { Exporter, Sample } from './types.js';

/** kubelet podStartupDurationBuckets: 5 s, the SIG-Scalability threshold, is a bound. */
export const POD_STARTUP_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];
export const IMAGE_PULL_BUCKETS = [1, 5, 10, 20, 30, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];
export const POD_STARTUP_THRESHOLD = 5;
export const IMAGE_PULL_THRESHOLD = 60;

/** Image pulls per cluster per second: about half of the startups miss the node's image cache. */
const IMAGE_PULLS_PER_SECOND = 5 / 60;
const POD_START: Latency = { median: 1.6, spread: 0.45 };

interface SizeClass {
  label: string;
  share: number;
  latency: Latency;
  /** Images of 500 MB and more take long anyway: a fixed share is over 60 s and no fault applies. */
  fixedSlowShare?: number;
}

/** Most pulls are small images; the SLO holds the classes under 500 MB to 60 s. */
const SIZE_CLASSES: SizeClass[] = [
  { label: '0-10MB', share: 0.35, latency: { median: 1.5, spread: 0.6 } },
  { label: '10MB-100MB', share: 0.4, latency: { median: 6, spread: 0.6 } },
  { label: '100MB-500MB', share: 0.2, latency: { median: 18, spread: 0.5 } },
  { label: '500MB-1GB', share: 0.05, latency: { median: 45, spread: 0.4 }, fixedSlowShare: 0.3 },
];

/** Node-pressure eviction signals in the proportions they usually show up in. */
const SIGNALS: Array<[signal: string, share: number]> = [
  ['memory.available', 0.7],
  ['nodefs.available', 0.3],
];

class NodeKubelet {
  readonly podStart: HistogramSeries;
  readonly pulls: HistogramSeries[];
  /** Eviction counts and their labels by signal; a series appears with the node's first eviction. */
  readonly evictions = new Map<string, { labels: Readonly<Record<string, string>>; value: number }>();
  readonly starts = new Carry();
  readonly pullCount = new Carry();
  readonly sizes = new Splitter(SIZE_CLASSES.length - 1);

  constructor(
    readonly node: Node,
    readonly labels: Record<string, string>,
  ) {
    this.podStart = new HistogramSeries('kubelet_pod_start_sli_duration_seconds', labels, POD_STARTUP_BUCKETS);
    this.pulls = SIZE_CLASSES.map((c) => new HistogramSeries('kubelet_image_pull_duration_seconds', { ...labels, image_size_in_bytes: c.label }, IMAGE_PULL_BUCKETS));
  }

  /**
   * The eviction counter of a signal. The kubelet creates it on the first eviction, and then
   * increase() cannot count that one; here the counters appear at 0 as soon as evictions are
   * configured, so the eviction SLI sees the configured rate from the first eviction on.
   */
  counter(signal: string): { labels: Readonly<Record<string, string>>; value: number } {
    let c = this.evictions.get(signal);
    if (!c) this.evictions.set(signal, (c = { labels: { ...this.labels, eviction_signal: signal }, value: 0 }));
    return c;
  }
}

/**
 * The kubelets of one cluster (`job="kubelet"`, one instance per node): pod startup SLI and image
 * pull histograms, and node-pressure evictions (`kubelet_evictions{eviction_signal}`), which carry
 * half of the configured eviction rate.
 */
export function kubelet(seed: number, cluster: Cluster): Exporter {
  const rng = streamFor(seed, `kubelet/${cluster.name}`);
  const nodes = cluster.nodes.map(
    (node) => new NodeKubelet(node, { cluster: cluster.name, job: 'kubelet', instance: `${node.ip}:10250`, node: node.name }),
  );
  // One carry per SLI and cluster, so the slow shares are exact for the cluster (see SlowShare).
  const slowStarts = new Carry();
  const slowPulls = new Carry();
  const slowLargePulls = new Carry();
  const evictionCarry = new Carry();
  const signals = new Splitter(SIGNALS.length - 1);
  const perNode = (perSecond: number) => perSecond / nodes.length;
  return {
    step(seconds: number, f: FaultSet) {
      for (const k of nodes) {
        const starts = eventsIn(k.starts, rng, perNode(POD_STARTS_PER_SECOND), seconds);
        k.podStart.histogram.observeBatch(rng, starts, POD_START, { threshold: POD_STARTUP_THRESHOLD, share: f.podStartSlow, carry: slowStarts });
        const pulls = eventsIn(k.pullCount, rng, perNode(IMAGE_PULLS_PER_SECOND), seconds);
        const perClass = k.sizes.split(pulls, SIZE_CLASSES.slice(0, -1).map((c) => c.share));
        SIZE_CLASSES.forEach((c, i) => {
          const slow = c.fixedSlowShare === undefined ? { share: f.imagePullSlow, carry: slowPulls } : { share: c.fixedSlowShare, carry: slowLargePulls };
          k.pulls[i]!.histogram.observeBatch(rng, perClass[i]!, c.latency, { threshold: IMAGE_PULL_THRESHOLD, ...slow });
        });
      }
      // The cluster's rate is kept exact; each eviction lands on a random node.
      const rate = evictionsPerSecondPerSource(cluster.pods.length, f);
      if (rate > 0) for (const k of nodes) for (const [signal] of SIGNALS) k.counter(signal);
      const n = evictionCarry.take(rate * seconds);
      for (let i = 0; i < n; i++) {
        const k = nodes[Math.floor(rng() * nodes.length)]!;
        const bySignal = signals.split(1, SIGNALS.slice(0, -1).map(([, s]) => s));
        const signal = SIGNALS[bySignal.indexOf(1)]![0];
        k.counter(signal).value++;
      }
    },
    collect(out: Sample[]) {
      for (const k of nodes) {
        k.podStart.collect(out);
        for (const p of k.pulls) p.collect(out);
        // No kubelet_evictions series before evictions are configured (see NodeKubelet.counter).
        for (const { labels, value } of k.evictions.values()) out.push({ name: 'kubelet_evictions', labels, value });
      }
    },
  };
}
