import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Simple events SLOs: 100 per metric name, each selecting its own `route`. */
export const SLOS_PER_METRIC = 100;

export function metricOf(i: number): string {
  return `bench_svc${Math.floor(i / SLOS_PER_METRIC)}_requests_total`;
}

export function routeOf(i: number): string {
  return `r${i % SLOS_PER_METRIC}`;
}

/** Writes `count` native SLO specs into `dir`, 1,000 per file (the loader caps a file at 4 MiB). */
export function writeSloSpecs(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  for (let file = 0; file * 1000 < count; file++) {
    const docs: string[] = [];
    for (let i = file * 1000; i < Math.min(count, (file + 1) * 1000); i++) {
      docs.push(`apiVersion: slo.caas.dev/v1
kind: SLO
metadata:
  name: requests-${routeOf(i)}
spec:
  service: bench-svc${Math.floor(i / SLOS_PER_METRIC)}
  objective: 99.9
  window: 30d
  sli:
    events:
      bad: ${metricOf(i)}{route="${routeOf(i)}",code=~"5.."}
      total: ${metricOf(i)}{route="${routeOf(i)}"}
`);
    }
    writeFileSync(join(dir, `slos-${String(file).padStart(3, '0')}.yaml`), docs.join('---\n'));
  }
}
