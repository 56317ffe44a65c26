import type { Slo } from '../model/slo.js';
import { tenantIdProblem } from '../model/tenant.js';
import { formatProblem } from '../spec/errors.js';
import { loadSlos, type LoadOptions } from '../spec/load.js';

/** `slo serve --max-slos` when not given. */
export const DEFAULT_MAX_SLOS = 10_000;

export type LoadOutcome = { ok: true; slos: Slo[]; warnings: string[] } | { ok: false; message: string };

/** Loads an SLO set for the engine; any error refuses the whole set, with every problem listed. */
export function loadSet(paths: readonly string[], options: LoadOptions, tenantLabel?: string, maxSlos: number = DEFAULT_MAX_SLOS): LoadOutcome {
  const result = loadSlos(paths.length ? [...paths] : ['slos'], options);
  const errors = result.problems.filter((p) => p.severity === 'error');
  const warnings = result.problems.filter((p) => p.severity !== 'error').map(formatProblem);
  if (errors.length) {
    return { ok: false, message: `${errors.length} error${errors.length > 1 ? 's' : ''} in ${result.files.length} SLO file${result.files.length === 1 ? '' : 's'}:\n${errors.map(formatProblem).join('\n')}` };
  }
  if (tenantLabel) {
    const problems = tenantProblems(result.slos, tenantLabel);
    if (problems.length) return { ok: false, message: `${problems.length} SLO${problems.length > 1 ? 's' : ''} without a valid tenant:\n${problems.join('\n')}` };
  }
  if (result.slos.length > maxSlos) {
    return { ok: false, message: `${result.slos.length} SLOs in ${result.files.length} file${result.files.length === 1 ? '' : 's'} under ${paths.join(', ')}, more than the limit of ${maxSlos} (--max-slos); raise --max-slos or split the SLOs between engines` };
  }
  if (result.slos.length === 0) return { ok: false, message: `no SLOs found under ${paths.join(', ')}; point the engine at a folder of SLO YAML` };
  return { ok: true, slos: result.slos, warnings };
}

/** With tenancy every SLO belongs to exactly one tenant, named by its tenant label. */
function tenantProblems(slos: readonly Slo[], label: string): string[] {
  const out: string[] = [];
  for (const slo of slos) {
    const where = `${slo.source.file}:${slo.source.line}: SLO ${slo.id}`;
    const tenant = slo.labels[label];
    if (tenant === undefined) {
      out.push(`${where}: has no "${label}" label, and with --tenancy every SLO belongs to a tenant; add it to metadata.labels (native, OpenSLO) or labels (Sloth, per service or per SLO)`);
      continue;
    }
    const problem = tenantIdProblem(tenant);
    if (problem) out.push(`${where}: label ${label}=${JSON.stringify(tenant)} is not a tenant ID: ${problem}`);
  }
  return out;
}
