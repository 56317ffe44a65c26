import type { Slo } from '../model/slo.js';
import { formatProblem } from '../spec/errors.js';
import { loadSlos, type LoadOptions } from '../spec/load.js';

/** Loads SLOs and prints every problem; undefined when any is an error. */
export function loadOrReport(paths: string[], options: LoadOptions): Slo[] | undefined {
  const result = loadSlos(paths.length ? paths : ['slos'], options);
  for (const p of result.problems) console.error(formatProblem(p));
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  if (errors) {
    console.error(`\n${errors} error${errors > 1 ? 's' : ''} in ${result.files.length} file${result.files.length === 1 ? '' : 's'}; nothing was written.`);
    return undefined;
  }
  return result.slos;
}
