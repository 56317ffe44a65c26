import type { Slo } from '../model/slo.js';
import { prometheusRuleManifest, ruleFile } from './rule-file.js';
import type { RenderOptions } from './types.js';
import { unitTestFile } from './unit-tests.js';

export { DEFAULT_RENDER_OPTIONS, type RenderOptions } from './types.js';
export { ruleFile, prometheusRuleManifest } from './rule-file.js';
export { unitTestFile } from './unit-tests.js';

export interface RuleOutputOptions extends RenderOptions {
  prometheusRule: boolean;
  version: string;
}

export function ruleFileName(slo: Slo): string {
  return `${slo.id}.rules.yaml`;
}

/** Every file `alert-rules/` should hold for these SLOs, by name; pure and deterministic. */
export function ruleOutputs(slos: readonly Slo[], opts: RuleOutputOptions): Map<string, string> {
  const out = new Map<string, string>();
  for (const slo of [...slos].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    out.set(ruleFileName(slo), ruleFile(slo, opts, opts.version));
    out.set(`${slo.id}.test.yaml`, unitTestFile(slo, ruleFileName(slo), opts));
    if (opts.prometheusRule) out.set(`${slo.id}.prometheusrule.yaml`, prometheusRuleManifest(slo, opts, opts.version));
  }
  return out;
}
