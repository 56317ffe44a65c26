import type { Matcher } from '../../model/slo.js';
import { escapeRegex } from '../../promql/quote.js';

/** What a Cloud Monitoring filter selects: one metric type on one resource type, plus label matchers. */
export interface FilterParts {
  metricType?: string;
  resourceType?: string;
  matchers: Matcher[];
}

export class FilterError extends Error {}

type Token = { kind: 'word' | 'string' | 'op' | 'punct'; text: string };
type Value = { fn?: string; args: string[] };
interface Comparison {
  key: string;
  op: string;
  value: Value;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if ('(),'.includes(c)) out.push({ kind: 'punct', text: c }), i++;
    else if (c === '"' || c === "'") {
      let s = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        s += text[i++];
      }
      if (i >= text.length) throw new FilterError(`unterminated string starting ${JSON.stringify(text.slice(text.lastIndexOf(c, i - 1), i).slice(0, 20))}`);
      i++;
      out.push({ kind: 'string', text: s });
    } else {
      const op = /^(!=|>=|<=|=|:|>|<)/.exec(text.slice(i));
      if (op) {
        out.push({ kind: 'op', text: op[0] });
        i += op[0].length;
        continue;
      }
      const word = /^[^\s(),"'=!:<>]+/.exec(text.slice(i));
      if (!word) throw new FilterError(`unexpected ${JSON.stringify(c)}`);
      out.push({ kind: 'word', text: word[0] });
      i += word[0].length;
    }
  }
  return out;
}

/**
 * Parses the subset of the Monitoring filter language slo-generator configs use: comparisons
 * joined by AND (or by juxtaposition), and parenthesised OR-lists over one label.
 */
export function parseMonitoringFilter(text: string): FilterParts {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const expect = (t: string) => {
    if (peek()?.text !== t) throw new FilterError(`expected ${JSON.stringify(t)} but found ${peek() ? JSON.stringify(peek()!.text) : 'the end'}`);
    i++;
  };
  const value = (): Value => {
    const t = tokens[i++];
    if (!t || (t.kind !== 'word' && t.kind !== 'string')) throw new FilterError(`expected a value but found ${t ? JSON.stringify(t.text) : 'the end'}`);
    if (t.kind === 'word' && peek()?.text === '(') {
      i++;
      const args: string[] = [];
      while (peek()?.text !== ')') {
        const a = tokens[i++];
        if (!a || (a.kind !== 'string' && a.kind !== 'word')) throw new FilterError(`bad argument of ${t.text}()`);
        args.push(a.text);
        if (peek()?.text === ',') i++;
      }
      i++;
      return { fn: t.text, args };
    }
    return { args: [t.text] };
  };
  const comparison = (): Comparison => {
    const key = tokens[i++];
    if (!key || key.kind !== 'word') throw new FilterError(`expected a field such as metric.type but found ${key ? JSON.stringify(key.text) : 'the end'}`);
    if (key.text === 'NOT') throw new FilterError('NOT is not supported');
    const op = tokens[i++];
    if (!op || op.kind !== 'op') throw new FilterError(`expected = or != after ${key.text}`);
    return { key: key.text, op: op.text, value: value() };
  };
  const parts: FilterParts = { matchers: [] };
  while (i < tokens.length) {
    if (peek()?.text === 'AND') {
      i++;
      continue;
    }
    if (peek()?.text === '(') {
      i++;
      const alts = [comparison()];
      while (peek()?.text === 'OR') {
        i++;
        alts.push(comparison());
      }
      expect(')');
      parts.matchers.push(orMatcher(alts));
      continue;
    }
    if (peek()?.text === 'OR') throw new FilterError('OR is supported only inside parentheses, between values of one label');
    apply(parts, comparison());
  }
  return parts;
}

function labelOf(key: string): string {
  if (key === 'project') return 'project_id';
  const m = /^(?:metric|resource)\.labels?\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(key);
  if (!m) throw new FilterError(`field ${key} has no Prometheus label`);
  return m[1]!;
}

/** A comparison as a regex (for OR-lists) or as an exact value. */
function pattern(c: Comparison): { regex: string; exact?: string } {
  const [first = ''] = c.value.args;
  switch (c.value.fn) {
    case undefined:
      return { regex: escapeRegex(first), exact: first };
    case 'starts_with':
      return { regex: `${escapeRegex(first)}.*` };
    case 'ends_with':
      return { regex: `.*${escapeRegex(first)}` };
    case 'has_substring':
      return { regex: `.*${escapeRegex(first)}.*` };
    case 'one_of':
      return { regex: c.value.args.map(escapeRegex).join('|') };
    case 'monitoring.regex.full_match':
      return { regex: first };
    default:
      throw new FilterError(`function ${c.value.fn}() is not supported`);
  }
}

function matcherOf(c: Comparison): Matcher {
  const label = labelOf(c.key);
  if (c.op === ':') return { label, op: '=~', value: `.*${escapeRegex(c.value.args[0] ?? '')}.*` };
  if (c.op !== '=' && c.op !== '!=') throw new FilterError(`operator ${c.op} on ${c.key} is not supported`);
  const p = pattern(c);
  if (p.exact !== undefined) return { label, op: c.op, value: p.exact };
  return { label, op: c.op === '=' ? '=~' : '!~', value: p.regex };
}

function orMatcher(alts: Comparison[]): Matcher {
  const labels = new Set(alts.map((a) => labelOf(a.key)));
  if (labels.size !== 1 || alts.some((a) => a.op !== '=')) {
    throw new FilterError('an OR-list must compare one label with = in every branch');
  }
  return { label: [...labels][0]!, op: '=~', value: alts.map((a) => pattern(a).regex).join('|') };
}

function apply(parts: FilterParts, c: Comparison): void {
  if (c.key === 'metric.type' || c.key === 'resource.type') {
    if (c.op !== '=' || c.value.fn) throw new FilterError(`${c.key} must be compared with = to one value`);
    parts[c.key === 'metric.type' ? 'metricType' : 'resourceType'] = c.value.args[0];
    return;
  }
  parts.matchers.push(matcherOf(c));
}

/** stackdriver_exporter's name normalisation: camel-case and class boundaries become `_`, the rest drops. */
export function normalizeName(name: string): string {
  const words: string[] = [];
  const runs = name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+|[^A-Za-z0-9]+/g) ?? [];
  for (const w of runs) if (/^[A-Za-z0-9]+$/.test(w)) words.push(w.toLowerCase());
  return words.join('_');
}

/** The metric name stackdriver_exporter gives a Cloud Monitoring time series. */
export function exporterMetricName(resourceType: string, metricType: string): string {
  return `stackdriver_${normalizeName(resourceType)}_${normalizeName(metricType)}`;
}
