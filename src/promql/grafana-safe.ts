/**
 * PromQL written by hand (a raw query or template in a spec) put where Grafana sends it. Grafana
 * replaces `$name`, `${name}` and `[[name]]` anywhere in a query before PromQL sees it. Outside
 * string literals none of them is valid PromQL, so only strings and comments can hold one: in
 * strings `$` and `[` become `\u0024` and `\u005b` (the same value to PromQL), a backtick string
 * is re-quoted with double quotes so that it can hold escapes, and comments are dropped, since a
 * variable's value there could carry a newline and end the comment.
 */
export function outOfGrafanasReach(expr: string): string {
  let out = '';
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'") {
      let j = i + 1;
      let body = '';
      while (j < expr.length && expr[j] !== c) {
        if (expr[j] === '\\' && j + 1 < expr.length) {
          body += expr[j]! + expr[j + 1]!;
          j += 2;
        } else body += guard(expr[j++]!);
      }
      // An unterminated string is left for PromQL to refuse, as written.
      out += c + body + (j < expr.length ? c : '');
      i = j + 1;
    } else if (c === '`') {
      const end = expr.indexOf('`', i + 1);
      if (end < 0) return out + expr.slice(i);
      let body = '';
      for (const ch of expr.slice(i + 1, end)) body += ch === '\\' ? '\\\\' : ch === '"' ? '\\"' : ch === '\n' ? '\\n' : guard(ch);
      out += `"${body}"`;
      i = end + 1;
    } else if (c === '#') {
      const end = expr.indexOf('\n', i);
      i = end < 0 ? expr.length : end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function guard(ch: string): string {
  return ch === '$' ? '\\u0024' : ch === '[' ? '\\u005b' : ch;
}
