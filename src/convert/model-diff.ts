import type { Slo } from '../model/slo.js';

/** JSON's view of a value: `undefined` fields vanish, so an absent and an undefined field agree. */
function plain(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/** Dotted paths (`alerting.tiers.0.factor`) where two SLO models differ; `source` is not compared. */
export function modelDiff(a: Slo, b: Slo): string[] {
  const out: string[] = [];
  const { source: _a, ...left } = a;
  const { source: _b, ...right } = b;
  walk(plain(left), plain(right), '', out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: string[]): void {
  if (a === b) return;
  const objA = typeof a === 'object' && a !== null;
  const objB = typeof b === 'object' && b !== null;
  if (!objA || !objB || Array.isArray(a) !== Array.isArray(b)) {
    out.push(path || '(root)');
    return;
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  if (Array.isArray(a) && (a as unknown[]).length !== (b as unknown[]).length) {
    out.push(path);
    return;
  }
  for (const k of [...keys].sort()) {
    walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
  }
}

/** True when `path` is `field` or lies under it. */
export function covers(field: string, path: string): boolean {
  return path === field || path.startsWith(`${field}.`);
}
