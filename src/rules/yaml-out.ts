import { Document, stringify } from 'yaml';
import { stringifyString } from 'yaml/util';

const OPTIONS = { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false, sortMapEntries: false } as const;

/**
 * Deterministic YAML: keys in the order built, multi-line PromQL as literal blocks, no folding,
 * so that a regenerated file diffs cleanly in review.
 *
 * Generation writes thousands of these, and `yaml`'s document model (a node per value, then a
 * visitor pass) dominated `slo generate`. The rule and test files are plain block maps and
 * sequences of strings, numbers and booleans, so they are laid out here the way `yaml` lays them
 * out, and every string still goes through `yaml`'s own scalar stringifier (quoting, literal
 * blocks), cached because label names and values repeat. Anything else falls back to `yaml`.
 */
export function toYaml(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    rendered = new Map();
    try {
      return `${blockMap(value as Record<string, unknown>, 0)}\n`;
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
    } finally {
      rendered = undefined;
    }
  }
  return stringify(value, OPTIONS);
}

/**
 * Labels and annotations sorted by name: stable whatever order the spec listed them in. A map
 * already in order comes back as itself (callers print the result and never change it).
 */
export function sorted(map: Record<string, string>): Record<string, string> {
  // Most label sets are built in order already: they need no key array, no sort and no copy.
  let prev: string | undefined;
  let inOrder = true;
  for (const k in map) {
    if (k === '__proto__' || (prev !== undefined && !(prev < k))) {
      inOrder = false;
      break;
    }
    prev = k;
  }
  if (inOrder && Object.getPrototypeOf(map) === Object.prototype) return map;
  const out: Record<string, string> = {};
  for (const k of Object.keys(map).sort()) {
    // a plain assignment to `__proto__` would set the prototype instead of a key
    if (k === '__proto__') Object.defineProperty(out, k, { value: map[k], enumerable: true, writable: true, configurable: true });
    else out[k] = map[k]!;
  }
  return out;
}

export { GENERATED_HEADER } from '../model/constants.js';

class Unsupported extends Error {}

const INDENT_STEP = '  ';

/**
 * Indents by depth, so that one string object stands for each depth: a depth's scalar cache is
 * then found without building (and hashing) an indent string per map and key.
 */
const INDENTS: string[] = [''];
function indentOf(depth: number): string {
  while (INDENTS.length <= depth) INDENTS.push(INDENTS[INDENTS.length - 1]! + INDENT_STEP);
  return INDENTS[depth]!;
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Maps already rendered in this `toYaml` call, by identity and depth: the rules of one window
 * share one label object, and so do the expected alerts of one tier in a test file. The tree is
 * not changed while it is printed, so the same object at the same depth prints the same text.
 */
let rendered: Map<object, { depth: number; text: string }> | undefined;

/** A non-empty block map whose lines after the first start with `depth`'s indent (as `YAMLMap.toString`). */
function blockMap(map: Record<string, unknown>, depth: number): string {
  const done = rendered?.get(map);
  if (done && done.depth === depth) return done.text;
  const text = renderMap(map, depth);
  rendered?.set(map, { depth, text });
  return text;
}

function renderMap(map: Record<string, unknown>, depth: number): string {
  const indent = indentOf(depth);
  const inner = depth + 1;
  let out = '';
  let first = true;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue; // `yaml` drops undefined map values
    const k = scalarString(key, inner, true);
    if (k.length > 1024) throw new Unsupported();
    out += (first ? '' : `\n${indent}`) + k + ':' + pairValue(value, inner);
    first = false;
  }
  if (first) throw new Unsupported(); // every value undefined: `yaml` prints `{}`
  return out;
}

/** A non-empty block sequence at `depth`: items prefixed `- `, their own lines one step deeper. */
function blockSeq(items: readonly unknown[], depth: number): string {
  const indent = indentOf(depth);
  const inner = depth + 1;
  let out = '';
  for (let i = 0; i < items.length; i++) out += (i === 0 ? '- ' : `\n${indent}- `) + node(items[i], inner);
  return out;
}

/** What follows `key:` (as `stringifyPair`): collections on the next line, scalars after a space. */
function pairValue(value: unknown, inner: number): string {
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) return value.length === 0 ? ' []' : `\n${indentOf(inner)}${blockSeq(value, inner)}`;
    if (!isPlainObject(value)) throw new Unsupported();
    return Object.keys(value).length === 0 ? ' {}' : `\n${indentOf(inner)}${blockMap(value, inner)}`;
  }
  const s = scalar(value, inner);
  return s === '' || s[0] === '\n' ? s : ` ${s}`;
}

