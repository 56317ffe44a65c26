import { describe, expect, it } from 'vitest';
import { checkPromql } from '../src/promql/parse.js';
import { quoteLabelValue } from '../src/promql/quote.js';
import { parseSelector } from '../src/promql/selector-parse.js';
import { leMatcher, renderSelector } from '../src/promql/selector.js';

const HOSTILE = ['a"b', 'back\\slash', 'new\nline', '"}) or vector(1) #', '{{ $labels.x }}', 'tab\there', '\u0001ctl', 'ünïcødé'];

describe('PromQL quoting', () => {
  it.each(HOSTILE)('keeps the hostile value %j inside one string literal', (value) => {
    const sel = renderSelector({ metric: 'm', matchers: [{ label: 'l', op: '=', value }] });
    expect(checkPromql(`sum(rate(${sel}[5m]))`)).toBeUndefined();
    expect(parseSelector(sel).matchers[0]!.value).toBe(value);
  });

  it('escapes exactly the characters that end a string or start an escape', () => {
    expect(quoteLabelValue('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });

  it('matches integer bucket bounds in both the Prometheus 2 and the Prometheus 3 spelling', () => {
    const re = new RegExp(`^(?:${leMatcher(5).value})$`);
    expect(re.test('5')).toBe(true);
    expect(re.test('5.0')).toBe(true);
    expect(re.test('50')).toBe(false);
    const frac = new RegExp(`^(?:${leMatcher(0.25).value})$`);
    expect(frac.test('0.25')).toBe(true);
    expect(frac.test('0x25')).toBe(false);
  });

  it('refuses selectors with ranges or functions, pointing at the character', () => {
    expect(() => parseSelector('rate(x[5m])')).toThrow(/character 5/);
    expect(() => parseSelector('x[5m]')).toThrow(/promql/);
  });
});
