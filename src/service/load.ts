import type { Slo } from '../model/slo.js';
import { formatProblem } from '../spec/errors.js';
import { loadSlos, type LoadOptions } from '../spec/load.js';

export type LoadOutcome = { ok: true; slos: Slo[]; warnings: string[] } | { ok: false; message: string };

/** Loads an SLO set for the engine; any error refuses the whole set, with every problem listed. */
export function loadSet(paths: readonly string[], options: LoadOptions): LoadOutcome {
  const result = loadSlos(paths.length ? [...paths] : ['slos'], options);
  const errors = result.problems.filter((p) => p.severity === 'error');
  const warnings = result.problems.filter((p) => p.severity !== 'error').map(formatProblem);
  if (errors.length) {
    return { ok: false, message: `${errors.length} error${errors.length > 1 ? 's' : ''} in ${result.files.length} SLO file${result.files.length === 1 ? '' : 's'}:\n${errors.map(formatProblem).join('\n')}` };
  }
  if (result.slos.length === 0) return { ok: false, message: `no SLOs found under ${paths.join(', ')}; point the engine at a folder of SLO YAML` };
  return { ok: true, slos: result.slos, warnings };
}
