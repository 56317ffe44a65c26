import { formatNumber } from '../model/numbers.js';
import type { Matcher } from '../model/slo.js';
import type { CatalogEntry } from './entry.js';
import type { Params } from './params.js';
import { optionalJob, sel } from './selectors.js';

interface LatencySpec {
  name: string;
  summary: string;
  metric: string;
  buckets: readonly number[];
  defaultThreshold: number;
  what: string;
  extraParams?: Record<string, string>;
  extraMatchers?: (p: Params) => Matcher[];
}

/** Catalog entries that are a kubelet or scheduler histogram under a threshold share one shape. */
export function latencyEntry(spec: LatencySpec): CatalogEntry {
  return {
    name: spec.name,
    summary: spec.summary,
    params: { threshold: `${formatNumber(spec.defaultThreshold)} (seconds; a bucket bound)`, job: '(any)', groupBy: '[]', ...spec.extraParams },
    build(p) {
      const threshold = p.bucketBound('threshold', spec.defaultThreshold, spec.buckets);
      const job = optionalJob(p.string('job'));
      const extra = spec.extraMatchers?.(p) ?? [];
      const groupBy = p.stringList('groupBy', []);
      p.finish(Object.keys(this.params));
      return {
        description: `Share of ${spec.what} at or under ${formatNumber(threshold)}s.`,
        sli: { kind: 'latency', histogram: sel(spec.metric, job, ...extra), threshold, native: false, groupBy },
      };
    },
  };
}
