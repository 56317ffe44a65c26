import type { Slo } from '../model/slo.js';
import type { DocContext } from './context.js';

type Raw = Record<string, any>;

/** An slo-generator v2 SLO config. */
export function isSloGenerator(v: unknown): boolean {
  return (v as Raw | null)?.apiVersion === 'sre.google.com/v2';
}

/** slo-generator's shared config (backends, exporters, error_budget_policies). */
export function isSloGeneratorConfig(v: unknown): boolean {
  const o = v as Raw | null;
  return typeof o === 'object' && o !== null && !('apiVersion' in o) && ('error_budget_policies' in o || 'backends' in o);
}

/** SLO configs with the shared configs found beside them (their error-budget-policy steps become tiers). */
export function readSloGenerator(slos: DocContext[], configs: DocContext[]): Slo[] {
  void configs;
  for (const ctx of slos) ctx.error(['apiVersion'], 'slo-generator is not read yet');
  return [];
}
