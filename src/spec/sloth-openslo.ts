import { DAY } from '../model/duration.js';
import { budgetFromPercent, formatNumber } from '../model/numbers.js';
import type { Slo } from '../model/slo.js';
import { buildPolicy } from './alert-policy.js';
import { checkWindows } from './check-windows.js';
import type { DocContext } from './context.js';
import { checkSchema } from './schema-check.js';
import { eventsQuery } from './openslo/events-query.js';

type Raw = Record<string, any>;

export function isOpenSloV1alpha(v: unknown): boolean {
  return (v as Raw | null)?.apiVersion === 'openslo/v1alpha' && (v as Raw).kind === 'SLO';
}

const query = {
  type: 'object',
  required: ['query'],
  properties: { source: { enum: ['prometheus', 'sloth'] }, queryType: { const: 'promql' }, query: { type: 'string' } },
};

/** The subset of OpenSLO v1alpha that Sloth reads (slok/sloth internal/storage/io/openslo.go). */
const SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    spec: {
      type: 'object',
      required: ['service', 'objectives', 'timeWindows'],
      properties: {
        service: { type: 'string', pattern: '^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$' },
        description: { type: 'string' },
        budgetingMethod: { enum: ['Occurrences', 'Timeslices', 'RatioTimeslices'] },
        timeWindows: {
          type: 'array', minItems: 1, maxItems: 1,
          items: { type: 'object', required: ['count', 'unit'], properties: { count: { type: 'integer', minimum: 1 }, unit: { const: 'Day' } } },
        },
        objectives: {
          type: 'array', minItems: 1,
          items: {
            type: 'object', required: ['ratioMetrics', 'target'],
            properties: {
              target: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
              ratioMetrics: { type: 'object', required: ['good', 'total'], properties: { good: query, total: query } },
            },
          },
        },
      },
    },
  },
};

/**
 * Sloth turns each objective into a raw SLI `1 - good/total`; we keep good and total as events so
 * that the SLO window is weighted by events. IDs and labels follow Sloth's.
 */
export function readOpenSloV1alpha(ctx: DocContext): Slo[] {
  const doc = ctx.doc.value as Raw;
  if (!checkSchema(ctx, SCHEMA, doc)) return [];
  const spec = doc.spec;
  const window = spec.timeWindows[0].count * DAY;
  if (spec.budgetingMethod && spec.budgetingMethod !== 'Occurrences') {
    ctx.warn(['spec', 'budgetingMethod'], `${spec.budgetingMethod} is read as Occurrences (good over total events), as Sloth reads every openslo/v1alpha SLO`,
      'use apiVersion openslo/v1 for Timeslices and RatioTimeslices');
  }
  const out: Slo[] = [];
  (spec.objectives as Raw[]).forEach((o, i) => {
    const at = ['spec', 'objectives', i, 'ratioMetrics'];
    // Queries without {{.window}} are read as OpenSLO v1 reads them (incremental: true is v1's counter: true).
    const good = eventsQuery(ctx, [...at, 'good', 'query'], o.ratioMetrics.good.query, o.ratioMetrics.incremental);
    const total = eventsQuery(ctx, [...at, 'total', 'query'], o.ratioMetrics.total.query, o.ratioMetrics.incremental);
    const percent = Number((o.target * 100).toPrecision(12));
    const errorBudget = budgetFromPercent(percent);
    const policy = buildPolicy(ctx, ['spec'], { name: 'SlothAlert', disabled: true }, window, errorBudget);
    if (!good || !total) return;
    const name = `${doc.metadata.name}-${i}`;
    const slo: Slo = {
      id: `${spec.service}-${name}`,
      service: spec.service,
      name,
      description: spec.description ?? '',
      labels: {},
      objective: o.target,
      objectivePercent: formatNumber(percent),
      errorBudget,
      window,
      sli: { kind: 'events', good, total, groupBy: [] },
      alerting: policy,
      convention: 'sloth',
      source: { file: ctx.file, line: ctx.line(['spec', 'objectives', i]), format: 'sloth-openslo' },
    };
    checkWindows(ctx, ['spec'], slo);
    out.push(slo);
  });
  return ctx.failed ? [] : out;
}
