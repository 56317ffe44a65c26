import { describe } from 'vitest';
import { fuzzTests } from './fuzz/suite.js';

describe('fuzzing the OTLP decoders', () => {
  fuzzTests('OTLP:');
});
