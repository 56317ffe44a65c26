import type { Matcher, Selector } from '../model/slo.js';
import { LABEL_NAME_RE, METRIC_NAME_RE } from './quote.js';

export class SelectorSyntaxError extends Error {}

/**
 * Parses a plain vector selector (`http_requests_total{job="api",code=~"5.."}`) into its
 * structured form. Ranges, functions and operators are refused: those belong in `promql:`.
 */
export function parseSelector(text: string): Selector {
  const s = text.trim();
  let i = 0;
  const fail = (what: string): never => {
    throw new SelectorSyntaxError(`${what} at character ${i + 1} of ${JSON.stringify(s)}`);
  };
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i] ?? '')) i++;
  };
  const ident = (re: RegExp): string => {
    const m = re.exec(s.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  const metric = ident(/^[a-zA-Z_:][a-zA-Z0-9_:]*/);
  const matchers: Matcher[] = [];
  skipSpace();
  if (s[i] === '{') {
    i++;
    skipSpace();
    while (s[i] !== '}') {
      const label = ident(/^[a-zA-Z_][a-zA-Z0-9_]*/);
      if (!label) fail('expected a label name');
      skipSpace();
      const op = ident(/^(=~|!~|!=|=)/) as Matcher['op'] | '';
      if (!op) fail('expected one of = != =~ !~');
      skipSpace();
      const value = readString();
      matchers.push({ label, op: op as Matcher['op'], value });
      skipSpace();
      if (s[i] === ',') {
        i++;
        skipSpace();
      } else if (s[i] !== '}') fail('expected "," or "}"');
    }
    i++;
  }
  skipSpace();
  if (i < s.length) fail('a selector ends here; ranges, functions and operators belong in a `promql:` query');
  if (!metric && !matchers.some((m) => m.label === '__name__' && m.op === '=')) fail('expected a metric name');
  const named = metric || matchers.find((m) => m.label === '__name__')?.value || '';
  if (!METRIC_NAME_RE.test(named)) fail(`invalid metric name ${JSON.stringify(named)}`);
  for (const m of matchers) {
    if (!LABEL_NAME_RE.test(m.label)) fail(`invalid label name ${JSON.stringify(m.label)}`);
    if (m.op === '=~' || m.op === '!~') checkRegex(m.value);
  }
  return { metric: named, matchers: matchers.filter((m) => m.label !== '__name__') };

  function readString(): string {
    const quote = s[i];
    if (quote !== '"' && quote !== "'" && quote !== '`') fail('expected a quoted label value');
    i++;
    let out = '';
    while (i < s.length && s[i] !== quote) {
      const ch = s[i] ?? '';
      if (ch === '\\' && quote !== '`') {
        const next = s[i + 1] ?? '';
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
        if (!(next in map)) fail(`unsupported escape \\${next}`);
        out += map[next];
        i += 2;
      } else {
        out += ch;
        i++;
      }
    }
    if (s[i] !== quote) fail('unterminated label value');
    i++;
    return out;
  }
}

/** RE2 and JavaScript agree on the regexes label matchers use; a JS failure is a real error. */
export function checkRegex(value: string): void {
  try {
    new RegExp(`^(?:${value})$`);
  } catch (e) {
    throw new SelectorSyntaxError(`invalid regular expression ${JSON.stringify(value)}: ${(e as Error).message}`);
  }
}
