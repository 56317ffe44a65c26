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
    return whole;
  });
}

/** Go's %v of a float64, as `{{ $value }}` prints it. */
function formatGo(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(v);
}
