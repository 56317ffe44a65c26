/**
 * What goes wrong on the simulated platform. Every knob defaults to 0 (healthy) and is the share
 * of bad events or slices of the SLI it drives, so a test can set a burn rate by arithmetic:
 * burn = share / error budget.
 */
export interface Faults {
  /** Share of apiserver requests (LIST/GET/POST/PUT/PATCH/DELETE) answering 5xx (500 or 503); eviction API calls always succeed, so the eviction rate stays as set. */
  apiserverErrors?: number;
  /** Share of apiserver requests slower than their SLO threshold (writes and resource reads 1 s, namespace reads 5 s, cluster reads 30 s). */
  apiserverSlow?: number;
  /** Share of pod startups slower than 5 s. */
  podStartSlow?: number;
  /** Share of pods scheduled slower than 1.28 s. */
  schedulerSlow?: number;
  /** Share of image pulls under 500 MB slower than 60 s (larger images are slow anyway and not held to it). */
  imagePullSlow?: number;
  /** Evictions per 1000 pods per hour, half by the kubelet (node pressure), half through the eviction API. */
  evictionsPer1000PodsPerHour?: number;
  /** Share of tenant deployments (shop-*, team-*) stuck with Progressing=False, rounded to whole deployments per cluster. */
  stuckDeployments?: number;
  /** Multiplier on node prices, hence on every namespace's cost per request (1 = normal, about $0.000015 per shop request). */
  costPerRequestFactor?: number;
}

export type FaultSet = Required<Faults>;

export const HEALTHY: FaultSet = {
  apiserverErrors: 0,
  apiserverSlow: 0,
  podStartSlow: 0,
  schedulerSlow: 0,
  imagePullSlow: 0,
  evictionsPer1000PodsPerHour: 0,
  stuckDeployments: 0,
  costPerRequestFactor: 1,
};

const SHARES = ['apiserverErrors', 'apiserverSlow', 'podStartSlow', 'schedulerSlow', 'imagePullSlow', 'stuckDeployments'] as const;

/** Fills in defaults and rejects values that would make no sense, naming the knob and the fix. */
export function checkFaults(faults: Faults = {}): FaultSet {
  const known = new Set(Object.keys(HEALTHY));
  for (const key of Object.keys(faults)) {
    if (!known.has(key)) throw new Error(`simulator faults: unknown fault ${JSON.stringify(key)}; use one of ${[...known].join(', ')}`);
  }
  const f: FaultSet = { ...HEALTHY, ...stripUndefined(faults) };
  for (const key of SHARES) {
    const v = f[key];
    if (!(v >= 0 && v <= 1)) throw new Error(`simulator faults: ${key} is a share of events and must be between 0 and 1 (got ${v}); e.g. 0.05 for 5%`);
  }
  if (!(f.evictionsPer1000PodsPerHour >= 0 && Number.isFinite(f.evictionsPer1000PodsPerHour))) {
    throw new Error(`simulator faults: evictionsPer1000PodsPerHour must be a finite number >= 0 (got ${f.evictionsPer1000PodsPerHour})`);
  }
  if (!(f.costPerRequestFactor > 0 && Number.isFinite(f.costPerRequestFactor))) {
    throw new Error(`simulator faults: costPerRequestFactor must be a finite number > 0 (got ${f.costPerRequestFactor}); 1 is normal`);
  }
  return f;
}

function stripUndefined(f: Faults): Faults {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
}

/**
 * Evictions per second in a cluster of `pods` pods for one of the two sources: half of the
 * configured rate is node-pressure evictions by the kubelet, half goes through the eviction API.
 */
export function evictionsPerSecondPerSource(pods: number, f: FaultSet): number {
  return (f.evictionsPer1000PodsPerHour * pods) / 1000 / 3600 / 2;
}
