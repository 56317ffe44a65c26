import type { ErrorObject, ValidateFunction } from 'ajv';
import type { DocContext } from './context.js';
import { show } from './errors.js';
import { compileSchema } from './schema-compile.js';

const compiled = new WeakMap<object, ValidateFunction>();

/** Validates a document against a JSON Schema and reports each failure at its field's line. */
export function checkSchema(ctx: DocContext, schema: object, value: unknown): boolean {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = compileSchema(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return true;
  for (const err of pickErrors(validate.errors ?? [])) report(ctx, err, value);
  return false;
}

/** Keeps one error per field: the type error when there is one, else the first. */
function pickErrors(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject>();
  for (const e of errors) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    if (e.keyword === 'propertyNames' && errors.some((o) => o.propertyName === e.params.propertyName)) continue;
    const key = e.propertyName !== undefined ? `${e.instancePath}/${e.propertyName}` : e.keyword === 'additionalProperties' ? `${e.instancePath}/${String(e.params.additionalProperty)}` :
      e.keyword === 'required' ? `${e.instancePath}/${String(e.params.missingProperty)}` : e.instancePath;
    if (!byPath.has(key)) byPath.set(key, e);
  }
  return [...byPath.values()];
}

function toPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function valueAt(root: unknown, path: Array<string | number>): unknown {
  let v: unknown = root;
  for (const p of path) v = (v as Record<string | number, unknown> | undefined)?.[p];
  return v;
}

function report(ctx: DocContext, e: ErrorObject, root: unknown): void {
  const path = toPath(e.instancePath);
  if (e.propertyName !== undefined || e.keyword === 'propertyNames') {
    const name = e.propertyName ?? String(e.params.propertyName);
    ctx.error([...path, name], `${show(name)} is not a valid name here`, 'use letters, digits and underscores, not starting with a digit (tier names: lower-case letters, digits and "-")');
    return;
  }
  const got = valueAt(root, path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const guess = closest(field, known);
      ctx.error([...path, field], `unknown field ${show(field)}`,
        guess ? `did you mean ${show(guess)}?` : known.length ? `allowed here: ${known.join(', ')}` : 'remove it');
      return;
    }
    case 'required':
      ctx.error(path, `missing required field ${show(e.params.missingProperty)}`, `add ${String(e.params.missingProperty)}: ...`);
      return;
    case 'type':
      ctx.error(path, `must be ${article(String(e.params.type))} (got ${show(got)})`);
      return;
    case 'enum':
    case 'const': {
      const allowed = e.keyword === 'const' ? [e.params.allowedValue] : (e.params.allowedValues as unknown[]);
      ctx.error(path, `${show(got)} is not allowed`, `use ${allowed.map((a) => show(a)).join(' or ')}`);
      return;
    }
    case 'pattern':
      ctx.error(path, `${show(got)} has the wrong form`, patternHint(String(e.params.pattern)));
      return;
    case 'minProperties':
    case 'maxProperties':
      ctx.error(path, `must have exactly one of: ${Object.keys((e.parentSchema as { properties?: object })?.properties ?? {}).join(', ')}`,
        'choose one kind');
      return;
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minimum':
    case 'maximum':
      ctx.error(path, `${show(got)} must be ${e.params.comparison} ${e.params.limit}`);
      return;
    default:
      ctx.error(path, `${show(got)} ${e.message ?? 'is invalid'}`);
  }
}

function article(type: string): string {
  const t = type.replace(/,/g, ' or ');
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function patternHint(pattern: string): string {
  if (pattern.includes('ms|s|m|h|d|w|y')) return 'write a duration such as 5m, 1h, 28d or 4w';
  if (pattern.startsWith('^[a-zA-Z_]')) return 'use letters, digits and underscores, not starting with a digit';
  if (pattern.startsWith('^[A-Za-z0-9]')) return 'use letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  return `must match ${pattern}`;
}

/** Nearest candidate by edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  return bestScore <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
