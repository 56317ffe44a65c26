import { describe, expect, it } from 'vitest';
import { formatJson, formatMarkdown, formatText } from '../src/report/format.js';
import { sortRows, type Report, type ReportRow } from '../src/report/rows.js';

const row = (over: Partial<ReportRow>): ReportRow => ({
  service: 'web',
  name: 'api',
  group: '',
  objective: '99.9',
  window: '30d',
  status: 'ok',
  sli: 0.9995,
  budgetRemaining: 0.5,
  burn: { '5m': 0.4, '1h': 0.5 },
  exhaustionSeconds: 30 * 86400,
  firing: [],
  ...over,
});

const report: Report = {
  source: 'http://engine',
  at: '2026-11-21T00:00:00.000Z',
  windows: ['5m', '1h'],
  rows: sortRows([
    row({ name: 'healthy' }),
    row({ name: 'nodata', status: 'no-data', sli: undefined, budgetRemaining: undefined, burn: {}, exhaustionSeconds: undefined }),
    row({ name: 'paging', status: 'burning', budgetRemaining: 0.8, burn: { '5m': 20, '1h': 16 }, firing: ['page-fast'] }),
    row({ name: 'spent', status: 'exhausted', budgetRemaining: -0.25, exhaustionSeconds: 0, group: 'cluster=a|b' }),
  ]),
};

describe('the SLO review report', () => {
  it('puts firing SLOs first, then the least budget, and no-data last', () => {
    expect(report.rows.map((r) => r.name)).toEqual(['paging', 'spent', 'healthy', 'nodata']);
  });

  it('prints an aligned text table with percentages, burn rates and how long the budget lasts', () => {
    const text = formatText(report);
    const lines = text.split('\n');
    expect(lines[0]).toBe('SLO report at 2026-11-21T00:00:00.000Z from http://engine');
    expect(lines[2]).toMatch(/^status\s+SLO\s+objective \/ window\s+SLI\s+budget left\s+burn 5m\s+burn 1h\s+budget lasts\s+firing$/);
    expect(text).toMatch(/burning\s+web\/paging\s+99\.9% \/ 30d\s+99\.950%\s+80\.0%\s+20\.00\s+16\.00\s+30d\s+page-fast/);
    expect(text).toMatch(/exhausted\s+web\/spent cluster=a\|b .*-25\.0%.*spent/);
    expect(text).toMatch(/no-data\s+web\/nodata\s+99\.9% \/ 30d\s+-\s+-\s+-\s+-\s+-\s+-/);
    // Every data line is as wide as its columns: the header's columns line up with the rows'.
    const at = lines[2]!.indexOf('budget left');
    expect(lines.slice(4, 8).every((l) => l.length > at)).toBe(true);
  });

  it('writes Markdown with pipes in values escaped', () => {
    const md = formatMarkdown(report);
    expect(md).toContain('| status | SLO | objective / window | SLI | budget left | burn 5m | burn 1h | budget lasts | firing |');
    expect(md).toContain('web/spent cluster=a\\|b');
    expect(md.split('\n').filter((l) => l.startsWith('| ')).length).toBe(1 + 4);
  });

  it('writes JSON that reads back to the same report', () => {
    expect(JSON.parse(formatJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });
});
