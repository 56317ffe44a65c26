import { GENERATED_HEADER } from '../model/constants.js';
import { OVERVIEW_DASHBOARDS, serviceDashboardUid } from '../model/dashboard-ids.js';
import type { Slo } from '../model/slo.js';
import { debugDashboard } from './debug-dashboard.js';
import { executiveDashboard } from './executive-dashboard.js';
import { stableJson } from './json.js';
import { oncallDashboard } from './oncall-dashboard.js';
import { PROVISIONING_FILE, provisioningFile } from './provisioning.js';
import { serviceDashboard } from './service-dashboard.js';

export { PROVISIONING_FILE } from './provisioning.js';

export interface DashboardOutputOptions {
  /** Where Grafana sees the dashboards folder, written into the provisioning file. */
  grafanaPath: string;
}

export const DEFAULT_GRAFANA_DASHBOARDS_PATH = '/var/lib/grafana/dashboards/slo-engine';

export function serviceDashboardFile(service: string): string {
  return `${serviceDashboardUid(service)}.json`;
}

/** Every file `dashboards/` should hold for these SLOs, by name; pure and deterministic. */
export function dashboardOutputs(slos: readonly Slo[], opts: DashboardOutputOptions): Map<string, string> {
  const out = new Map<string, string>();
  if (!slos.length) return out;
  const byService = new Map<string, Slo[]>();
  for (const slo of slos) byService.set(slo.service, [...(byService.get(slo.service) ?? []), slo]);
  for (const service of [...byService.keys()].sort()) {
    out.set(serviceDashboardFile(service), stableJson(serviceDashboard(service, byService.get(service)!)));
  }
  out.set(OVERVIEW_DASHBOARDS.executive.file, stableJson(executiveDashboard(slos)));
  out.set(OVERVIEW_DASHBOARDS.oncall.file, stableJson(oncallDashboard(slos)));
  out.set(OVERVIEW_DASHBOARDS.debug.file, stableJson(debugDashboard(slos)));
  out.set(PROVISIONING_FILE, provisioningFile(GENERATED_HEADER, opts.grafanaPath));
  return out;
}
