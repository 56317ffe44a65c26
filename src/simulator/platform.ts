import { apiserver } from './apiserver.js';
import { checkFaults, type FaultSet, type Faults } from './faults.js';
import { buildCluster } from './inventory.js';
import { kubeStateMetrics } from './kube-state-metrics.js';
import { kubelet } from './kubelet.js';
import { opencost } from './opencost.js';
import { otelHttp } from './otel-http.js';
import { scheduler } from './scheduler.js';
import type { Exporter, Sample } from './types.js';

/**
 * Simulated time moves in whole steps of this size, whatever times advance() is given, so a
 * history comes out the same however often it is sampled. 15 s is a common scrape interval.
 */
export const STEP_MS = 15_000;

export const DEFAULT_CLUSTERS = ['eu-1', 'us-1'];

export interface PlatformOptions {
  /** Same seed, same history. Default 1. */
  seed?: number;
  /** Cluster names, each becoming the `cluster` label of its series. Default `["eu-1", "us-1"]`. */
  clusters?: string[];
  /** Simulated time of the first sample, in ms since the epoch. */
  startMs: number;
  faults?: Faults;
}

export interface Platform {
  /** Simulated time of the current state: startMs plus a whole number of steps. */
  readonly nowMs: number;
  /** Faults from the next step on; the knobs not given go back to healthy. */
  setFaults(faults: Faults): void;
  /** Runs every whole step that ends at or before `toMs`. Going back in time is an error. */
  advance(toMs: number): void;
  /** Every series of every cluster as of nowMs. Counters are cumulative since startMs. */
  samples(): Sample[];
}

export function createPlatform(opts: PlatformOptions): Platform {
  if (!Number.isFinite(opts.startMs)) throw new Error(`createPlatform: startMs must be a time in ms since the epoch (got ${opts.startMs})`);
  const seed = opts.seed ?? 1;
  const names = opts.clusters ?? DEFAULT_CLUSTERS;
  if (names.length === 0 || new Set(names).size !== names.length || names.some((n) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n))) {
    throw new Error(`createPlatform: clusters must be distinct DNS-style names such as "eu-1" (got ${JSON.stringify(names)})`);
  }
  const exporters: Exporter[] = names.flatMap((name, i) => {
    const cluster = buildCluster(seed, name, i);
    return [apiserver, kubelet, scheduler, kubeStateMetrics, opencost, otelHttp].map((make) => make(seed, cluster));
  });
  let faults: FaultSet = checkFaults(opts.faults);
  let steps = 0;
  // A zero-length step puts the gauges that follow faults (stuck rollouts, prices) in place.
  for (const e of exporters) e.step(0, faults);
  return {
    get nowMs() {
      return opts.startMs + steps * STEP_MS;
    },
    setFaults(f) {
      faults = checkFaults(f);
    },
    advance(toMs) {
      if (toMs < this.nowMs) {
        throw new Error(`platform.advance: cannot go back from ${new Date(this.nowMs).toISOString()} to ${new Date(toMs).toISOString()}; counters only move forward`);
      }
      while (opts.startMs + (steps + 1) * STEP_MS <= toMs) {
        for (const e of exporters) e.step(STEP_MS / 1000, faults);
        steps++;
      }
    },
    samples() {
      const out: Sample[] = [];
      for (const e of exporters) e.collect(out);
      return out;
    },
  };
}
