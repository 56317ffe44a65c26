import { stringify } from 'yaml';

/**
 * Deterministic YAML: keys in the order built, multi-line PromQL as literal blocks, no folding,
 * so that a regenerated file diffs cleanly in review.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false, sortMapEntries: false });
}

/** Labels and annotations sorted by name: stable whatever order the spec listed them in. */
export function sorted(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export { GENERATED_HEADER } from '../model/constants.js';
