/**
 * Shapes of Sloth's inputs (slok/sloth pkg/prometheus/api/v1 and pkg/kubernetes/api/sloth/v1).
 * Unknown fields are refused: Sloth would ignore a typo such as `objetive`, we say so.
 */
const name = { type: 'string', pattern: '^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$', maxLength: 128 };
const labels = { type: 'object', propertyNames: { pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' }, additionalProperties: { type: 'string', minLength: 1 } };
const annotations = { type: 'object', additionalProperties: { type: 'string', minLength: 1 } };
const plugins = { type: 'object' };

function alert(camel: boolean) {
  const sub = { type: 'object', additionalProperties: false, properties: { disable: { type: 'boolean' }, labels, annotations } };
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
      labels,
      annotations,
      [camel ? 'pageAlert' : 'page_alert']: sub,
      [camel ? 'ticketAlert' : 'ticket_alert']: sub,
    },
  };
}

function slo(camel: boolean) {
  const q = (snake: string, cc: string) => (camel ? cc : snake);
  return {
    type: 'object',
    required: ['name', 'objective', 'sli'],
    additionalProperties: false,
    properties: {
      name,
      objective: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 100 },
      description: { type: 'string' },
      labels,
      plugins,
      sli: {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        additionalProperties: false,
        properties: {
          events: {
            type: 'object',
            required: [q('error_query', 'errorQuery'), q('total_query', 'totalQuery')],
            additionalProperties: false,
            properties: { [q('error_query', 'errorQuery')]: { type: 'string' }, [q('total_query', 'totalQuery')]: { type: 'string' } },
          },
          raw: {
            type: 'object',
            required: [q('error_ratio_query', 'errorRatioQuery')],
            additionalProperties: false,
            properties: { [q('error_ratio_query', 'errorRatioQuery')]: { type: 'string' } },
          },
          plugin: { type: 'object' },
        },
      },
      alerting: alert(camel),
    },
  };
}

export const SLOTH_PROMETHEUS_V1_SCHEMA = {
  type: 'object',
  required: ['version', 'service', 'slos'],
  additionalProperties: false,
  properties: {
    version: { const: 'prometheus/v1' },
    service: name,
    labels,
    slo_plugins: plugins,
    slos: { type: 'array', minItems: 1, items: slo(false) },
  },
};

export const SLOTH_K8S_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'sloth.slok.dev/v1' },
    kind: { const: 'PrometheusServiceLevel' },
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, namespace: { type: 'string' } } },
    spec: {
      type: 'object',
      required: ['service', 'slos'],
      additionalProperties: false,
      properties: { service: name, labels, sloPlugins: plugins, slos: { type: 'array', minItems: 1, items: slo(true) } },
    },
    status: { type: 'object' },
  },
};

export const SLOTH_ALERT_WINDOWS_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'spec'],
  properties: {
    apiVersion: { const: 'sloth.slok.dev/v1' },
    kind: { const: 'AlertWindows' },
    spec: {
      type: 'object',
      required: ['sloPeriod', 'page', 'ticket'],
      additionalProperties: false,
      properties: Object.fromEntries<object>([
        ['sloPeriod', { type: 'string' }],
        ...['page', 'ticket'].map((sev): [string, object] => [
          sev,
          {
            type: 'object',
            required: ['quick', 'slow'],
            additionalProperties: false,
            properties: Object.fromEntries(
              ['quick', 'slow'].map((speed) => [
                speed,
                {
                  type: 'object',
                  required: ['errorBudgetPercent', 'shortWindow', 'longWindow'],
                  additionalProperties: false,
                  properties: {
                    errorBudgetPercent: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
                    shortWindow: { type: 'string' },
                    longWindow: { type: 'string' },
                  },
                },
              ]),
            ),
          },
        ]),
      ]),
    },
  },
};
