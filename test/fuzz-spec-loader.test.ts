import { describe, expect, it } from 'vitest';
import { corpusSize } from './fuzz/properties.js';
import { fuzzTests } from './fuzz/suite.js';

describe('fuzzing the SLO spec loader', () => {
  it('mutates a corpus of real specs read in place from slos/ and the shared fixtures', () => {
    expect(corpusSize()).toBeGreaterThan(20);
  });
  fuzzTests('spec loader:');
});
