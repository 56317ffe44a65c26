/**
 * The part of Prometheus's alert templating our generated annotations use: `$labels.name`,
 * `$value`, and `printf "%.Nf" $value`. Anything else is left as written, so a user's own
 * template shows up verbatim rather than wrong.
 */
export function expandTemplate(text: string, labels: Record<string, string>, value: number): string {
  return text.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (whole, body: string) => {
    const label = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(body);
    if (label) return labels[label[1]!] ?? '';
    if (body === '$value') return formatGo(value);
    const printf = /^printf\s+"%\.(\d+)f"\s+\$value$/.exec(body);
    if (printf) return Number.isFinite(value) ? value.toFixed(Number(printf[1])) : formatGo(value);
    if (body === LITERAL_OPEN) return '{{';
    return whole;
  });
}

/** The action rules/go-template.ts writes for a literal `{{` in text that is data. */
const LITERAL_OPEN = '"{{"';

/** Go's %v of a float64, as `{{ $value }}` prints it. */
function formatGo(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(v);
}

type Part = string | ((labels: Record<string, string>, value: number) => string);

/**
 * `expandTemplate` split once into literal text and actions, for annotations expanded at every
 * evaluation: the same matches, so the same output, without running the regexes each time.
 */
export function compileTemplate(text: string): (labels: Record<string, string>, value: number) => string {
  const parts: Part[] = [];
  let at = 0;
  for (const m of text.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/g)) {
    const whole = m[0];
    const body = m[1]!;
    if (m.index! > at) parts.push(text.slice(at, m.index));
    at = m.index! + whole.length;
    const label = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(body);
    const printf = /^printf\s+"%\.(\d+)f"\s+\$value$/.exec(body);
    if (label) {
      const name = label[1]!;
      parts.push((labels) => String(labels[name] ?? ''));
    } else if (body === '$value') parts.push((_l, value) => formatGo(value));
    else if (printf) {
      const digits = Number(printf[1]);
      parts.push((_l, value) => (Number.isFinite(value) ? value.toFixed(digits) : formatGo(value)));
    } else parts.push(body === LITERAL_OPEN ? '{{' : whole);
  }
  if (at < text.length) parts.push(text.slice(at));
  if (parts.every((p) => typeof p === 'string')) {
    const fixed = parts.join('');
    return () => fixed;
  }
  return (labels, value) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(labels, value);
    return out;
  };
}
