import { describe, expect, it } from 'vitest';
import { renderHere, splitForRules } from '../src/cli/render-outputs.js';
import { ruleOutputs, DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { loadSlos } from '../src/spec/load.js';

// src/cli/parallel-render.ts renders the rule files of two parts of the SLOs on two threads.
describe('splitting the SLOs between two threads', () => {
  const { slos, problems } = loadSlos(['slos']);
  const opts = { ...DEFAULT_RENDER_OPTIONS, prometheusRule: true, version: 'test' };

  it('gives the same rule files, in the same order, as rendering all SLOs at once', () => {
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(slos.length).toBeGreaterThan(3);
    const whole = [...ruleOutputs(slos, opts)];
    for (const share of [0, 0.25, 0.5, 1]) {
      const [first, second] = splitForRules([...slos].reverse(), share);
      expect(first.length + second.length).toBe(slos.length);
      expect(second.length).toBe(Math.round(slos.length * share));
      expect([...ruleOutputs(first, opts), ...ruleOutputs(second, opts)]).toEqual(whole);
    }
  });

  it('renders everything on one thread as generate always did, when there is no worker', () => {
    const out = renderHere({ slos, rules: opts, dashboards: { grafanaPath: '/dash' } });
    expect([...out.rules]).toEqual([...ruleOutputs(slos, opts)]);
    expect(out.dashboards.size).toBeGreaterThan(4);
  });
});
