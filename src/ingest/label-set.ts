/**
 * Sets a label on a plain labels object. `__proto__` is a valid Prometheus label name, but an
 * assignment to it changes the object's prototype instead of adding a label, so it is defined.
 */
export function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
  else labels[name] = value;
}

/** A label's own value: never one inherited from Object.prototype (`constructor`, `toString`, …). */
export function ownLabel(labels: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(labels, name) ? labels[name] : undefined;
}
