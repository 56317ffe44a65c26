/**
 * Keys sorted at every depth, two-space indent, final newline: a regenerated dashboard diffs
 * cleanly. (Integer-like keys, such as value-mapping values, come first in numeric order: that
 * is how every JavaScript object orders them.)
 */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/**
 * `value` with every object's keys in sorted order. A service dashboard of a hundred SLOs is
 * megabytes of JSON, and copying every node of it was most of the garbage of `slo generate`:
 * an object whose keys already come in sorted order and whose values need no change is
 * returned as it is (`JSON.stringify` prints it the same as a copy), and so is an array.
 */
function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const s = sortKeys(v);
      if (s !== v) (out ??= value.slice())[i] = s;
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  // Other prototypes (class instances, dates) are copied to plain objects, as they always were.
  const proto = Object.getPrototypeOf(obj) as unknown;
  let inOrder = proto === Object.prototype || proto === null;
  let prev: string | undefined;
  let changed: Map<string, unknown> | undefined;
  for (const k in obj) {
    if (k === '__proto__' || (prev !== undefined && !(prev < k))) inOrder = false;
    prev = k;
    const v = obj[k];
    const s = sortKeys(v);
    if (s !== v) (changed ??= new Map()).set(k, s);
  }
  if (inOrder && !changed) return obj;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) {
    const v = changed?.has(k) ? changed.get(k) : obj[k];
    if (v === undefined) continue;
    // a plain assignment to `__proto__` would set the prototype instead of a key
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}
