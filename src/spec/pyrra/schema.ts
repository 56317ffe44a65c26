/**
 * The ServiceLevelObjective CRD of pyrra.dev/v1alpha1 (pyrra-dev/pyrra
 * kubernetes/api/v1alpha1/servicelevelobjective_types.go). `target` and `window` are left to
 * the reader so that their messages can say how Pyrra spells them.
 */
const name = { type: 'string', pattern: '^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$', maxLength: 128 };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const query = {
  type: 'object',
  required: ['metric'],
  additionalProperties: false,
  properties: { metric: { type: 'string', minLength: 1 } },
};
const grouping = { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' } };
const severityWord = { type: 'string', minLength: 1 };

export const PYRRA_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    kind: { const: 'ServiceLevelObjective' },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: { name, namespace: name, labels: stringMap, annotations: stringMap },
    },
    spec: {
      type: 'object',
      required: ['target', 'window', 'indicator'],
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        target: {},
        window: {},
        indicator: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            ratio: {
              type: 'object', required: ['errors', 'total'], additionalProperties: false,
              properties: { errors: query, total: query, grouping },
            },
            latency: {
              type: 'object', required: ['success', 'total'], additionalProperties: false,
              properties: { success: query, total: query, grouping },
            },
            latencyNative: {
              type: 'object', required: ['total', 'latency'], additionalProperties: false,
              properties: { total: query, latency: { type: 'string' }, grouping },
            },
            bool_gauge: {
              type: 'object', required: ['metric'], additionalProperties: false,
              properties: { metric: { type: 'string', minLength: 1 }, grouping },
            },
          },
        },
        alerting: {
          type: 'object',
          additionalProperties: false,
          properties: {
            disabled: { type: 'boolean' },
            burnrates: { type: 'boolean' },
            absent: { type: 'boolean' },
            name: { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
            absentName: { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
            severities: {
              type: 'object',
              additionalProperties: false,
              properties: { absent: severityWord, fastBurn: severityWord, mediumBurn: severityWord, slowBurn: severityWord, longTermBurn: severityWord },
            },
          },
        },
        partial_response_strategy: { enum: ['abort', 'warn', ''] },
        performanceOverAccuracy: { type: 'boolean' },
        ruleOutput: {
          type: 'object',
          additionalProperties: false,
          properties: { shortRulesLabels: stringMap, longRulesLabels: stringMap, enableDescriptionAsLabel: { type: 'boolean' } },
        },
      },
    },
    status: { type: 'object' },
  },
};
