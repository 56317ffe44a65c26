import type uPlot from 'uplot';
import type { HistoryJson, SloDetailJson } from './api.js';
import { lineChart } from './charts.js';
import { burn, duration, escapeHtml, percent, safeUrl, time, type Zone } from './format.js';
import { state, worstGroup } from './urgency.js';

const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#a855f7', '#ef4444', '#14b8a6', '#eab308', '#f97316'];

function groupName(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(', ') : 'all';
}

/** The detail page's text: header, tiers, definition. Charts go in the `.chart` placeholders. */
export function renderDetail(slo: SloDetailJson, groupIndex: number, zone: Zone): string {
  const g = slo.groups[groupIndex] ?? worstGroup(slo);
  const x = state(slo);
  const tiers = slo.tiers
    .map((t) => {
      const long = g?.windows[t.longWindow]?.burnRate;
      const short = g?.windows[t.shortWindow]?.burnRate;
      const alert = slo.alerts.find((a) => a.tier === t.name && (!g || Object.entries(g.labels).every(([k, v]) => a.labels[k] === v)));
      const st = alert?.state === 'inactive' ? 'resolved' : alert?.state ?? 'ok';
      return (
        `<tr data-tier="${escapeHtml(t.name)}" data-state="${st}"><td>${escapeHtml(t.name)}</td><td>${escapeHtml(t.severity)}</td>` +
        `<td>${escapeHtml(t.longWindow)} / ${escapeHtml(t.shortWindow)}</td><td class="num">${burn(t.factor)}</td><td>${escapeHtml(t.for)}</td>` +
        `<td class="num${long !== undefined && long !== null && long > t.factor ? ' hot' : ''}">${burn(long)}</td>` +
        `<td class="num${short !== undefined && short !== null && short > t.factor ? ' hot' : ''}">${burn(short)}</td>` +
        `<td><span class="badge ${st === 'firing' ? (t.severity === 'page' ? 'page' : 'ticket') : st}">${st}</span>${alert?.firedAt ? ` <span class="muted">since ${time(alert.firedAt, zone)}</span>` : ''}</td></tr>`
      );
    })
    .join('');
  const groups =
    slo.groups.length > 1
      ? `<label>Group <select id="group">${slo.groups.map((gr, i) => `<option value="${i}"${i === groupIndex ? ' selected' : ''}>${escapeHtml(groupName(gr.labels))}</option>`).join('')}</select></label>`
      : '';
  const rules = slo.definition.rules
    .map((r) => `<details><summary><code>${escapeHtml(r.record)}</code>${r.window ? ` <span class="muted">${escapeHtml(r.window)}</span>` : ''}</summary><pre><code>${escapeHtml(r.expr)}</code></pre></details>`)
    .join('');
  const banner =
    x === 'no-data' || x === 'stale' || x === 'unavailable'
      ? `<p class="banner ${x}" role="alert">${x === 'unavailable' ? escapeHtml(slo.reason ?? 'needs a query API') : x === 'stale' ? `No new data since ${time(slo.lastDataAt, zone)}: these numbers are old.` : 'No data: nothing feeds this SLI. It is not healthy, it is unknown.'}</p>`
      : '';
  // A limit that drops data makes every number below partial: say so before them.
  const limited = (slo.warnings ?? [])
    .map((w) => `<p class="banner limit" role="alert" data-fact="warning">Partial data (${escapeHtml(w.field)}): ${escapeHtml(w.reason)}.</p>`)
    .join('');
  const m = slo.maintenance;
  // At 3 a.m. a silent page must say why it is silent.
  const maint = m?.active
    ? `<p class="banner maint" role="status">Planned maintenance <b>${escapeHtml(m.active.name)}</b> until ${time(m.active.until, zone)}: alerts are silenced in Alertmanager${m.active.excludedFromBudget ? ' and events during it are left out of the budget' : ''}.</p>`
    : m?.next
      ? `<p class="muted" data-fact="next-maintenance">Next planned maintenance: <b>${escapeHtml(m.next.name)}</b>, ${time(m.next.start, zone)} – ${time(m.next.end, zone)}.</p>`
      : '';
  return (
    `<p><a href="/" data-link>← all SLOs</a> <span class="muted">(Esc)</span></p>` +
    `<h1>${escapeHtml(slo.service)} / ${escapeHtml(slo.name)} <span class="badge ${x}">${escapeHtml(x)}</span></h1>` +
    banner +
    limited +
    maint +
    `<p>${escapeHtml(slo.description)}</p>` +
    `<dl class="facts"><dt>Objective</dt><dd>${escapeHtml(slo.objectivePercent)}% over ${escapeHtml(slo.calendar ? `the calendar ${slo.calendar.unit} (${slo.calendar.timeZone})` : slo.window)}</dd>` +
    `<dt>SLI now</dt><dd data-fact="sli">${percent(g?.windows[slo.window]?.sli)}</dd>` +
    `<dt>Budget left</dt><dd data-fact="budget">${percent(g?.budgetRemaining, 1)}</dd>` +
    `<dt>Budget lasts</dt><dd data-fact="exhaustion">${duration(g?.exhaustionSeconds)}${g?.exhaustionSeconds ? ` <span class="muted">(until ${time(Date.now() + g.exhaustionSeconds * 1000, zone)})</span>` : ''}</dd>` +
    `<dt>Data as of</dt><dd>${time(slo.lastDataAt, zone)}</dd>` +
    `<dt>Links</dt><dd>${[
      safeUrl(slo.links.dashboard) ? `<a href="${escapeHtml(slo.links.dashboard)}" target="_blank" rel="noopener">Grafana dashboard</a>` : '',
      safeUrl(slo.links.runbook) ? `<a href="${escapeHtml(slo.links.runbook!)}" target="_blank" rel="noopener">runbook</a>` : '',
    ].filter(Boolean).join(' · ') || '–'}</dd></dl>` +
    groups +
    `<section><h2>SLI against the objective</h2><div class="chart" id="chart-sli"></div></section>` +
    `<section><h2>Error budget burn-down</h2><div class="chart" id="chart-budget"></div></section>` +
    `<section><h2>Burn rate per window</h2><div class="chart" id="chart-burn"></div></section>` +
    `<section><h2>Alert tiers</h2><table class="tiers"><thead><tr><th>Tier</th><th>Severity</th><th>Windows (long / short)</th><th>Factor</th><th>For</th><th>Burn long</th><th>Burn short</th><th>State</th></tr></thead><tbody>${tiers}</tbody></table></section>` +
    `<section><h2>Definition</h2><p class="muted">${escapeHtml(slo.definition.file)}:${slo.definition.line} (${escapeHtml(slo.definition.format)})</p><pre class="yaml"><code>${escapeHtml(slo.definition.yaml ?? '(the file is no longer readable)')}</code></pre><h3>Generated PromQL</h3>${rules}</section>`
  );
}

