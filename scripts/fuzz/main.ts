/**
 * `npm run fuzz`: the fuzz properties of the test suite (test/fuzz/properties.ts, one copy) with
 * hundreds of thousands of cases, then mutated bodies through the real HTTP server. Prints cases
 * and time per property, each failure with its seed and path to replay, and memory (peak RSS,
 * heap) to show it stays bounded.
 *
 *   FUZZ_RUNS=800000      cases across the decoder and loader properties, split by weight
 *   FUZZ_HTTP_RUNS=5000   mutated bodies POSTed to a real engine
 *   FUZZ_SEED=… FUZZ_PATH=… FUZZ_ONLY="part of a property name"   replay one failure
 */
import fc from 'fast-check';
import { httpProperty, startFuzzEngine } from '../../test/fuzz/http.js';
import { PROPERTIES, type FuzzProperty } from '../../test/fuzz/properties.js';
import { casesFor, FUZZ_SEED, params } from '../../test/fuzz/run.js';

const TOTAL = Number(process.env.FUZZ_RUNS ?? 800_000);
const HTTP_RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 5_000);
const ONLY = process.env.FUZZ_ONLY;
/** Cases per fast-check run: memory is sampled between chunks, each chunk with its own seed. */
const CHUNK = 5_000;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const peakRss = () => process.resourceUsage().maxRSS * 1024;

interface Row {
  name: string;
  cases: number;
  seconds: number;
  heapAfter: number;
  failed: boolean;
}

async function runProperty(name: string, make: FuzzProperty['property'], cases: number): Promise<Row> {
  const t0 = performance.now();
  let done = 0;
  let failed = false;
  for (let chunk = 0; done < cases && !failed; chunk++) {
    const n = Math.min(CHUNK, cases - done);
    // Chunk k of a run uses seed + k: a failure prints the seed that replays it.
    const p = { ...params(n), seed: (FUZZ_SEED + chunk) | 0 };
    const details = await fc.check(make() as fc.IAsyncProperty<unknown>, p);
    done += details.numRuns;
    if (details.failed) {
      failed = true;
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      console.log(`\nFAILED: ${name}\n${fc.defaultReportMessage(details)}\ncause: ${cause}`);
      console.log(`replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath}${name.startsWith('HTTP') ? '' : ' FUZZ_HTTP_RUNS=0'} FUZZ_ONLY=${JSON.stringify(name)} npm run fuzz\n`);
    }
  }
  return { name, cases: done, seconds: (performance.now() - t0) / 1000, heapAfter: process.memoryUsage().heapUsed, failed };
}

function print(row: Row): void {
  const rate = row.cases / Math.max(row.seconds, 1e-3);
  console.log(`${row.failed ? 'FAIL' : 'ok  '} ${String(row.cases).padStart(8)} cases ${row.seconds.toFixed(1).padStart(7)} s ${rate.toFixed(0).padStart(7)}/s  heap ${mib(row.heapAfter).padStart(8)}  peak RSS ${mib(peakRss()).padStart(8)}  ${row.name}`);
}

async function main(): Promise<void> {
  console.log(`fuzz: seed ${FUZZ_SEED}, ${TOTAL} decoder/loader cases, ${HTTP_RUNS} over HTTP, node ${process.version}`);
  const t0 = performance.now();
  const rows: Row[] = [];
  for (const p of PROPERTIES) {
    if (ONLY && !p.name.includes(ONLY)) continue;
    const row = await runProperty(p.name, p.property, casesFor(p, TOTAL, PROPERTIES));
    print(row);
    rows.push(row);
  }
  const httpName = 'HTTP: mutated remote-write and OTLP bodies get 2xx or 4xx with a reason, never 5xx, and /readyz stays up';
  if (HTTP_RUNS > 0 && (!ONLY || httpName.includes(ONLY))) {
    const engine = await startFuzzEngine();
    try {
      const row = await runProperty(httpName, () => httpProperty(() => engine.url), HTTP_RUNS);
      print(row);
      rows.push(row);
    } finally {
      await engine.close();
    }
  }
  const cases = rows.reduce((n, r) => n + r.cases, 0);
  const failed = rows.filter((r) => r.failed);
  console.log(
    `\n${cases} cases in ${((performance.now() - t0) / 1000).toFixed(0)} s, ${failed.length} propert${failed.length === 1 ? 'y' : 'ies'} failed; ` +
      `peak RSS ${mib(peakRss())}, heap now ${mib(process.memoryUsage().heapUsed)}`,
  );
  process.exitCode = failed.length ? 1 : 0;
}

await main();
