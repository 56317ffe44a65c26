/** Prometheus text exposition (0.0.4): one TYPE line per family, label values escaped. */
export class Exposition {
  private readonly families = new Map<string, string[]>();

  add(name: string, labels: Record<string, string>, value: number): void {
    let lines = this.families.get(name);
    if (!lines) this.families.set(name, (lines = []));
    const names = Object.keys(labels).sort();
    const body = names.map((n) => `${n}="${escapeLabelValue(labels[n]!)}"`).join(',');
    lines.push(`${name}${body ? `{${body}}` : ''} ${formatValue(value)}`);
  }

  text(): string {
    let out = '';
    for (const [name, lines] of this.families) out += `# TYPE ${name} gauge\n${lines.join('\n')}\n`;
    return out;
  }
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
