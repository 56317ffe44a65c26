import type { Millis } from '../../model/duration.js';
import type { DocContext } from '../context.js';
import { checkSchema } from '../schema-check.js';
import type { Path } from '../yaml-source.js';
import { LEGACY_STEP_FIELDS, SHARED_CONFIG_SCHEMA } from './schema.js';

type Raw = Record<string, any>;

/** One error-budget-policy step, with where each of its fields was written (v2 or v1 name). */
export interface PolicyStep {
  name: string;
  window: Millis;
  burnRateThreshold: number;
  alert: boolean;
  messageAlert?: string;
  messageOk?: string;
  ctx: DocContext;
  at: Path;
  /** Path of a field as the user spelled it. */
  field(name: keyof typeof LEGACY_STEP_FIELDS): Path;
}

export interface SharedPolicy {
  name: string;
  steps: PolicyStep[];
  ctx: DocContext;
  at: Path;
}

/** Everything SLO configs take from the shared configs of the loaded set. */
export interface SharedConfigs {
  policies: Map<string, SharedPolicy>;
  /** Backend names of every shared config; undefined when none declares `backends`. */
  backends?: Set<string>;
  files: string[];
}

/**
 * Reads every shared config at once. A policy defined in two of them is an error: which one an
 * SLO meant would depend on file order.
 */
export function readSharedConfigs(configs: readonly DocContext[]): SharedConfigs {
  const out: SharedConfigs = { policies: new Map(), files: [...new Set(configs.map((c) => c.file))] };
  for (const ctx of configs) {
    const doc = ctx.doc.value as Raw;
    if (!checkSchema(ctx, SHARED_CONFIG_SCHEMA, doc)) continue;
    if (doc.backends) {
      out.backends ??= new Set();
      for (const name of Object.keys(doc.backends)) out.backends.add(name);
    }
    for (const [name, policy] of Object.entries((doc.error_budget_policies ?? {}) as Record<string, Raw>)) {
      const at = ['error_budget_policies', name];
      const first = out.policies.get(name);
      if (first) {
        ctx.error(at, `error budget policy ${JSON.stringify(name)} is already defined at ${first.ctx.file}:${first.ctx.line(first.at)}`,
          'keep one shared config per set of SLOs, or give this policy another name');
        continue;
      }
      const steps = (policy.steps as Raw[]).map((s, i) => readStep(ctx, [...at, 'steps', i], s)).filter((s): s is PolicyStep => s !== undefined);
      const seen = new Map<string, PolicyStep>();
      for (const s of steps) {
        const dup = seen.get(s.name);
        if (dup) ctx.error(s.field('name'), `step name ${JSON.stringify(s.name)} is used twice in policy ${name}`, 'give each step its own name: it names the alert tier');
        seen.set(s.name, s);
      }
      if (steps.length === policy.steps.length) out.policies.set(name, { name, steps, ctx, at });
    }
  }
  return out;
}

function readStep(ctx: DocContext, at: Path, s: Raw): PolicyStep | undefined {
  const used = new Map<string, string>();
  const value = (field: keyof typeof LEGACY_STEP_FIELDS): unknown => {
    const legacy = LEGACY_STEP_FIELDS[field];
    if (s[field] !== undefined && s[legacy] !== undefined) {
      ctx.error([...at, legacy], `give ${field} or its older name ${legacy}, not both`, `keep ${field}`);
    }
    const key = s[field] !== undefined ? field : legacy;
    used.set(field, key);
    return s[key];
  };
  const name = value('name') as string | undefined;
  const window = value('window') as number | undefined;
  const threshold = value('burn_rate_threshold') as number | undefined;
  const alert = value('alert') as boolean | undefined;
  const missing = ([['name', name], ['window', window], ['burn_rate_threshold', threshold], ['alert', alert]] as const).filter(([, v]) => v === undefined);
  for (const [field] of missing) {
    ctx.error(at, `the step has no ${field}`, `add ${field}: ... (v1 configs call it ${LEGACY_STEP_FIELDS[field]})`);
  }
  if (missing.length) return undefined;
  return {
    name: name!,
    window: window! * 1000,
    burnRateThreshold: threshold!,
    alert: alert!,
    messageAlert: value('message_alert') as string | undefined,
    messageOk: value('message_ok') as string | undefined,
    ctx,
    at,
    field: (f) => [...at, used.get(f) ?? f],
  };
}
