import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MatchIndex, seriesKey } from '../src/engine/ingest.js';
import { SloState } from '../src/engine/slo-state.js';
import { loadSlos } from '../src/spec/load.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';

const SPEC = `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: api }
spec:
  service: web
  objective: 99
  sli:
    events:
      bad: 'req_total{code=~"5.."}'
      total: 'req_total'
      groupBy: [cluster]
`;

const dir = scratchDir('routing-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFiles(dir, { 'slos.yaml': SPEC });
const index = new MatchIndex(loadSlos([join(dir, 'slos.yaml')]).slos.map((s) => new SloState(s)));
const frozen = (l: Record<string, string>) => Object.freeze({ ...l });

describe('routing of matched series', () => {
  it('hands the series that select the same inputs and group one shared route list, and each its own key', () => {
    const a = index.routing(frozen({ __name__: 'req_total', code: '200', cluster: 'c1', pod: 'a' }));
    const b = index.routing(frozen({ __name__: 'req_total', code: '200', cluster: 'c1', pod: 'b' }));
    expect(b.routes).toBe(a.routes);
    expect(b.groups).toBe(a.groups);
    expect(a.key).not.toBe(b.key);
  });

  it('keeps apart series that select other inputs or fall in another group', () => {
    const ok = index.routing(frozen({ __name__: 'req_total', code: '200', cluster: 'c1', pod: 'a' }));
    const bad = index.routing(frozen({ __name__: 'req_total', code: '500', cluster: 'c1', pod: 'a' }));
    const other = index.routing(frozen({ __name__: 'req_total', code: '200', cluster: 'c2', pod: 'a' }));
    expect(bad.routes).toHaveLength(2);
    expect(ok.routes).toHaveLength(1);
    expect(other.groups[0]!.labels).toEqual({ cluster: 'c2' });
    expect(ok.groups[0]!.labels).toEqual({ cluster: 'c1' });
  });

  it('keys a series by its labels sorted by name, whatever their order, after the tenant prefix', () => {
    expect(seriesKey({ b: '2', __name__: 'm', a: '1' })).toBe('__name__\u0001m\u0002a\u00011\u0002b\u00012\u0002');
    expect(seriesKey({ a: '1', __name__: 'm', b: '2' }, 't1\u0000')).toBe('t1\u0000__name__\u0001m\u0002a\u00011\u0002b\u00012\u0002');
  });
});