function node(value: unknown, depth: number): string {
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) return value.length === 0 ? '[]' : blockSeq(value, depth);
    if (!isPlainObject(value)) throw new Unsupported();
    return Object.keys(value).length === 0 ? '{}' : blockMap(value, depth);
  }
  return scalar(value, depth);
}

function scalar(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return scalarString(value, depth, false);
    case 'number':
      // `stringifyNumber` for the core schema's int and float tags
      if (!Number.isFinite(value)) return Number.isNaN(value) ? '.nan' : value < 0 ? '-.inf' : '.inf';
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value === null) return 'null';
      throw new Unsupported();
  }
}

type Ctx = Record<string, unknown>;
let doc: Document | undefined;
const contexts = new Map<string, Ctx>();
/** Rendered short strings by depth, for keys and for values. */
const keyCache: Array<Map<string, string>> = [];
const valueCache: Array<Map<string, string>> = [];

/**
 * `yaml`'s own rendering of a string scalar, for this indent and key/value position. Short
 * strings (label names and values, durations) repeat across rules and SLOs and are cached; long
 * ones are mostly one-off expressions, where a cache would only cost memory.
 */
function scalarString(value: string, depth: number, implicitKey: boolean): string {
  const short = value.length <= 64;
  let cache: Map<string, string> | undefined;
  if (short) {
    const caches = implicitKey ? keyCache : valueCache;
    cache = caches[depth] ??= new Map();
    const hit = cache.get(value);
    if (hit !== undefined) return hit;
  }
  if (isPlainAsIs(value)) {
    cache?.set(value, value);
    return value;
  }
  const indent = indentOf(depth);
  const where = `${implicitKey ? 'k' : 'v'}${indent}`;
  let ctx = contexts.get(where);
  if (!ctx) {
    doc ??= new Document(null, OPTIONS);
    ctx = { actualString: true, doc, indent, indentStep: INDENT_STEP, implicitKey, inFlow: null, options: { ...STRINGIFY_DEFAULTS, ...OPTIONS } };
    contexts.set(where, ctx);
  }
  // stringifyString only writes to its context for a scalar at the root (indent ''), never here.
  const item = YAML11_BREAKS.test(value) ? { value, type: 'QUOTE_DOUBLE' } : { value };
  let out = stringifyString(item as never, (indent === '' ? { ...ctx } : ctx) as never, undefined, undefined);
  if (item.type) out = out.replace(YAML11_BREAKS_G, (c) => YAML11_ESCAPES[c]!);
  cache?.set(value, out);
  return out;
}

// The checks `stringifyString` makes before it prints a one-line string plain and unchanged, in
// its order: no control characters, no newline, none of the indicator patterns, no document
// marker, and nothing another core-schema tag would read back as a non-string (`true`, `1e3`).
const NEEDS_CARE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const INDICATORS = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/;
let otherTags: RegExp[] | undefined;
// Prometheus reads rule files with Go's YAML 1.1 parser, for which NEL, U+2028 and U+2029 are
// line breaks: printed raw (as `yaml`, a YAML 1.2 library, does even inside double quotes) they
// end a plain scalar mid-value or fold into a space. Only their escapes keep the value intact.
const YAML11_BREAKS = /[\u0085\u2028\u2029]/;
const YAML11_BREAKS_G = /[\u0085\u2028\u2029]/g;
const YAML11_ESCAPES: Record<string, string> = { '\u0085': '\\N', '\u2028': '\\L', '\u2029': '\\P' };

function isPlainAsIs(value: string): boolean {
  if (value === '' || NEEDS_CARE.test(value) || YAML11_BREAKS.test(value) || INDICATORS.test(value) || DOCUMENT_MARKER.test(value)) return false;
  doc ??= new Document(null, OPTIONS);
  otherTags ??= [...doc.schema.tags, ...((doc.schema as { compat?: typeof doc.schema.tags }).compat ?? [])]
    .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test)
    .map((t) => t.test as RegExp);
  return !otherTags.some((re) => re.test(value));
}

/** `createStringifyContext`'s defaults, which `stringifyString` reads. */
const STRINGIFY_DEFAULTS = {
  blockQuote: true,
  commentString: (s: string) => s.replace(/^(?!$)(?: $)?/gm, '#'),
  defaultKeyType: null,
  defaultStringType: 'PLAIN',
  directives: null,
  doubleQuotedAsJSON: false,
  doubleQuotedMinMultiLineLength: 40,
  falseStr: 'false',
  flowCollectionPadding: true,
  indentSeq: true,
  lineWidth: 80,
  minContentWidth: 20,
  nullStr: 'null',
  simpleKeys: false,
  singleQuote: null,
  trueStr: 'true',
  verifyAliasOrder: true,
};
