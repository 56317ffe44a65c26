/**
 * Decimal-stable arithmetic for values people read in rules: 99.9% gives a budget of 0.001,
 * not 0.0009999999999999432, and 28d factors print as 5.6, not 5.6000000000000005.
 * Twelve significant digits hide float artefacts and keep every value users can type.
 */
export function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

/** Shortest decimal text for a number, never exponent notation for the magnitudes SLOs use. */
export function formatNumber(x: number): string {
  const t = tidy(x);
  if (Number.isInteger(t)) return String(t);
  const s = String(t);
  if (!s.includes('e')) return s;
  return t.toFixed(20).replace(/0+$/, '');
}

/** 1 - percent/100, in decimal. */
export function budgetFromPercent(percent: number): number {
  return tidy((100 - percent) / 100);
}
