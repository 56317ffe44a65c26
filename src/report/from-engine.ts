import type { Report, ReportRow } from './rows.js';
import { rowStatus, sortRows } from './rows.js';

interface EngineSlo {
  service: string;
  name: string;
  objectivePercent: string;
  window: string;
  status: string;
  groups: Array<{ labels: Record<string, string>; windows: Record<string, { sli: number | null; burnRate: number | null }>; budgetRemaining: number | null; exhaustionSeconds: number | null }>;
  alerts: Array<{ state: string; tier: string | null; alertname: string; labels: Record<string, string> }>;
}

export const REPORT_WINDOWS = ['5m', '1h', '6h', '1d', '3d'];

function groupName(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The table from a running engine's JSON API. */
export async function reportFromEngine(url: string, time?: number): Promise<Report> {
  const api = `${url.replace(/\/+$/, '')}/api/v1/slos${time === undefined ? '' : `?time=${time / 1000}`}`;
  const res = await fetch(api).catch((e: Error) => {
    throw new Error(`cannot reach the engine at ${api}: ${e.message}; is \`slo serve\` running there?`);
  });
  if (!res.ok) throw new Error(`the engine at ${api} answered ${res.status}: ${(await res.text()).trim()}`);
  const body = (await res.json()) as { evaluatedAt: string; data: EngineSlo[] };
  const rows: ReportRow[] = [];
  for (const s of body.data) {
    const groups = s.groups.length ? s.groups : [undefined];
    for (const g of groups) {
      const firing = s.alerts.filter((a) => a.state === 'firing' && (!g || Object.entries(g.labels).every(([k, v]) => a.labels[k] === v))).map((a) => a.tier ?? a.alertname);
      rows.push({
        service: s.service,
        name: s.name,
        group: g ? groupName(g.labels) : '',
        objective: s.objectivePercent,
        window: s.window,
        // The SLO's word is for all its groups; a row says its own group's.
        status: g ? rowStatus(g.budgetRemaining ?? undefined, firing.length > 0) : s.status,
        sli: g?.windows[s.window]?.sli ?? undefined,
        budgetRemaining: g?.budgetRemaining ?? undefined,
        burn: Object.fromEntries(REPORT_WINDOWS.map((w) => [w, g?.windows[w]?.burnRate ?? undefined])),
        exhaustionSeconds: g?.exhaustionSeconds ?? undefined,
        firing: [...new Set(firing)],
      });
    }
  }
  return { source: url, at: body.evaluatedAt, windows: REPORT_WINDOWS, rows: sortRows(rows) };
}
