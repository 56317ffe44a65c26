import type uPlot from 'uplot';
import { api, type SloDetailJson, type SloJson } from './api.js';
import { drawCharts, renderDetail } from './detail.js';
import { time, type Zone } from './format.js';
import { renderFilters, renderTable, type ListState } from './list.js';
import { state as sloState } from './urgency.js';

declare global {
  interface Window {
    sloCharts?: Array<{ id: string; series: string[]; points: number[] }>;
  }
}

const REFRESH_MS = 10_000;
const app = document.getElementById('app')!;
const status = document.getElementById('status')!;
const list: ListState = { sort: 'urgency', desc: false, text: '', service: '', alert: '' };
let zone: Zone = (localStorage.getItem('zone') as Zone | null) ?? 'local';
let slos: SloJson[] = [];
let charts: uPlot[] = [];
let groupIndex = 0;
let detailId: string | undefined;
let selected = -1;

function route(): { view: 'list' } | { view: 'detail'; id: string } {
  const m = /^\/slo\/(.+)$/.exec(location.pathname);
  return m ? { view: 'detail', id: decodeURIComponent(m[1]!) } : { view: 'list' };
}

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle('error', error);
}

function drawTable(): void {
  const { html, shown } = renderTable(slos, list);
  document.getElementById('table')!.innerHTML = html;
  document.getElementById('count')!.textContent = `${shown} of ${slos.length} SLOs`;
  const firing = slos.filter((s) => ['page', 'ticket'].includes(sloState(s))).length;
  document.title = firing ? `(${firing} firing) SLOs` : 'SLOs';
  highlight();
}

function highlight(): void {
  const rows = [...document.querySelectorAll<HTMLTableRowElement>('table.slos tbody tr')];
  rows.forEach((r, i) => r.classList.toggle('selected', i === selected));
  rows[selected]?.scrollIntoView({ block: 'nearest' });
}

async function showList(): Promise<void> {
  detailId = undefined;
  charts = [];
  slos = await api.slos();
  app.innerHTML = `<div class="filters" role="search">${renderFilters(slos, list)}</div><div id="table"></div>`;
  const filter = document.getElementById('filter') as HTMLInputElement;
  filter.addEventListener('input', () => {
    list.text = filter.value;
    selected = -1;
    drawTable();
  });
  for (const id of ['service', 'alert'] as const) {
    document.getElementById(id)!.addEventListener('change', (e) => {
      list[id] = (e.target as HTMLSelectElement).value;
      drawTable();
    });
  }
  drawTable();
}

async function showDetail(id: string, keepGroup = false): Promise<void> {
  if (!keepGroup) groupIndex = 0;
  detailId = id;
  const [slo, history] = await Promise.all([api.slo(id), api.history(id)]);
  if (detailId !== id) return;
  app.innerHTML = renderDetail(slo, groupIndex, zone);
  document.getElementById('group')?.addEventListener('change', (e) => {
    groupIndex = Number((e.target as HTMLSelectElement).value);
    void showDetail(id, true);
  });
  charts.forEach((c) => c.destroy());
  charts = drawCharts(slo as SloDetailJson, history, groupIndex, zone);
  // What each chart holds, for people and browser tests alike: series and drawn points.
  window.sloCharts = charts.map((c) => ({ id: c.root.parentElement?.id ?? '', series: c.series.slice(1).map((x) => String(x.label)), points: c.data.slice(1).map((d) => Array.from(d as ArrayLike<number | null | undefined>).filter((v) => v !== null && v !== undefined).length) }));
  document.title = `${slo.service}/${slo.name} – SLO`;
}

async function render(): Promise<void> {
  const r = route();
  try {
    if (r.view === 'list') await showList();
    else await showDetail(r.id);
    setStatus(`updated ${time(Date.now(), zone)} · refreshes every ${REFRESH_MS / 1000}s`);
  } catch (e) {
    setStatus(`could not reach the engine: ${(e as Error).message}; retrying`, true);
  }
}

/** Live refresh: new numbers in place, the filter, sort, selection and focus kept. */
async function refresh(): Promise<void> {
  try {
    const r = route();
    if (r.view === 'list') {
      slos = await api.slos();
      if (route().view === 'list' && document.getElementById('table')) drawTable();
    } else await showDetail(r.id, true);
    setStatus(`updated ${time(Date.now(), zone)} · refreshes every ${REFRESH_MS / 1000}s`);
  } catch (e) {
    setStatus(`could not reach the engine: ${(e as Error).message}; retrying`, true);
  }
}

function go(path: string): void {
  history.pushState(null, '', path);
  void render();
}

document.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const link = target.closest<HTMLAnchorElement>('a[data-link]');
  if (link && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.button === 0) {
    e.preventDefault();
    go(link.getAttribute('href')!);
    return;
  }
  const sort = target.closest<HTMLButtonElement>('button[data-sort]');
  if (sort) {
    const key = sort.dataset.sort!;
    list.desc = list.sort === key ? !list.desc : false;
    list.sort = key;
    drawTable();
  }
});

document.addEventListener('keydown', (e) => {
  const typing = (e.target as HTMLElement).matches('input, select, textarea');
  if (e.key === '/' && !typing) {
    e.preventDefault();
    (document.getElementById('filter') as HTMLInputElement | null)?.focus();
  } else if (e.key === 'Escape') {
    if (typing) (e.target as HTMLElement).blur();
    else if (route().view === 'detail') go('/');
  } else if (!typing && route().view === 'list' && (e.key === 'j' || e.key === 'ArrowDown' || e.key === 'k' || e.key === 'ArrowUp')) {
    const rows = document.querySelectorAll('table.slos tbody tr').length;
    selected = Math.max(0, Math.min(rows - 1, selected + (e.key === 'j' || e.key === 'ArrowDown' ? 1 : -1)));
    e.preventDefault();
    highlight();
  } else if (!typing && e.key === 'Enter' && route().view === 'list' && selected >= 0) {
    const row = document.querySelectorAll<HTMLTableRowElement>('table.slos tbody tr')[selected];
    if (row) go(`/slo/${encodeURIComponent(row.dataset.id!)}`);
  }
});

window.addEventListener('popstate', () => void render());

const themeButton = document.getElementById('theme')!;
const zoneButton = document.getElementById('zone')!;
function applyPrefs(): void {
  const theme = localStorage.getItem('theme');
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  themeButton.textContent = `theme: ${theme ?? 'auto'}`;
  zoneButton.textContent = `times: ${zone === 'utc' ? 'UTC' : 'local'}`;
}
themeButton.addEventListener('click', () => {
  const next = { auto: 'dark', dark: 'light', light: 'auto' }[localStorage.getItem('theme') ?? 'auto']!;
  if (next === 'auto') localStorage.removeItem('theme');
  else localStorage.setItem('theme', next);
  applyPrefs();
  void render();
});
zoneButton.addEventListener('click', () => {
  zone = zone === 'utc' ? 'local' : 'utc';
  localStorage.setItem('zone', zone);
  applyPrefs();
  void render();
});

applyPrefs();
void render();
setInterval(() => void refresh(), REFRESH_MS);
