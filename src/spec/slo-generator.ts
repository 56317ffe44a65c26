import { budgetFromPercent, formatNumber, tidy } from '../model/numbers.js';
import type { Slo, Sli } from '../model/slo.js';
import { checkWindows } from './check-windows.js';
import type { DocContext } from './context.js';
import { checkSchema, closest } from './schema-check.js';
import { cloudMonitoringSli } from './slo-generator/cloud-monitoring-sli.js';
import { stepPolicy } from './slo-generator/policy.js';
import { prometheusSli } from './slo-generator/prometheus-sli.js';
import { SLI_FIELDS, SLO_CONFIG_SCHEMA, SPEC_FIELDS } from './slo-generator/schema.js';
import { readSharedConfigs, type SharedConfigs } from './slo-generator/shared-config.js';
import type { Path } from './yaml-source.js';

type Raw = Record<string, any>;

const NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** slo-generator's conventional labels; they make the SLO's identity, not series labels. */
const IDENTITY_LABELS = ['service_name', 'feature_name', 'slo_name'];
const DEFAULT_POLICY = 'default';

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
  const shared = readSharedConfigs(configs);
  return slos.map((ctx) => readOne(ctx, shared)).filter((s): s is Slo => s !== undefined);
}

function readOne(ctx: DocContext, shared: SharedConfigs): Slo | undefined {
  const doc = ctx.doc.value as Raw;
  if (!checkSchema(ctx, SLO_CONFIG_SCHEMA, doc)) return undefined;
  const before = ctx.problems.length;
  const failed = () => ctx.problems.slice(before).some((p) => p.severity === 'error' && p.file === ctx.file);
  const spec = doc.spec as Raw;
  warnUnknown(ctx, ['spec'], spec, SPEC_FIELDS);
  warnUnknown(ctx, ['spec', 'service_level_indicator'], spec.service_level_indicator, SLI_FIELDS[spec.method] ?? []);
  const id = identity(ctx, doc.metadata as Raw);
  const percent = tidy(spec.goal * 100);
  const errorBudget = budgetFromPercent(percent);
  const sli = readSli(ctx, spec, shared);
  const policy = policyOf(ctx, spec, shared);
  const steps = policy && sli ? stepPolicy(ctx, policy, errorBudget, sli.kind !== 'rawErrorRatio') : undefined;
  if (!id || !sli || !steps || failed()) return undefined;
  const slo: Slo = {
    id: `${id.service}-${id.name}`,
    service: id.service,
    name: id.name,
    description: (spec.description as string | undefined)?.trim() ?? '',
    labels: id.labels,
    objective: Number((percent / 100).toPrecision(12)),
    objectivePercent: formatNumber(percent),
    errorBudget,
    window: steps.window,
    sli,
    alerting: steps.policy,
    convention: 'native',
    source: { file: ctx.file, line: ctx.line([]), format: 'slo-generator', k8sName: doc.metadata.name },
  };
  checkWindows(ctx, ['spec'], slo);
  return failed() ? undefined : slo;
}

/**
 * Service and name come from slo-generator's conventional labels: `service_name`, then
 * `feature_name-slo_name` (so `metadata.name` is usually the id). Without `service_name`, the
 * part of `metadata.name` before the first `-` is the service. The other labels go to every series.
 */
function identity(ctx: DocContext, metadata: Raw): { service: string; name: string; labels: Record<string, string> } | undefined {
  const raw = (metadata.labels ?? {}) as Record<string, unknown>;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (String(v) === '') ctx.error(['metadata', 'labels', k], 'a label value must not be empty', 'give it a value or remove the label');
    if (!IDENTITY_LABELS.includes(k)) labels[k] = String(v);
  }
  const full = String(metadata.name);
  let service = raw.service_name !== undefined ? String(raw.service_name) : undefined;
  let name = [raw.feature_name, raw.slo_name].filter((v) => v !== undefined && v !== '').join('-');
  let at: Path = ['metadata', 'labels', 'service_name'];
  if (service === undefined) {
    const cut = full.indexOf('-');
    if (cut <= 0 || cut === full.length - 1) {
      ctx.error(['metadata', 'labels'], `no service_name label, and metadata.name ${JSON.stringify(full)} has no "<service>-<name>" form to take it from`,
        'add labels service_name, feature_name and slo_name, as slo-generator\'s samples do');
      return undefined;
    }
    service = full.slice(0, cut);
    at = ['metadata', 'name'];
  }
  if (!name) {
    name = full.startsWith(`${service}-`) ? full.slice(service.length + 1) : full;
    at = ['metadata', 'name'];
  }
  for (const [what, value] of [['service', service], ['name', name]] as const) {
    if (!NAME_RE.test(value)) {
      ctx.error(at, `the SLO's ${what} would be ${JSON.stringify(value)}, which is not a valid name`,
        'use letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
      return undefined;
    }
  }
  return { service, name, labels };
}

function readSli(ctx: DocContext, spec: Raw, shared: SharedConfigs): Sli | undefined {
  const backend = String(spec.backend);
  if (shared.backends && !shared.backends.has(backend)) {
    ctx.error(['spec', 'backend'], `backend ${JSON.stringify(backend)} is not in the backends of the shared config (${shared.files.join(', ')})`,
      `add backends.${backend} there, or use one of: ${[...shared.backends].join(', ')}`);
    return undefined;
  }
  const type = backend.split('/')[0]!;
  const at = ['spec', 'service_level_indicator'];
  const sli = spec.service_level_indicator as Raw;
  if (type === 'prometheus') return prometheusSli(ctx, at, spec.method, sli);
  if (type === 'cloud_monitoring') return cloudMonitoringSli(ctx, at, spec.method, sli, ['spec', 'backend']);
  ctx.error(['spec', 'backend'], `backend ${type} cannot be read: the generated rules run on Prometheus series`,
    'backends prometheus and cloud_monitoring (through stackdriver_exporter) are read; write this SLO for one of them, or in the native format');
  return undefined;
}

function policyOf(ctx: DocContext, spec: Raw, shared: SharedConfigs) {
  const name = (spec.error_budget_policy as string | undefined) ?? DEFAULT_POLICY;
  const at = ['spec', 'error_budget_policy'];
  if (shared.files.length === 0) {
    ctx.error(at, `no slo-generator shared config was loaded, so error budget policy ${JSON.stringify(name)} is unknown`,
      `load the shared config (the file with error_budget_policies, e.g. config.yaml) with the SLO configs: put it in the same folder, or name both files: slo validate ${ctx.file} config.yaml`);
    return undefined;
  }
  const policy = shared.policies.get(name);
  if (!policy) {
    const known = [...shared.policies.keys()];
    ctx.error(at, `error budget policy ${JSON.stringify(name)} is not in the shared config (${shared.files.join(', ')})`,
      `add error_budget_policies.${name} with its steps there${known.length ? `, or use one of: ${known.join(', ')}` : ''}`);
  }
  return policy;
}

function warnUnknown(ctx: DocContext, at: Path, obj: Raw, known: readonly string[]): void {
  for (const key of Object.keys(obj ?? {})) {
    if (known.includes(key)) continue;
    const guess = closest(key, known);
    ctx.warn([...at, key], `unknown field ${JSON.stringify(key)}: slo-generator ignores it, and so does slo`,
      guess ? `did you mean ${JSON.stringify(guess)}?` : `known here: ${known.join(', ')}`);
  }
}
