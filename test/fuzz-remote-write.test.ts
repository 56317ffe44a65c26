import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { httpProperty, startFuzzEngine, type FuzzEngine } from './fuzz/http.js';
import { params } from './fuzz/run.js';
import { fuzzTests } from './fuzz/suite.js';

describe('fuzzing the snappy and remote-write decoders', () => {
  fuzzTests('snappy:', 'remote-write:');
});

describe('fuzzing the ingest routes through HTTP', () => {
  let engine: FuzzEngine;
  beforeAll(async () => {
    engine = await startFuzzEngine();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('answers mutated remote-write and OTLP bodies with 2xx or a 4xx and a reason, never 5xx, and stays ready', async () => {
    await fc.assert(httpProperty(() => engine.url), params(Number(process.env.FUZZ_HTTP_CASES ?? 150)));
  });
});
