import type { CatalogEntry } from './entry.js';
import { controlPlaneAvailability } from './control-plane-availability.js';
import { costPerRequest } from './cost-per-request.js';
import { deploymentSuccess } from './deployment-success.js';
import { imagePullTime } from './image-pull-time.js';
import { podEvictionRate } from './pod-eviction-rate.js';
import { podStartupLatency } from './pod-startup-latency.js';
import { schedulerLatency } from './scheduler-latency.js';

export type { CatalogEntry } from './entry.js';
export { Params, type ParamReporter } from './params.js';

export const CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(
  [controlPlaneAvailability, podStartupLatency, podEvictionRate, costPerRequest, deploymentSuccess, schedulerLatency, imagePullTime].map(
    (e) => [e.name, e],
  ),
);
