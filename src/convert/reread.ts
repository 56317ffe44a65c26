import type { Millis } from '../model/duration.js';
import type { TierTemplate } from '../model/policy.js';
import type { Slo } from '../model/slo.js';
import { DocContext } from '../spec/context.js';
import { formatProblem, type SpecProblem } from '../spec/errors.js';
import { applyMaintenance, isMaintenance } from '../spec/maintenance.js';
import { isNative, readNative } from '../spec/native.js';
import { isSlothAlertWindows, readAlertWindows, readSloth } from '../spec/sloth.js';
import { readYamlDocuments } from '../spec/yaml-source.js';

export interface Reread {
  slos: Map<string, Slo>;
  problems: string[];
}

const FILE = '(converted output)';

/** A writer's native output read back with the native reader. */
export function rereadNative(yaml: string): Reread {
  const problems: SpecProblem[] = [];
  const { docs } = readYamlDocuments(FILE, yaml);
  const slos = new Map<string, Slo>();
  for (const doc of docs) {
    if (!isNative(doc.value) || isMaintenance(doc.value)) continue;
    const slo = readNative(new DocContext(doc, problems));
    if (slo) slos.set(slo.id, slo);
  }
  const maintenance = docs.filter((d) => isMaintenance(d.value)).map((d) => new DocContext(d, problems));
  if (maintenance.length) applyMaintenance(maintenance, [...slos.values()]);
  return { slos, problems: errors(problems) };
}

/** A writer's Sloth output read back as Sloth would be run: with `period` as --default-slo-period. */
export function rereadSloth(yaml: string, period: Millis): Reread {
  const problems: SpecProblem[] = [];
  const { docs } = readYamlDocuments(FILE, yaml);
  const windows = new Map<Millis, TierTemplate[]>();
  for (const doc of docs.filter((d) => isSlothAlertWindows(d.value))) {
    const w = readAlertWindows(new DocContext(doc, problems));
    if (w) windows.set(w.period, w.templates);
  }
  const slos = new Map<string, Slo>();
  for (const doc of docs) {
    if (isSlothAlertWindows(doc.value)) continue;
    for (const slo of readSloth(new DocContext(doc, problems), { period, windows })) slos.set(slo.id, slo);
  }
  return { slos, problems: errors(problems) };
}

function errors(problems: SpecProblem[]): string[] {
  return problems.filter((p) => p.severity === 'error').map(formatProblem);
}
