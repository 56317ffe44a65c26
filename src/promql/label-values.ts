import type { Matcher } from '../model/slo.js';

/**
 * Picks a label value that satisfies a matcher, for synthetic test series. Handles the regexes
 * label matchers use in practice (alternations, groups, classes, `.`, quantifiers); returns
 * undefined when it cannot find one, and every answer is checked against the real regex.
 */
export function valueFor(m: Matcher): string | undefined {
  const candidates = m.op === '=' ? [m.value] : m.op === '=~' ? sampleRegex(m.value) : ['200', 'synthetic', 'other', '0', 'x'];
  return candidates.find((v) => matches(m, v));
}

/** A value that fails the matcher (for the good half of a good/bad split). */
export function valueAgainst(m: Matcher): string | undefined {
  const flipped: Matcher = { ...m, op: ({ '=': '!=', '!=': '=', '=~': '!~', '!~': '=~' } as const)[m.op] };
  return valueFor(flipped) ?? ['200', 'ok', 'GET', 'synthetic', ''].find((v) => !matches(m, v));
}

export function matches(m: Matcher, v: string): boolean {
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return safeRegex(m.value)?.test(v) ?? false;
    case '!~':
      return !(safeRegex(m.value)?.test(v) ?? true);
  }
}

function safeRegex(re: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${re})$`);
  } catch {
    return undefined;
  }
}

/** A few strings the regex might match, simplest first. */
export function sampleRegex(re: string): string[] {
  const out: string[] = [];
  try {
    out.push(generate(re));
  } catch {
    // fall through to the fixed guesses
  }
  out.push(re.replace(/\\(.)/g, '$1'), '', '500', '200', 'x');
  return out;
}

function generate(re: string): string {
  let i = 0;
  const alt = (): string => {
    const first = seq();
    while (re[i] === '|') {
      i++;
      seq();
    }
    return first;
  };
  const seq = (): string => {
    let s = '';
    while (i < re.length && re[i] !== '|' && re[i] !== ')') {
      const atom = one();
      const q = re[i];
      if (q === '?' || q === '*') {
        i++;
        if (re[i] === '?') i++;
      } else if (q === '+') {
        i++;
        s += atom;
      } else if (q === '{') {
        const end = re.indexOf('}', i);
        const n = Number(re.slice(i + 1, end).split(',')[0]);
        i = end + 1;
        s += atom.repeat(n);
      } else s += atom;
    }
    return s;
  };
  const one = (): string => {
    const c = re[i++];
    if (c === '(') {
      if (re[i] === '?') i += 2;
      const inner = alt();
      i++;
      return inner;
    }
    if (c === '[') {
      const end = re.indexOf(']', i + 1);
      const body = re.slice(i, end);
      i = end + 1;
      if (body.startsWith('^')) return 'z';
      return body.startsWith('\\') ? (body[1] === 'd' ? '0' : body[1] ?? 'a') : body[0] ?? 'a';
    }
    if (c === '.') return '0';
    if (c === '\\') {
      const e = re[i++];
      return e === 'd' ? '0' : e === 'w' ? 'a' : e === 's' ? ' ' : e ?? '';
    }
    if (c === '^' || c === '$') return '';
    return c ?? '';
  };
  return alt();
}
