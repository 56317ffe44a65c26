/**
 * Keys sorted at every depth, two-space indent, final newline: a regenerated dashboard diffs
 * cleanly. (Integer-like keys, such as value-mapping values, come first in numeric order: that
 * is how every JavaScript object orders them.)
 */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort()) {
      const v = obj[k];
      if (v === undefined) continue;
      // a plain assignment to `__proto__` would set the prototype instead of a key
      if (k === '__proto__') Object.defineProperty(out, k, { value: sortKeys(v), enumerable: true, writable: true, configurable: true });
      else out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}
