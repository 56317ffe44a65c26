import { formatDuration } from '../model/duration.js';
import { namingOf, RECORDS } from '../model/naming.js';
import type { Slo } from '../model/slo.js';
import { periodText, sloWindows } from '../model/windows.js';
import { REPORT_WINDOWS } from './from-engine.js';
import type { Report, ReportRow } from './rows.js';
import { rowStatus, sortRows } from './rows.js';
import { budgetLastsSeconds, projectionWindow } from '../model/policy.js';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(base: string, expr: string, time: number): Promise<Sample[]> {
  const url = `${base.replace(/\/+$/, '')}/api/v1/query`;
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams({ query: expr, time: String(time / 1000) }) }).catch((e: Error) => {
    throw new Error(`cannot reach the query API at ${url}: ${e.message}`);
  });
  const body = (await res.json().catch(() => ({}))) as { status?: string; error?: string; data?: { result: Sample[] } };
  if (!res.ok || body.status !== 'success') throw new Error(`${url} refused ${expr}: ${body.error ?? res.status}`);
  return body.data!.result;
}

/**
 * The table straight from a Prometheus-compatible API that runs the generated rules: the same
 * recorded series the dashboards read, so the review needs no engine.
 */
export async function reportFromPrometheus(url: string, slos: readonly Slo[], time = Date.now()): Promise<Report> {
  const byName = new Map<string, Sample[]>();
  const read = async (name: string) => {
    if (!byName.has(name)) byName.set(name, await query(url, name, time));
    return byName.get(name)!;
  };
  const alerts = await query(url, 'ALERTS{alertstate="firing"}', time);
  const rows: ReportRow[] = [];
  for (const slo of slos) {
    const n = namingOf(slo);
    const mine = (s: Sample) => s.metric[n.idLabel] === slo.id;
    const period = periodText(slo);
    const remaining = (await read(RECORDS.budgetRemaining)).filter(mine);
    const groupKeys = (m: Record<string, string>) => {
      const drop = new Set(['__name__', n.idLabel, n.serviceLabel, n.nameLabel, n.windowLabel, ...Object.keys(slo.labels)]);
      return Object.fromEntries(Object.entries(m).filter(([k]) => !drop.has(k)));
    };
    const same = (a: Record<string, string>, b: Record<string, string>) => Object.entries(groupKeys(a)).every(([k, v]) => b[k] === v);
    const groups = remaining.length ? remaining.map((s) => s.metric) : [undefined];
    const windows = REPORT_WINDOWS.filter((w) => sloWindows(slo).some((x) => formatDuration(x) === w));
    for (const g of groups) {
      const pick = async (name: string) => {
        const hit = (await read(name)).find((s) => mine(s) && (!g || same(g, s.metric)));
        return hit ? Number(hit.value[1]) : undefined;
      };
      const ratio = await pick(RECORDS.errorRatio(period));
      const budget = await pick(RECORDS.budgetRemaining);
      const burn: Record<string, number | undefined> = {};
      for (const w of windows) burn[w] = await pick(RECORDS.burnRate(w));
      const proj = await pick(RECORDS.burnRate(formatDuration(projectionWindow(slo))));
      const firing = alerts.filter((a) => mine(a) && (!g || same(g, a.metric))).map((a) => a.metric.slo_tier ?? a.metric.sloth_severity ?? a.metric.alertname!);
      rows.push({
        service: slo.service,
        name: slo.name,
        group: g ? Object.entries(groupKeys(g)).map(([k, v]) => `${k}=${v}`).join(',') : '',
        objective: slo.objectivePercent,
        window: period,
        status: rowStatus(budget, firing.length > 0),
        sli: ratio === undefined ? undefined : 1 - ratio,
        budgetRemaining: budget,
        burn,
        exhaustionSeconds: budgetLastsSeconds(budget, proj, slo.window),
        firing: [...new Set(firing)],
      });
    }
  }
  return { source: url, at: new Date(time).toISOString(), windows: REPORT_WINDOWS, rows: sortRows(rows) };
}
