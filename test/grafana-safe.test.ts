import { describe, expect, it } from 'vitest';
import { outOfGrafanasReach } from '../src/promql/grafana-safe.js';
import { checkPromql } from '../src/promql/parse.js';
import { promtool, scratchDir, writeFiles } from './helpers/promtool.js';

/** Hand-written PromQL holding everything Grafana would replace, in every place PromQL allows it. */
const QUERIES: Array<[string, string]> = [
  ['a double-quoted value', 'm{path="$service [[x]] ${slo}"}'],
  ['a single-quoted value', "m{path='$service [[x]] ${slo}'}"],
  ['a backtick regex with backslashes and quotes', 'm{path=~`\\$service \\[\\[x]] \\$\\{slo}`, q=`say "hi"`}'],
  ['an escaped quote before a variable', 'm{q="\\"$service"}'],
  ['a comment', 'sum(m{path!=""}) # by $service and [[x]]\n  > 0'],
  ['a range and a subquery, which must stay as they are', 'max_over_time(sum(rate(m{path!=""}[5m]))[10m:1m])'],
];

describe('hand-written PromQL put into a dashboard', () => {
  it.each(QUERIES)('with %s keeps nothing Grafana would replace and still parses', (_name, expr) => {
    const safe = outOfGrafanasReach(expr);
    expect(safe).not.toMatch(/\$\w|\$\{|\[\[/);
    expect(checkPromql(safe), safe).toBeUndefined();
  });

  it('leaves a query without strings or comments byte for byte', () => {
    const expr = 'max_over_time(sum(rate(m[5m]))[10m:1m]) > 0.5';
    expect(outOfGrafanasReach(expr)).toBe(expr);
  });

  it('selects and returns the same series as written, in promtool', () => {
    const series = [
      { series: 'm{path="$service [[x]] ${slo}", q="say \\"hi\\""}', values: '1x3' },
      { series: 'm{path="other", q="\\"$service"}', values: '2x3' },
    ];
    /** What the expression returns at 1m, as promtool prints it when it differs from "nothing". */
    const results = (expr: string): string => {
      const dir = scratchDir('grafana-safe-');
      writeFiles(dir, {
        'rules.yaml': 'groups: []\n',
        'test.yaml': JSON.stringify({ rule_files: ['rules.yaml'], tests: [{ interval: '1m', input_series: series, promql_expr_test: [{ expr, eval_time: '1m', exp_samples: [] }] }] }),
      });
      const out = promtool(['test', 'rules', 'test.yaml'], dir).output;
      expect(out, expr).not.toMatch(/err:/);
      return out.match(/got: (.*)/)?.[1] ?? '';
    };
    for (const [name, expr] of QUERIES) {
      const asWritten = results(expr);
      expect(asWritten, `${name} selects something`).not.toBe('');
      expect(results(outOfGrafanasReach(expr)), name).toBe(asWritten);
    }
  });
});
