import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import schema from '../schema/slo.schema.json' with { type: 'json' };
import { compileSchema, schemaCacheFile } from '../src/spec/schema-compile.js';

const require = createRequire(import.meta.url);

const DOCS: unknown[] = [
  { apiVersion: 'slo.caas.dev/v1', kind: 'SLO', metadata: { name: 'a' }, spec: { service: 's', objective: 99.9, window: '30d', sli: { events: { bad: 'x', total: 'y' } } } },
  { apiVersion: 'slo.caas.dev/v1', kind: 'SLO', metadata: { name: 'a' }, spec: { service: 's', objectiv: 99.9, window: '30x', sli: {} } },
  { apiVersion: 'slo.caas.dev/v1', kind: 'SLO', metadata: {}, spec: { service: 7, objective: 'high' } },
  { kind: 'SLO' },
];

/** What `checkSchema` reads from a validator: the verdict and every error with its schema. */
function outcome(validate: ValidateFunction, doc: unknown): unknown {
  const ok = validate(doc);
  return { ok, errors: (validate.errors ?? []).map((e) => ({ ...e })) };
}

describe('schema validators cached as ajv standalone code', () => {
  it('give the same verdicts and errors from the cache as a fresh ajv compile', () => {
    const fresh = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
    compileSchema(schema);
    const file = schemaCacheFile(schema);
    expect(existsSync(file)).toBe(true);
    delete require.cache[file];
    const cached = require(file) as ValidateFunction;
    for (const doc of DOCS) expect(outcome(cached, doc)).toEqual(outcome(fresh, doc));
  });

  it('name a changed schema differently, so that a stale validator is never loaded', () => {
    const changed = { ...schema, required: [...schema.required, 'status'] };
    expect(schemaCacheFile(changed)).not.toBe(schemaCacheFile(schema));
    const validate = compileSchema(changed);
    expect(validate(DOCS[0])).toBe(false);
    expect(readFileSync(schemaCacheFile(changed), 'utf8')).toContain('"status"');
  });
});
