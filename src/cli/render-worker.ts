import { parentPort } from 'node:worker_threads';
import { dashboardOutputs, type DashboardOutputOptions } from '../dashboards/index.js';
import type { Slo } from '../model/slo.js';
import { ruleOutputs, type RuleOutputOptions } from '../rules/index.js';

/*
 * The worker side of src/cli/parallel-render.ts: the dashboards of all SLOs and the rule files
 * of its share of them, while the main thread renders the other rule files. Loaded only from
 * the CLI bundle (a worker thread does not load TypeScript).
 */
export interface RenderRequest {
  slos: Slo[];
  /** The SLOs whose rule files this worker renders (the same objects as in `slos`). */
  ruleSlos: Slo[];
  rules: RuleOutputOptions;
  dashboards: DashboardOutputOptions;
}

export type RenderReply = { rules: Map<string, string>; dashboards: Map<string, string> } | { error: string };

parentPort?.once('message', (req: RenderRequest) => {
  let reply: RenderReply;
  try {
    reply = { dashboards: dashboardOutputs(req.slos, req.dashboards), rules: ruleOutputs(req.ruleSlos, req.rules) };
  } catch (e) {
    reply = { error: String((e as Error)?.stack ?? e) };
  }
  parentPort!.postMessage(reply);
});
