import { LABEL_NAME_RE } from '../../promql/quote.js';
import { error, field, warn, type Loc, type Raw } from './objects.js';

/**
 * OpenSLO labels as rule labels. A list value is joined with "," (rule labels are strings), and
 * "-" and "." in keys, legal in OpenSLO but not in Prometheus, become "_".
 */
export function ruleLabels(loc: Loc, raw: Raw | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    const at = field(loc, key);
    const name = key.replace(/[-.]/g, '_');
    if (!LABEL_NAME_RE.test(name)) {
      error(at, `label ${JSON.stringify(key)} cannot be a Prometheus label name`, 'use letters, digits and "_", not starting with a digit');
      continue;
    }
    if (name !== key) warn(at, `label ${JSON.stringify(key)} is written ${JSON.stringify(name)} in the generated rules`, `name it ${name} to silence this`);
    const text = Array.isArray(value) ? value.join(',') : String(value);
    if (text === '') {
      error(at, `label ${JSON.stringify(key)} has no value`, 'give it a value or remove it: Prometheus drops empty labels');
      continue;
    }
    if (out[name] !== undefined) error(at, `labels ${JSON.stringify(key)} and another key both become ${JSON.stringify(name)}`, 'keep one of them');
    out[name] = text;
  }
  return out;
}
