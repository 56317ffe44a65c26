import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { dashboardOutputs } from '../dashboards/index.js';
import { ruleOutputs } from '../rules/index.js';
import { renderHere, splitForRules, type RenderedOutputs, type RenderInput } from './render-outputs.js';
import type { RenderReply, RenderRequest } from './render-worker.js';

/*
 * `slo generate` renders rules and dashboards from the same SLOs, and no SLO's files depend on
 * another's, so on a second core a worker thread renders all dashboards and a share of the rule
 * files while this thread renders the rest. The worker starts before the specs are loaded, so
 * its own start-up (the dashboard code, the Grafana SDK) overlaps that too. Same functions, same
 * input (a structured clone of the plain-data SLOs), same bytes, same file order. Only from the
 * CLI bundle, whose worker entry is plain JavaScript next to this chunk (src/cli/cli-cache.mjs);
 * from the sources, and whenever the worker fails, everything is rendered here as before.
 */

/**
 * The worker's share of the rule files: dashboards take it about half as long as all rule files
 * and this thread also loads the specs first, so a quarter evens the two threads out.
 */
const WORKER_RULE_SHARE = 0.25;

export interface Renderer {
  render(input: RenderInput): Promise<RenderedOutputs>;
  /** Ends the worker without rendering (the specs had errors). */
  cancel(): void;
}

const here: Renderer = { render: (input) => Promise.resolve(renderHere(input)), cancel: () => {} };

export function startRenderer(): Renderer {
  const entry = new URL('./render-worker.mjs', import.meta.url);
  if (entry.protocol !== 'file:' || !existsSync(fileURLToPath(entry))) return here;
  let worker: Worker;
  try {
    worker = new Worker(entry);
  } catch {
    return here;
  }
  // Until asked to render, the worker must not keep the process alive: a run that fails
  // before then (a thrown error, not only bad specs) still exits.
  worker.unref();
  const reply = new Promise<RenderReply | undefined>((resolve) => {
    worker.once('message', (m: RenderReply) => resolve(m));
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
  return {
    async render(input) {
      const [mine, theirs] = splitForRules(input.slos, WORKER_RULE_SHARE);
      worker.ref();
      worker.postMessage({ slos: [...input.slos], ruleSlos: theirs, rules: input.rules, dashboards: input.dashboards } satisfies RenderRequest);
      let rules: Map<string, string>;
      let r: RenderReply | undefined;
      try {
        rules = ruleOutputs(mine, input.rules);
        r = await reply;
      } finally {
        void worker.terminate();
      }
      // A worker that failed (it could not start, or threw) costs only the time: its part is rendered here.
      const ok = r && 'rules' in r ? r : undefined;
      if (!ok && process.env.SLO_CLI_DEBUG) console.error(`slo: the render worker failed, rendering its part here: ${r && 'error' in r ? r.error : 'it exited'}`);
      for (const [name, content] of ok?.rules ?? ruleOutputs(theirs, input.rules)) rules.set(name, content);
      return { rules, dashboards: ok?.dashboards ?? dashboardOutputs(input.slos, input.dashboards) };
    },
    cancel: () => void worker.terminate(),
  };
}