/** Draws the three charts of one group; returns them so a refresh can replace their data. */
export function drawCharts(slo: SloDetailJson, history: HistoryJson, groupIndex: number, zone: Zone): uPlot[] {
  const g = history.groups[groupIndex] ?? history.groups[0];
  const times = history.times;
  if (!g || times.length === 0) return [];
  const flat = (v: number) => times.map(() => v);
  const end = times[times.length - 1]!;
  const last = [...g.budgetRemaining].reverse().find((v) => v !== null) ?? null;
  const windowSeconds = end - history.windowStart;
  // Where this group's budget goes at the burn the API projects from (the fastest paging window):
  // drawn from the last point to exhaustion, or one window on.
  const lasts = slo.groups[groupIndex]?.exhaustionSeconds ?? null;
  const projecting = last !== null && last > 0 && lasts !== null && lasts > 0;
  const exhaustAfter = projecting ? Math.min(windowSeconds, lasts) : 0;
  const projTimes = projecting ? [...times, end + exhaustAfter] : times;
  const projected = projTimes.map((_t, i) => (!projecting ? null : i === times.length - 1 ? last : i === times.length ? last * (1 - exhaustAfter / lasts) : null));
  const pad = (arr: Array<number | null>) => (projecting ? [...arr, null] : arr);
  const charts: uPlot[] = [];
  charts.push(
    lineChart(document.getElementById('chart-sli')!, '', times, [
      { label: 'SLI per step', values: g.sli, color: PALETTE[0]! },
      { label: `objective ${(history.objective * 100).toFixed(3)}%`, values: flat(history.objective), color: '#ef4444', dash: [6, 4] },
    ], zone, (v) => `${(v * 100).toFixed(2)}%`),
  );
  charts.push(
    lineChart(document.getElementById('chart-budget')!, '', projTimes, [
      { label: 'budget left', values: pad(g.budgetRemaining), color: PALETTE[0]!, width: 2 },
      { label: 'ideal', values: pad(times.map((t) => 1 - (t - history.windowStart) / windowSeconds)), color: '#10b981', dash: [6, 4] },
      { label: 'projected at the current burn', values: projected, color: '#ef4444', dash: [2, 3] },
    ], zone, (v) => `${(v * 100).toFixed(0)}%`),
  );
  const windows = Object.keys(g.burn);
  const factors = [...new Set(slo.tiers.map((t) => t.factor))];
  charts.push(
    lineChart(document.getElementById('chart-burn')!, '', times, [
      ...windows.map((w, i) => ({ label: `burn ${w}`, values: g.burn[w]!, color: PALETTE[i % PALETTE.length]! })),
      ...factors.map((f) => ({ label: `threshold ${burn(f)}x`, values: flat(f), color: '#ef4444', dash: [6, 4], width: 1 })),
    ], zone, (v) => `${burn(v)}x`, [0, null]),
  );
  return charts;
}
