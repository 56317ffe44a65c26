import type { Slo } from '../../model/slo.js';
import type { DocContext } from '../context.js';
import { checkSchema } from '../schema-check.js';
import schema from '../../../schema/openslo-v1.schema.json' with { type: 'json' };
import { checkName } from './names.js';
import { KINDS, type Kind, type Raw } from './objects.js';
import { Registry } from './registry.js';
import { readSlo } from './slo.js';

/** Any OpenSLO v1 document (SLO, SLI, Service, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget). */
export function isOpenSloV1(v: unknown): boolean {
  return (v as Raw | null)?.apiVersion === 'openslo/v1';
}

/** Every OpenSLO v1 document of the loaded set at once, so references resolve across files. */
export function readOpenSloV1(docs: DocContext[]): Slo[] {
  if (!docs.length) return [];
  const problems = docs[0]!.problems;
  const start = problems.length;
  const registry = new Registry();
  const slos = [];
  for (const ctx of docs) {
    const v = ctx.doc.value as Raw;
    const valid = checkSchema(ctx, schema, v);
    if (typeof v?.metadata?.name !== 'string' || !KIND_NAMES.has(v.kind)) continue;
    if (!checkName({ ctx, at: ['metadata', 'name'] }, v.metadata.name)) continue;
    // An invalid object is still registered, so that references to it do not add "unknown name" errors.
    const obj = { kind: v.kind as Kind, name: v.metadata.name as string, value: v, loc: { ctx, at: [] }, invalid: !valid };
    if (registry.add(obj) && valid && obj.kind === 'SLO') slos.push(obj);
  }
  const out = slos.flatMap((s) => readSlo(s, registry));
  dedupe(problems, start);
  return out;
}

const KIND_NAMES = new Set<string>(KINDS);

/** An SLI or policy shared by several SLOs or objectives would otherwise report the same problem once per use. */
function dedupe(problems: DocContext['problems'], start: number): void {
  const seen = new Set<string>();
  const tail = problems.splice(start);
  for (const p of tail) {
    const k = JSON.stringify(p);
    if (!seen.has(k)) {
      seen.add(k);
      problems.push(p);
    }
  }
}
