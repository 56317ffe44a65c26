import { CATALOG, Params } from '../catalog/index.js';
import { DEFAULT_ALERT_NAME, DEFAULT_SLO_WINDOW } from '../model/constants.js';
import { parseDuration } from '../model/duration.js';
import { budgetFromPercent, formatNumber } from '../model/numbers.js';
import type { CatalogRef, Slo, Sli } from '../model/slo.js';
import { buildPolicy, type PolicyInput } from './alert-policy.js';
import { calendarField } from './calendar-field.js';
import { checkWindows } from './check-windows.js';
import { NOMINAL_LENGTH } from '../model/calendar.js';
import type { DocContext } from './context.js';
import { checkSchema } from './schema-check.js';
import { nativeSli } from './sli-fields.js';
import schema from '../../schema/slo.schema.json' with { type: 'json' };

export const NATIVE_API_VERSION = 'slo.caas.dev/v1';

type Raw = Record<string, any>;

export function isNative(value: unknown): boolean {
  return (value as Raw | null)?.apiVersion === NATIVE_API_VERSION;
}

/** One native document to one SLO, or undefined with problems recorded. */
export function readNative(ctx: DocContext): Slo | undefined {
  const doc = ctx.doc.value as Raw;
  if (!checkSchema(ctx, schema, doc)) return undefined;
  const spec = doc.spec as Raw;
  const name = String(doc.metadata.name);
  const service = String(spec.service);
  const objectivePercent = spec.objective as number;
  const errorBudget = budgetFromPercent(objectivePercent);
  const calendar = spec.calendar ? calendarField(ctx, ['spec', 'calendar'], spec.calendar as Raw) : undefined;
  if (spec.calendar && spec.window) {
    ctx.error(['spec', 'window'], 'give window (rolling) or calendar, not both', 'keep window for a rolling budget, calendar for one that resets each week, month, quarter or year');
  }
  const window = calendar ? NOMINAL_LENGTH[calendar.unit] : spec.window ? parseDuration(spec.window) : DEFAULT_SLO_WINDOW;
  if (window === undefined) {
    ctx.error(['spec', 'window'], `${JSON.stringify(spec.window)} is not a duration`, 'write 7d, 28d or 30d');
    return undefined;
  }
  let sli: Sli | undefined;
  let description = (spec.description as string | undefined) ?? '';
  let catalog: CatalogRef | undefined;
  if (spec.sli.catalog) {
    const ref = spec.sli.catalog as { name: string; params?: Record<string, unknown> };
    const entry = CATALOG.get(ref.name)!;
    const at = ['spec', 'sli', 'catalog', 'params'];
    const params = new Params(ref.params ?? {}, (param, message, hint) => ctx.error([...at, param], message, hint));
    const built = entry.build(params);
    sli = built.sli;
    description ||= built.description;
    catalog = { name: ref.name, params: ref.params ?? {} };
  } else {
    sli = nativeSli(ctx, ['spec', 'sli'], spec.sli as Raw);
  }
  const alerting = (spec.alerting ?? {}) as Raw;
  const policyInput: PolicyInput = { ...alerting, name: alerting.name ?? DEFAULT_ALERT_NAME, runbookUrl: spec.runbookUrl } as PolicyInput;
  const policy = buildPolicy(ctx, ['spec', 'alerting'], policyInput, window, errorBudget);
  if (!sli || ctx.failed) return undefined;
  const slo: Slo = {
    id: `${service}-${name}`,
    service,
    name,
    description,
    labels: (doc.metadata.labels as Record<string, string> | undefined) ?? {},
    objective: Number((objectivePercent / 100).toPrecision(12)),
    objectivePercent: formatNumber(objectivePercent),
    errorBudget,
    window,
    ...(calendar ? { calendar } : {}),
    sli,
    catalog,
    alerting: policy,
    convention: 'native',
    source: { file: ctx.file, line: ctx.line([]), format: 'native', k8sName: name, k8sNamespace: doc.metadata.namespace },
  };
  checkWindows(ctx, ['spec'], slo);
  return ctx.failed ? undefined : slo;
}
