import fc from 'fast-check';
import { it } from 'vitest';
import { PROPERTIES } from './properties.js';
import { casesFor, params } from './run.js';

/** Cases across all properties in the test suite: a few thousand, seconds not minutes. */
export const TEST_CASES = Number(process.env.FUZZ_TEST_CASES ?? 4_000);

/** One vitest case per property whose name starts with one of `prefixes`. */
export function fuzzTests(...prefixes: string[]): void {
  for (const p of PROPERTIES.filter((q) => prefixes.some((x) => q.name.startsWith(x)))) {
    const runs = casesFor(p, TEST_CASES, PROPERTIES);
    it(`${p.name} (${runs} cases)`, async () => {
      await fc.assert(p.property() as fc.IAsyncProperty<unknown>, params(runs));
    });
  }
}
