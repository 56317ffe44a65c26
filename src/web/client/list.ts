import type { SloJson } from './api.js';
import { burn, escapeHtml, percent } from './format.js';
import { byUrgency, LIST_WINDOWS, state, worstGroup } from './urgency.js';

export interface ListState {
  sort: string;
  desc: boolean;
  text: string;
  service: string;
  alert: string;
}

type Column = { key: string; label: string; value: (s: SloJson) => number | string };

const COLUMNS: Column[] = [
  { key: 'state', label: 'State', value: (s) => state(s) },
  { key: 'service', label: 'Service', value: (s) => s.service },
  { key: 'name', label: 'SLO', value: (s) => s.name },
  { key: 'objective', label: 'Objective', value: (s) => s.objective },
  { key: 'window', label: 'Window', value: (s) => s.window },
  { key: 'sli', label: 'SLI now', value: (s) => worstGroup(s)?.windows[s.window]?.sli ?? -1 },
  { key: 'budget', label: 'Budget left', value: (s) => worstGroup(s)?.budgetRemaining ?? 2 },
  ...LIST_WINDOWS.map((w) => ({ key: `burn-${w}`, label: `Burn ${w}`, value: (s: SloJson) => worstGroup(s)?.windows[w]?.burnRate ?? -1 })),
  { key: 'firing', label: 'Firing', value: (s) => s.alerts.filter((a) => a.state === 'firing').length },
];

function matches(s: SloJson, st: ListState): boolean {
  if (st.service && s.service !== st.service) return false;
  if (st.alert) {
    const x = state(s);
    if (st.alert === 'firing' ? x !== 'page' && x !== 'ticket' : st.alert === 'no-data' ? x !== 'no-data' && x !== 'stale' && x !== 'unavailable' : x !== st.alert) return false;
  }
  if (!st.text) return true;
  const hay = `${s.id} ${s.service} ${s.name} ${s.description} ${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(' ')}`.toLowerCase();
  return st.text.toLowerCase().split(/\s+/).every((w) => hay.includes(w));
}

export function sortRows(slos: SloJson[], st: ListState): SloJson[] {
  const rows = slos.filter((s) => matches(s, st));
  if (st.sort === 'urgency') return rows.sort(byUrgency);
  const col = COLUMNS.find((c) => c.key === st.sort) ?? COLUMNS[0]!;
  const dir = st.desc ? -1 : 1;
  return rows.sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir || byUrgency(a, b);
  });
}

function budgetBar(x: number | null | undefined): string {
  if (x === null || x === undefined) return '<span class="muted">–</span>';
  const level = x <= 0 ? 'bad' : x < 0.25 ? 'warn' : 'good';
  const width = Math.max(0, Math.min(1, x)) * 100;
  return `<span class="bar ${level}" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${(x * 100).toFixed(1)}" aria-label="error budget left"><span style="width:${width.toFixed(1)}%"></span></span><span class="num">${percent(x, 1)}</span>`;
}

function burnCell(s: SloJson, w: string): string {
  const v = worstGroup(s)?.windows[w]?.burnRate;
  const tiers = s.tiers.filter((t) => t.longWindow === w || t.shortWindow === w);
  const over = v !== null && v !== undefined && tiers.some((t) => v > t.factor);
  return `<td class="num${over ? ' hot' : ''}" data-window="${w}">${burn(v)}</td>`;
}

const STATE_LABEL: Record<string, string> = { page: 'PAGE', ticket: 'TICKET', pending: 'pending', 'no-data': 'NO DATA', stale: 'STALE', unavailable: 'needs query API', exhausted: 'budget spent', ok: 'ok' };

export function renderFilters(slos: SloJson[], st: ListState): string {
  const services = [...new Set(slos.map((s) => s.service))].sort();
  return (
    `<label>Filter <input id="filter" type="search" value="${escapeHtml(st.text)}" placeholder="service, name, label=value  ( / )" autocomplete="off"></label>` +
    `<label>Service <select id="service"><option value="">all</option>${services.map((x) => `<option${x === st.service ? ' selected' : ''}>${escapeHtml(x)}</option>`).join('')}</select></label>` +
    `<label>State <select id="alert">${['', 'firing', 'pending', 'no-data', 'exhausted', 'ok'].map((x) => `<option value="${x}"${x === st.alert ? ' selected' : ''}>${x || 'all'}</option>`).join('')}</select></label>` +
    `<button type="button" data-sort="urgency">Sort by urgency</button>` +
    `<span class="muted count" id="count"></span>`
  );
}

export function renderTable(slos: SloJson[], st: ListState): { html: string; shown: number } {
  const rows = sortRows(slos, st);
  const head = COLUMNS.map((c) => {
    const active = st.sort === c.key;
    const aria = active ? (st.desc ? 'descending' : 'ascending') : 'none';
    return `<th aria-sort="${aria}" scope="col"><button type="button" data-sort="${c.key}">${escapeHtml(c.label)}${active ? (st.desc ? ' ▼' : ' ▲') : ''}</button></th>`;
  }).join('');
  const body = rows
    .map((s) => {
      const g = worstGroup(s);
      const x = state(s);
      const firingTiers = [...new Set(s.alerts.filter((a) => a.state === 'firing').map((a) => a.tier ?? a.alertname))];
      return (
        `<tr data-id="${escapeHtml(s.id)}" data-state="${x}">` +
        `<td><span class="badge ${x}">${STATE_LABEL[x]}</span>${s.maintenance?.active ? ' <span class="badge maint" title="planned maintenance: alerts silenced">MAINT</span>' : ''}${s.warnings?.length ? ` <span class="badge limit" title="${escapeHtml(s.warnings.map((w) => w.reason).join('; '))}">PARTIAL</span>` : ''}</td>` +
        `<td>${escapeHtml(s.service)}</td>` +
        `<td><a href="/slo/${encodeURIComponent(s.id)}" data-link>${escapeHtml(s.name)}</a>${s.groups.length > 1 ? ` <span class="muted">(${s.groups.length} groups)</span>` : ''}</td>` +
        `<td class="num">${escapeHtml(s.objectivePercent)}%</td>` +
        `<td>${escapeHtml(s.window)}</td>` +
        `<td class="num" data-col="sli">${percent(g?.windows[s.window]?.sli)}</td>` +
        `<td class="budget" data-col="budget">${budgetBar(g?.budgetRemaining)}</td>` +
        LIST_WINDOWS.map((w) => burnCell(s, w)).join('') +
        `<td class="firing">${firingTiers.map((t) => `<span class="badge page">${escapeHtml(t)}</span>`).join(' ')}</td>` +
        `</tr>`
      );
    })
    .join('');
  return { html: `<table class="slos"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`, shown: rows.length };
}
