import { Ajv, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';

const VENDOR = new URL('../vendor/grafana/', import.meta.url).pathname;
const PANEL_TYPES = ['timeseries', 'stat', 'table', 'statetimeline', 'heatmap', 'text'] as const;

function load(name: string): { definitions: Record<string, { properties?: Record<string, unknown> }> } {
  return JSON.parse(readFileSync(`${VENDOR}${name}.jsonschema.json`, 'utf8'));
}

/**
 * The schema is generated from Grafana's CUE, where a matcher's `options` and an override's
 * `value` are "any": the foundation SDK types them `any` and writes strings and arrays there
 * itself (`overrideByName` sets `options` to the field name), but the JSON Schema generator
 * rendered "any" as `type: object`. Only these two properties are opened, and only while they
 * still have exactly that generated shape, so a refreshed schema that fixes them is used as is.
 */
const GENERATED_ANY = { type: 'object', additionalProperties: {} };

function openGeneratedAny(schema: ReturnType<typeof load>): string[] {
  const opened: string[] = [];
  for (const [def, prop] of [
    ['MatcherConfig', 'options'],
    ['DynamicConfigValue', 'value'],
  ] as const) {
    const props = schema.definitions[def]!.properties!;
    const current = props[prop] as Record<string, unknown>;
    if (current.type === GENERATED_ANY.type && JSON.stringify(current.additionalProperties) === '{}') {
      props[prop] = { description: (current.description as string | undefined) ?? '' };
      opened.push(`${def}.${prop}`);
    }
  }
  return opened;
}

/** Grafana's panel type ids, and the schema files that describe them. */
const SCHEMA_OF_TYPE: Record<string, string> = { 'state-timeline': 'statetimeline' };

export function schemaName(panelType: string): string {
  return SCHEMA_OF_TYPE[panelType] ?? panelType;
}

export interface GrafanaValidators {
  dashboard: ValidateFunction;
  /** Per panel type: its `Options` and its `FieldConfig` (`fieldConfig.defaults.custom`). */
  options: Map<string, ValidateFunction>;
  fieldConfig: Map<string, ValidateFunction>;
  prometheusQuery: ValidateFunction;
  opened: string[];
}

export function grafanaValidators(): GrafanaValidators {
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
  const dashboard = load('dashboard');
  const opened = openGeneratedAny(dashboard);
  ajv.addSchema(dashboard, 'dashboard');
  ajv.addSchema(load('prometheus'), 'prometheus');
  const options = new Map<string, ValidateFunction>();
  const fieldConfig = new Map<string, ValidateFunction>();
  for (const t of PANEL_TYPES) {
    ajv.addSchema(load(t), t);
    options.set(t, ajv.getSchema(`${t}#/definitions/Options`)!);
    const fc = ajv.getSchema(`${t}#/definitions/FieldConfig`);
    if (fc) fieldConfig.set(t, fc);
  }
  return { dashboard: ajv.getSchema('dashboard')!, options, fieldConfig, prometheusQuery: ajv.getSchema('prometheus#/definitions/dataquery')!, opened };
}
