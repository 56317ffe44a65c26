import { parseDuration, type Millis } from '../model/duration.js';
import { budgetFromPercent, formatNumber } from '../model/numbers.js';
import type { TierTemplate } from '../model/policy.js';
import type { Slo, Sli, SpecFormat } from '../model/slo.js';
import { buildPolicy } from './alert-policy.js';
import { checkWindows } from './check-windows.js';
import type { DocContext } from './context.js';
import { checkSchema } from './schema-check.js';
import { promqlField } from './sli-fields.js';
import { SLOTH_ALERT_WINDOWS_SCHEMA, SLOTH_K8S_SCHEMA, SLOTH_PROMETHEUS_V1_SCHEMA } from './sloth-schema.js';

type Raw = Record<string, any>;

export function isSlothPlain(v: unknown): boolean {
  return (v as Raw | null)?.version === 'prometheus/v1';
}
export function isSlothK8s(v: unknown): boolean {
  return (v as Raw | null)?.apiVersion === 'sloth.slok.dev/v1' && (v as Raw).kind === 'PrometheusServiceLevel';
}
export function isSlothAlertWindows(v: unknown): boolean {
  return (v as Raw | null)?.apiVersion === 'sloth.slok.dev/v1' && (v as Raw).kind === 'AlertWindows';
}

/** A Sloth AlertWindows catalog: tier templates for one SLO period. */
export function readAlertWindows(ctx: DocContext): { period: Millis; templates: TierTemplate[] } | undefined {
  const doc = ctx.doc.value as Raw;
  if (!checkSchema(ctx, SLOTH_ALERT_WINDOWS_SCHEMA, doc)) return undefined;
  const period = parseDuration(doc.spec.sloPeriod);
  if (period === undefined) ctx.error(['spec', 'sloPeriod'], `${JSON.stringify(doc.spec.sloPeriod)} is not a duration`);
  const templates: TierTemplate[] = [];
  for (const sev of ['page', 'ticket'] as const) {
    for (const speed of ['quick', 'slow'] as const) {
      const w = doc.spec[sev][speed];
      const at = ['spec', sev, speed];
      const long = parseDuration(w.longWindow);
      const short = parseDuration(w.shortWindow);
      if (long === undefined) ctx.error([...at, 'longWindow'], `${JSON.stringify(w.longWindow)} is not a duration`);
      if (short === undefined) ctx.error([...at, 'shortWindow'], `${JSON.stringify(w.shortWindow)} is not a duration`);
      templates.push({
        name: `${sev}-${speed === 'quick' ? 'fast' : 'slow'}`,
        severity: sev,
        longWindow: long ?? 0,
        shortWindow: short ?? 0,
        budgetShare: w.errorBudgetPercent / 100,
      });
    }
  }
  return ctx.failed || period === undefined ? undefined : { period, templates };
}

export interface SlothOptions {
  /** Sloth specs carry no period; Sloth's --default-slo-period. */
  period: Millis;
  /** AlertWindows catalogs found among the inputs, by period. */
  windows: ReadonlyMap<Millis, TierTemplate[]>;
}

