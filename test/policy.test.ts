import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, parseDuration } from '../src/model/duration.js';
import { budgetShareFor, defaultTiers, exhaustionTime, factorFor } from '../src/model/policy.js';
import { budgetFromPercent } from '../src/model/numbers.js';

const fixture = (name: string) => parse(readFileSync(new URL(`../../shared/fixtures/sloth/${name}`, import.meta.url), 'utf8'));

describe('the burn-rate policy', () => {
  it('gives the SRE Workbook table for a 30-day window: 14.4, 6, 3 and 1 for 2%, 5%, 10% and 10% of the budget', () => {
    const tiers = defaultTiers(30 * DAY);
    expect(tiers.map((t) => [t.name, t.longWindow, t.shortWindow, t.factor, t.budgetShare])).toEqual([
      ['page-fast', HOUR, 5 * MINUTE, 14.4, 0.02],
      ['page-slow', 6 * HOUR, 30 * MINUTE, 6, 0.05],
      ['ticket-fast', DAY, 2 * HOUR, 3, 0.1],
      ['ticket-slow', 3 * DAY, 6 * HOUR, 1, 0.1],
    ]);
  });

  it("matches Sloth's google-28d catalog window for window and factor for factor", () => {
    const catalog = fixture('windows-google-28d.yaml').spec;
    const period = parseDuration(catalog.sloPeriod)!;
    const expected = [catalog.page.quick, catalog.page.slow, catalog.ticket.quick, catalog.ticket.slow].map((w) => ({
      long: parseDuration(w.longWindow),
      short: parseDuration(w.shortWindow),
      factor: (w.errorBudgetPercent / 100) * (period / parseDuration(w.longWindow)!),
    }));
    const ours = defaultTiers(period);
    ours.forEach((t, i) => {
      expect(t.longWindow).toBe(expected[i]!.long);
      expect(t.shortWindow).toBe(expected[i]!.short);
      expect(t.factor).toBeCloseTo(expected[i]!.factor, 12);
    });
    expect(ours.map((t) => t.factor)).toEqual([13.44, 5.6, 2.8, 0.933333333333]);
  });

  it("reproduces Sloth's example 7d catalog from its budget percentages", () => {
    const c = fixture('windows-example-7d.yaml').spec;
    const period = parseDuration(c.sloPeriod)!;
    const f = (w: { errorBudgetPercent: number; longWindow: string }) => factorFor(w.errorBudgetPercent / 100, period, parseDuration(w.longWindow)!);
    expect([f(c.page.quick), f(c.page.slow), f(c.ticket.quick), f(c.ticket.slow)]).toEqual([13.44, 3.5, 1.4, 0.98]);
  });

  it('turns a factor back into the share of budget spent when the alert fires', () => {
    expect(budgetShareFor(14.4, 30 * DAY, HOUR)).toBe(0.02);
    expect(budgetShareFor(6, 30 * DAY, 6 * HOUR)).toBe(0.05);
  });

  it('spends a 30-day budget in 50 hours at 14.4x and in 5 days at 6x', () => {
    expect(exhaustionTime(14.4, 30 * DAY)).toBe(50 * HOUR);
    expect(exhaustionTime(6, 30 * DAY)).toBe(5 * DAY);
  });

  it('computes the error budget in decimal, so 99.9% leaves exactly 0.001', () => {
    expect(budgetFromPercent(99.9)).toBe(0.001);
    expect(budgetFromPercent(99.95)).toBe(0.0005);
    expect(budgetFromPercent(95)).toBe(0.05);
  });
});
