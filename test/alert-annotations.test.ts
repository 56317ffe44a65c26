import { describe, expect, it } from 'vitest';
import { stepAlerts, type ActiveAlert, type AnnotationSource, type Condition } from '../src/engine/alert-state.js';

/** Templates that count their expansions: `summary` shows the value. */
function countingSource(): AnnotationSource & { expansions: number } {
  const source = {
    expansions: 0,
    annotationsAt(value: number) {
      source.expansions++;
      return { summary: `burn ${value}` };
    },
  };
  return source;
}

function conditionOf(source: AnnotationSource, value: number, forMs = 0): Condition {
  return { key: 'k', slo: 's', labels: { alertname: 'A' }, source, value, forMs };
}

describe('alert annotations', () => {
  it('are not expanded by an evaluation, only when read, with the value of the last evaluation', () => {
    const alerts = new Map<string, ActiveAlert>();
    const source = countingSource();
    for (const v of [1, 2, 3]) stepAlerts(alerts, [conditionOf(source, v)], 1000 * v);
    expect(source.expansions).toBe(0);
    expect(alerts.get('k')!.annotations).toEqual({ summary: 'burn 3' });
    expect(source.expansions).toBe(1);
  });

  it('keep a record read before a later evaluation as it was', () => {
    const alerts = new Map<string, ActiveAlert>();
    const source = countingSource();
    stepAlerts(alerts, [conditionOf(source, 1)], 1000);
    const before = alerts.get('k')!.annotations;
    stepAlerts(alerts, [conditionOf(source, 2)], 2000);
    expect(before).toEqual({ summary: 'burn 1' });
    expect(alerts.get('k')!.annotations).toEqual({ summary: 'burn 2' });
  });

  it('serialise to the same JSON, in the same field order, as an alert with its annotations written out', () => {
    const alerts = new Map<string, ActiveAlert>();
    stepAlerts(alerts, [conditionOf(countingSource(), 0.5)], 1000);
    const eager = { key: 'k', slo: 's', labels: { alertname: 'A' }, annotations: { summary: 'burn 0.5' }, state: 'firing', activeAt: 1000, value: 0.5, firedAt: 1000 };
    expect(JSON.stringify(alerts.get('k'))).toBe(JSON.stringify(eager));
    expect(Object.keys(alerts.get('k')!)).toEqual(Object.keys(eager));
  });

  it('of an alert restored from the store follow its templates from its first evaluation on', () => {
    const restored: ActiveAlert = JSON.parse(JSON.stringify({ key: 'k', slo: 's', labels: { alertname: 'A' }, annotations: { summary: 'burn 9' }, state: 'firing', activeAt: 1000, value: 9, firedAt: 1000 }));
    const alerts = new Map([['k', restored]]);
    const source = countingSource();
    stepAlerts(alerts, [conditionOf(source, 4)], 5000);
    const a = alerts.get('k')!;
    expect(JSON.stringify(a)).toBe(JSON.stringify({ ...restored, annotations: { summary: 'burn 4' }, value: 4 }));
    expect(source.expansions).toBe(1);
  });
});