/** A Sloth document (plain or CRD) to SLOs; both spellings map onto the same fields. */
export function readSloth(ctx: DocContext, options: SlothOptions): Slo[] {
  const doc = ctx.doc.value as Raw;
  const k8s = isSlothK8s(doc);
  if (!checkSchema(ctx, k8s ? SLOTH_K8S_SCHEMA : SLOTH_PROMETHEUS_V1_SCHEMA, doc)) return [];
  const root = k8s ? ['spec'] : [];
  const spec = k8s ? doc.spec : doc;
  const key = (snake: string, camel: string) => (k8s ? camel : snake);
  const service: string = spec.service;
  const serviceLabels: Record<string, string> = spec.labels ?? {};
  const format: SpecFormat = k8s ? 'sloth-k8s' : 'sloth';
  const pluginsKey = key('slo_plugins', 'sloPlugins');
  if (spec[pluginsKey]) {
    ctx.error([...root, pluginsKey], 'Sloth SLO plugins are not supported', 'remove the plugin chain; the generated rules already include SLI, metadata and alert rules');
  }
  const templates = options.windows.get(options.period);
  const out: Slo[] = [];
  (spec.slos as Raw[]).forEach((s, i) => {
    const at = [...root, 'slos', i];
    const before = ctx.problems.length;
    if (s.plugins) ctx.error([...at, 'plugins'], 'Sloth SLO plugins are not supported', 'remove the plugin chain');
    const sli = slothSli(ctx, [...at, 'sli'], s.sli, k8s);
    const alerting: Raw = s.alerting ?? {};
    const page = alerting[key('page_alert', 'pageAlert')] ?? {};
    const ticket = alerting[key('ticket_alert', 'ticketAlert')] ?? {};
    const alertsOff = page.disable === true && ticket.disable === true;
    if (!alertsOff && !alerting.name) {
      ctx.error([...at, 'alerting', 'name'], 'the alert name is required unless both page and ticket alerts are disabled', 'add alerting.name, e.g. MyServiceHighErrorRate');
    }
    const errorBudget = budgetFromPercent(s.objective);
    const policy = buildPolicy(
      ctx,
      [...at, 'alerting'],
      {
        name: alerting.name ?? 'SlothAlert',
        disabled: alertsOff,
        labels: alerting.labels,
        annotations: alerting.annotations,
        page: { disabled: page.disable, labels: page.labels, annotations: page.annotations },
        ticket: { disabled: ticket.disable, labels: ticket.labels, annotations: ticket.annotations },
        templates,
      },
      options.period,
      errorBudget,
    );
    if (!sli || ctx.problems.slice(before).some((p) => p.severity === 'error')) return;
    const slo: Slo = {
      id: `${service}-${s.name}`,
      service,
      name: s.name,
      description: s.description ?? '',
      labels: { ...serviceLabels, ...(s.labels ?? {}) },
      objective: Number((s.objective / 100).toPrecision(12)),
      objectivePercent: formatNumber(s.objective),
      errorBudget,
      window: options.period,
      sli,
      alerting: policy,
      convention: 'sloth',
      source: { file: ctx.file, line: ctx.line(at), format, k8sName: k8s ? doc.metadata.name : undefined, k8sNamespace: k8s ? doc.metadata.namespace : undefined },
    };
    checkWindows(ctx, at, slo);
    if (!ctx.problems.slice(before).some((p) => p.severity === 'error')) out.push(slo);
  });
  return out;
}

function slothSli(ctx: DocContext, at: Array<string | number>, sli: Raw, k8s: boolean): Sli | undefined {
  const key = (snake: string, camel: string) => (k8s ? camel : snake);
  if (sli.plugin) {
    ctx.error([...at, 'plugin'], `Sloth SLI plugins are not supported (plugin ${JSON.stringify(sli.plugin.id ?? '?')})`,
      'write the query the plugin produces as sli.raw.error_ratio_query, or as sli.events');
    return undefined;
  }
  if (sli.events) {
    const e = sli.events;
    const ek = key('error_query', 'errorQuery');
    const tk = key('total_query', 'totalQuery');
    if (typeof e[ek] === 'string' && e[ek].trim() === String(e[tk]).trim()) {
      ctx.error([...at, 'events'], 'the error and total queries are the same', 'the error query must select only the failed events');
      return undefined;
    }
    const bad = promqlField(ctx, [...at, 'events', ek], e[ek], true);
    const total = promqlField(ctx, [...at, 'events', tk], e[tk], true);
    return bad && total ? { kind: 'events', bad, total, groupBy: [] } : undefined;
  }
  const rk = key('error_ratio_query', 'errorRatioQuery');
  const errorRatio = promqlField(ctx, [...at, 'raw', rk], sli.raw?.[rk], true);
  return errorRatio && { kind: 'rawErrorRatio', errorRatio };
}

