import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { dashboardOutputs } from '../dashboards/index.js';
import type { Slo } from '../model/slo.js';
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
 * The worker's share of the rule files: dashboards take it about half as long as all rule files,
 * and this thread also loads the specs first and starts the writes, so 15% evens the two threads
 * out (measured on 1,000 SLOs against 10% and 25%).
 */
const WORKER_RULE_SHARE = 0.15;

/** Called with files as soon as they are rendered, so that they can be written meanwhile. */
export type OnRendered = (kind: keyof RenderedOutputs, files: ReadonlyMap<string, string>) => void;

export interface Renderer {
  render(input: RenderInput, onRendered?: OnRendered): Promise<RenderedOutputs>;
  /** Ends the worker without rendering (the specs had errors). */
  cancel(): void;
}

const here: Renderer = {
  render(input, onRendered) {
    const out = renderHere(input);
    onRendered?.('rules', out.rules);
    onRendered?.('dashboards', out.dashboards);
    return Promise.resolve(out);
  },
  cancel: () => {},
};

/** SLOs per slice of this thread's rule files: each slice goes to the writer before the next is rendered. */
const SLICE = 25;

/**
 * This thread's rule files, in slices handed out as they are done. Between slices the event loop
 * runs, so that finished writes start the next ones while rendering goes on.
 */
async function renderRulesInSlices(slos: readonly Slo[], opts: RenderInput['rules'], onRendered?: OnRendered): Promise<Map<string, string>> {
  if (!onRendered) return ruleOutputs(slos, opts);
  const out = new Map<string, string>();
  for (let i = 0; i < slos.length; i += SLICE) {
    const part = ruleOutputs(slos.slice(i, i + SLICE), opts);
    for (const [name, content] of part) out.set(name, content);
    onRendered('rules', part);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

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
    async render(input, onRendered) {
      const [mine, theirs] = splitForRules(input.slos, WORKER_RULE_SHARE);
      worker.ref();
      worker.postMessage({ slos: [...input.slos], ruleSlos: theirs, rules: input.rules, dashboards: input.dashboards } satisfies RenderRequest);
      let rules: Map<string, string>;
      let r: RenderReply | undefined;
      try {
        rules = await renderRulesInSlices(mine, input.rules, onRendered);
        r = await reply;
      } finally {
        void worker.terminate();
      }
      // A worker that failed (it could not start, or threw) costs only the time: its part is rendered here.
      const ok = r && 'rules' in r ? r : undefined;
      if (!ok && process.env.SLO_CLI_DEBUG) console.error(`slo: the render worker failed, rendering its part here: ${r && 'error' in r ? r.error : 'it exited'}`);
      const theirRules = ok?.rules ?? ruleOutputs(theirs, input.rules);
      const dashboards = ok?.dashboards ?? dashboardOutputs(input.slos, input.dashboards);
      onRendered?.('rules', theirRules);
      onRendered?.('dashboards', dashboards);
      for (const [name, content] of theirRules) rules.set(name, content);
      return { rules, dashboards };
    },
    cancel: () => void worker.terminate(),
  };
}
