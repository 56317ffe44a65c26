import { show } from '../errors.js';
import { error, type Loc } from './objects.js';

const RFC1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** OpenSLO names are RFC 1123 labels; references are checked by lookup, not here. */
export function checkName(loc: Loc, name: unknown): name is string {
  if (typeof name === 'string' && name.length <= 63 && RFC1123.test(name)) return true;
  error(loc, `${show(name)} is not a valid OpenSLO name`,
    'use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit (RFC 1123)');
  return false;
}

/** A lower-case, dash-separated form of free text, e.g. an objective's displayName; '' when nothing is left. */
export function slug(text: string, max = 63): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
}

export function isOpenSloName(text: string): boolean {
  return text.length <= 63 && RFC1123.test(text);
}
