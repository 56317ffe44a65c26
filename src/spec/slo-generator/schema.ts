/**
 * Shapes of slo-generator's v2 files (google/slo-generator: samples/, slo_generator/report.py).
 * Types and required fields only: slo-generator ignores fields it does not know, so unknown
 * fields are warnings (see fields.ts), not schema errors.
 */
const labelName = { pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' };

export const SLO_CONFIG_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'sre.google.com/v2' },
    kind: { const: 'ServiceLevelObjective' },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1 },
        labels: { type: 'object', propertyNames: labelName, additionalProperties: { type: ['string', 'number', 'boolean'] } },
      },
    },
    spec: {
      type: 'object',
      required: ['backend', 'method', 'service_level_indicator', 'goal'],
      properties: {
        description: { type: 'string' },
        backend: { type: 'string', minLength: 1 },
        method: { enum: ['good_bad_ratio', 'query_sli', 'distribution_cut'] },
        exporters: { type: 'array', items: { type: 'string' } },
        service_level_indicator: { type: 'object' },
        goal: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        error_budget_policy: { type: 'string', minLength: 1 },
      },
    },
  },
};

/** Fields of `spec` slo-generator reads; anything else draws a "did you mean" warning. */
export const SPEC_FIELDS = ['description', 'backend', 'method', 'exporters', 'service_level_indicator', 'goal', 'error_budget_policy'];

/** Fields of `service_level_indicator` per method (Prometheus and Cloud Monitoring backends). */
export const SLI_FIELDS: Record<string, string[]> = {
  good_bad_ratio: ['filter_good', 'filter_bad', 'filter_valid', 'operators'],
  query_sli: ['expression'],
  distribution_cut: ['expression', 'filter_valid', 'threshold_bucket', 'good_below_threshold'],
};

/** A step in either spelling: v2 names, or the v1 names the README still shows. */
const step = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    error_budget_policy_step_name: { type: 'string', minLength: 1 },
    window: { type: 'integer', exclusiveMinimum: 0 },
    measurement_window_seconds: { type: 'integer', exclusiveMinimum: 0 },
    burn_rate_threshold: { type: 'number', exclusiveMinimum: 0 },
    alerting_burn_rate_threshold: { type: 'number', exclusiveMinimum: 0 },
    alert: { type: 'boolean' },
    urgent_notification: { type: 'boolean' },
    message_alert: { type: 'string' },
    overburned_consequence_message: { type: 'string' },
    message_ok: { type: 'string' },
    achieved_consequence_message: { type: 'string' },
  },
};

export const SHARED_CONFIG_SCHEMA = {
  type: 'object',
  properties: {
    backends: { type: 'object', additionalProperties: { type: ['object', 'null'] } },
    exporters: { type: 'object' },
    default_exporters: { type: 'array' },
    error_budget_policies: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['steps'],
        properties: { steps: { type: 'array', minItems: 1, items: step } },
      },
    },
  },
};

/** v2 step field name -> the v1 name slo-generator's README still documents. */
export const LEGACY_STEP_FIELDS = {
  name: 'error_budget_policy_step_name',
  window: 'measurement_window_seconds',
  burn_rate_threshold: 'alerting_burn_rate_threshold',
  alert: 'urgent_notification',
  message_alert: 'overburned_consequence_message',
  message_ok: 'achieved_consequence_message',
} as const;
