/**
 * Pyrra's golden rules (shared/fixtures/pyrra/expected-rules-*.from-tests.yaml): the input CR
 * they were generated from, which the files carry in a comment, and the rule groups ready for
 * promtool. The latency file elides the burn-rate rules and alerts of all but the first window;
 * they are rebuilt from the file's own first rule and alert, with the windows, factors, `for`
 * and labels of the complete ratio file, which is Pyrra's output for the same 28d window.
 */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

export interface GoldenRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface GoldenGroup {
  name: string;
  interval?: string;
  rules: GoldenRule[];
}

/** One of Pyrra's four alert tiers as its golden output states it. */
export interface GoldenTier {
  short: string;
  long: string;
  factor: number;
  for: string;
  severity: string;
  exhaustion: string;
}

export function readGolden(file: string): { text: string; groups: GoldenGroup[] } {
  const text = readFileSync(file, 'utf8');
  return { text, groups: (parse(text) as { groups: GoldenGroup[] }).groups };
}

/**
 * The CR under "Equivalent input CR:", uncommented. Where the comment gives only `spec`, the
 * name comes from the rules' own `slo` label, which Pyrra sets to metadata.name.
 */
export function goldenInputCr(file: string): string {
  const { text, groups } = readGolden(file);
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^#\s*Equivalent input CR:/.test(l));
  if (start < 0) throw new Error(`${file}: no "Equivalent input CR:" comment`);
  const body: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith('#')) break;
    body.push(l.replace(/^# ?/, ''));
  }
  const cr = parse(body.join('\n')) as Record<string, any>;
  const name = groups.flatMap((g) => g.rules).find((r) => r.labels?.slo)?.labels?.slo;
  if (!name) throw new Error(`${file}: no slo label in the rules`);
  return stringify({
    apiVersion: cr.apiVersion ?? 'pyrra.dev/v1alpha1',
    kind: cr.kind ?? 'ServiceLevelObjective',
    metadata: cr.metadata ?? { name },
    spec: cr.spec,
  });
}

/** The four tiers of a golden file, read from its alerts in order. */
export function goldenTiers(groups: GoldenGroup[]): GoldenTier[] {
  return groups.flatMap((g) => g.rules).filter((r) => r.alert === 'ErrorBudgetBurn').map((r) => {
    const factor = /> \((\d+(?:\.\d+)?) \*/.exec(r.expr);
    if (!factor || !r.labels || !r.for) throw new Error(`unexpected Pyrra alert ${JSON.stringify(r)}`);
    return { short: r.labels.short!, long: r.labels.long!, factor: Number(factor[1]), for: r.for, severity: r.labels.severity!, exhaustion: r.labels.exhaustion! };
  });
}

function swap(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`template ${JSON.stringify(text)} has no ${JSON.stringify(from)}`);
  return text.split(from).join(to);
}

/**
 * The burn-rate group with every window's rule and every tier's alert: missing ones are made
 * from the first rule (its `[5m]` ranges and `burnrate5m` name) and the first alert.
 */
export function completeBurnrates(groups: GoldenGroup[], tiers: GoldenTier[]): GoldenGroup[] {
  return groups.map((g) => {
    const records = g.rules.filter((r) => r.record && /:burnrate/.test(r.record));
    const alerts = g.rules.filter((r) => r.alert === 'ErrorBudgetBurn');
    if (records.length === 0 || alerts.length === 0 || alerts.length === tiers.length) return g;
    const template = records.find((r) => r.record!.endsWith(':burnrate5m'))!;
    const first = alerts[0]!;
    const firstTier = tiers[0]!;
    const windows = [...new Set(tiers.flatMap((t) => [t.short, t.long]))];
    const have = new Set(records.map((r) => r.record));
    const rules: GoldenRule[] = [...records];
    for (const w of windows) {
      const record = template.record!.replace(/burnrate5m$/, `burnrate${w}`);
      if (!have.has(record)) rules.push({ ...template, record, expr: swap(template.expr, '[5m]', `[${w}]`) });
    }
    for (const t of tiers) {
      let expr = swap(first.expr, `burnrate${firstTier.short}{`, `burnrate@SHORT{`);
      expr = swap(expr, `burnrate${firstTier.long}{`, `burnrate${t.long}{`).replace(/burnrate@SHORT\{/g, `burnrate${t.short}{`);
      expr = swap(expr, `(${firstTier.factor} *`, `(${t.factor} *`);
      rules.push({ ...first, expr, for: t.for, labels: { ...first.labels, short: t.short, long: t.long, severity: t.severity, exhaustion: t.exhaustion } });
    }
    return { ...g, rules: [...g.rules.filter((r) => !rules.includes(r) && !(r.record && /:burnrate/.test(r.record)) && r.alert !== 'ErrorBudgetBurn'), ...rules] };
  });
}

export function groupsFile(groups: GoldenGroup[]): string {
  return stringify({ groups });
}
