import { humanDuration } from '../model/duration.js';
import type { Report, ReportRow } from './rows.js';

const pct = (x: number | undefined, digits = 3) => (x === undefined ? '-' : `${(x * 100).toFixed(digits)}%`);
const burn = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2));
const until = (s: number | undefined) => (s === undefined ? '-' : s === 0 ? 'spent' : humanDuration(s * 1000));

function cells(r: ReportRow, windows: string[]): string[] {
  return [
    r.status,
    `${r.service}/${r.name}${r.group ? ` ${r.group}` : ''}`,
    `${r.objective}% / ${r.window}`,
    pct(r.sli),
    pct(r.budgetRemaining, 1),
    ...windows.map((w) => burn(r.burn[w])),
    until(r.exhaustionSeconds),
    r.firing.join(', ') || '-',
  ];
}

function header(windows: string[]): string[] {
  return ['status', 'SLO', 'objective / window', 'SLI', 'budget left', ...windows.map((w) => `burn ${w}`), 'budget lasts', 'firing'];
}

export function formatText(report: Report): string {
  const rows = [header(report.windows), ...report.rows.map((r) => cells(r, report.windows))];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return `SLO report at ${report.at} from ${report.source}\n\n${lines.join('\n')}\n`;
}

export function formatMarkdown(report: Report): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const head = header(report.windows);
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...report.rows.map((r) => `| ${cells(r, report.windows).map(esc).join(' | ')} |`)];
  return `## SLO report\n\nAt ${report.at}, from ${report.source}. Burn rate 1 spends exactly the budget over the SLO window; "budget lasts" projects the fastest paging window's burn rate.\n\n${lines.join('\n')}\n`;
}

export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
