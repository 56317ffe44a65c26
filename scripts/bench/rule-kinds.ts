/**
 * Where a rule set's evaluation time goes, per kind of rule: Prometheus's /api/v1/rules gives
 * each rule's last `evaluationTime`; rules are grouped by record (or alert) name with the window
 * kept, plus what makes one expensive (a subquery, the maintenance factor, the `or 0 * ...`
 * fallbacks), and summed over the SLOs. Both per evaluation cycle and per minute (a group that
 * runs every 5 minutes costs a fifth of its cycle per minute).
 */

export interface KindCost {
  rules: number;
  /** Sum of the rules' last evaluation time, ms. */
  perCycleMs: number;
  /** The same weighted by 60 s / the group's interval: ms of evaluation per minute of wall time. */
  perMinuteMs: number;
}

interface ApiRule {
  type: 'recording' | 'alerting';
  name: string;
  query: string;
  evaluationTime: number;
}

function kindOf(r: ApiRule): string {
  const tags = [
    /\[[^\]]*:[^\]]*\]/.test(r.query) ? 'subquery' : '',
    /\* scalar\(/.test(r.query) ? 'maintenance factor' : '',
    / or 0 \* /.test(r.query) ? 'fallbacks' : '',
  ].filter(Boolean);
  const name = r.type === 'alerting' ? `alert ${r.name}` : r.name;
  return tags.length ? `${name} [${tags.join(', ')}]` : name;
}

export async function costByRuleKind(url: string): Promise<Map<string, KindCost>> {
  const body = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: Array<{ interval: number; rules: ApiRule[] }> } };
  const out = new Map<string, KindCost>();
  for (const g of body.data.groups) {
    for (const r of g.rules) {
      const k = kindOf(r);
      const c = out.get(k) ?? { rules: 0, perCycleMs: 0, perMinuteMs: 0 };
      c.rules++;
      c.perCycleMs += r.evaluationTime * 1000;
      c.perMinuteMs += (r.evaluationTime * 1000 * 60) / g.interval;
      out.set(k, c);
    }
  }
  return out;
}

/** One line per kind, most expensive first, for the bench log. */
export function formatKinds(setName: string, kinds: Map<string, KindCost>): string {
  const rows = [...kinds].sort((a, b) => b[1].perMinuteMs - a[1].perMinuteMs);
  const total = rows.reduce((s, [, c]) => s + c.perMinuteMs, 0);
  return [
    `${setName}: rule cost by kind (ms per cycle, ms per minute; total ${total.toFixed(1)} ms per minute)`,
    ...rows.map(([k, c]) => `  ${c.perCycleMs.toFixed(2).padStart(8)} ${c.perMinuteMs.toFixed(2).padStart(8)}  x${c.rules} ${k}`),
  ].join('\n');
}
