import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_SLO_WINDOW } from '../model/constants.js';
import type { Millis } from '../model/duration.js';
import type { TierTemplate } from '../model/policy.js';
import type { Slo } from '../model/slo.js';
import { DocContext } from './context.js';
import type { SpecProblem } from './errors.js';
import { isNative, NATIVE_API_VERSION, readNative } from './native.js';
import { applyMaintenance, isMaintenance } from './maintenance.js';
import { isOpenSloV1, readOpenSloV1 } from './openslo/index.js';
import { isPyrra, readPyrra } from './pyrra.js';
import { isSloGenerator, isSloGeneratorConfig, readSloGenerator } from './slo-generator.js';
import { isOpenSloV1alpha, readOpenSloV1alpha } from './sloth-openslo.js';
import { isSlothAlertWindows, isSlothK8s, isSlothPlain, readAlertWindows, readSloth } from './sloth.js';
import { MAX_FILE_BYTES, readYamlDocuments, type SourceDocument } from './yaml-source.js';

export interface LoadOptions {
  /** Period for Sloth specs, which carry none (Sloth's --default-slo-period). */
  slothPeriod?: Millis;
}

export interface LoadResult {
  slos: Slo[];
  problems: SpecProblem[];
  files: string[];
}

/** Every YAML file under the given files and folders, in a stable order. */
export function findSpecFiles(paths: readonly string[]): { files: string[]; problems: SpecProblem[] } {
  const files: string[] = [];
  const problems: SpecProblem[] = [];
  const walk = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      problems.push({ file: p, line: 1, column: 1, field: '', message: 'no such file or folder', hint: 'check the path', severity: 'error' });
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.')) continue;
        const child = join(p, name);
        if (statSync(child).isDirectory() || /\.ya?ml$/.test(name)) walk(child);
      }
    } else files.push(p);
  };
  paths.forEach(walk);
  return { files: [...new Set(files)], problems };
}

/** Loads, validates and normalises every SLO; problems carry file, line and field. */
export function loadSlos(paths: readonly string[], options: LoadOptions = {}): LoadResult {
  const { files, problems } = findSpecFiles(paths);
  const sources: SpecSource[] = [];
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    try {
      const size = statSync(file).size;
      if (size > MAX_FILE_BYTES) {
        problems.push(tooBig(shown, size));
        continue;
      }
      sources.push({ file: shown, text: readFileSync(file, 'utf8') });
    } catch (e) {
      problems.push({ file: shown, line: 1, column: 1, field: '', message: `cannot read: ${(e as Error).message}`, severity: 'error' });
    }
  }
  const loaded = loadSlosFromTexts(sources, options);
  return { slos: problems.some((p) => p.severity === 'error') ? [] : loaded.slos, problems: [...problems, ...loaded.problems], files };
}

/** One spec file's name (as problems will show it) and its text. */
export interface SpecSource {
  file: string;
  text: string;
}

function tooBig(file: string, size: number): SpecProblem {
  return { file, line: 1, column: 1, field: '', message: `file is ${size} bytes, over the ${MAX_FILE_BYTES}-byte limit`, hint: 'split it into several files', severity: 'error' };
}

/** `loadSlos` over texts already read (the fuzzer and anything else that holds specs in memory). */
export function loadSlosFromTexts(sources: readonly SpecSource[], options: LoadOptions = {}): LoadResult {
  const problems: SpecProblem[] = [];
  const docs: SourceDocument[] = [];
  for (const { file, text } of sources) {
    const size = Buffer.byteLength(text);
    if (size > MAX_FILE_BYTES) {
      problems.push(tooBig(file, size));
      continue;
    }
    const read = readYamlDocuments(file, text);
    problems.push(...read.problems);
    docs.push(...read.docs);
  }
  // Alert-window catalogs first: Sloth SLOs anywhere in the set may use them.
  const windows = new Map<Millis, TierTemplate[]>();
  for (const doc of docs.filter((d) => isSlothAlertWindows(d.value))) {
    const w = readAlertWindows(new DocContext(doc, problems));
    if (w) windows.set(w.period, w.templates);
  }
  const slos: Slo[] = [];
  // Formats whose documents refer to each other across files are read all at once.
  const openSlo: DocContext[] = [];
  const generatorSlos: DocContext[] = [];
  const generatorConfigs: DocContext[] = [];
  const maintenance: DocContext[] = [];
  for (const doc of docs) {
    const ctx = new DocContext(doc, problems);
    const v = doc.value;
    if (isSlothAlertWindows(v)) continue;
    if (isMaintenance(v)) maintenance.push(ctx);
    else if (isNative(v)) {
      const slo = readNative(ctx);
      if (slo) slos.push(slo);
    } else if (isSlothPlain(v) || isSlothK8s(v)) {
      slos.push(...readSloth(ctx, { period: options.slothPeriod ?? DEFAULT_SLO_WINDOW, windows }));
    } else if (isOpenSloV1alpha(v)) {
      slos.push(...readOpenSloV1alpha(ctx));
    } else if (isOpenSloV1(v)) openSlo.push(ctx);
    else if (isPyrra(v)) slos.push(...readPyrra(ctx));
    else if (isSloGenerator(v)) generatorSlos.push(ctx);
    else if (isSloGeneratorConfig(v)) generatorConfigs.push(ctx);
    else if (isRuleFile(v)) {
      // Generated or hand-written rules often sit beside the specs they came from.
      ctx.warn([], 'a Prometheus rule file (groups:) or PrometheusRule, not an SLO spec: skipped', 'keep rule files out of the SLO folders to silence this');
    } else {
      const o = (v ?? {}) as Record<string, unknown>;
      const kind = typeof v === 'object' && v !== null ? `apiVersion ${JSON.stringify(o.apiVersion ?? o.version)}, kind ${JSON.stringify(o.kind)}` : `a ${typeof v}`;
      ctx.error([], `not an SLO document (${kind})`,
        `supported: apiVersion ${NATIVE_API_VERSION} kind SLO or Maintenance; Sloth version "prometheus/v1"; Sloth apiVersion sloth.slok.dev/v1 kind PrometheusServiceLevel or AlertWindows; ` +
        'openslo/v1 (SLO, SLI, Service, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget); openslo/v1alpha SLO; ' +
        'pyrra.dev/v1alpha1 ServiceLevelObjective; sre.google.com/v2 ServiceLevelObjective with its shared config (error_budget_policies)');
    }
  }
  if (openSlo.length) slos.push(...readOpenSloV1(openSlo));
  if (generatorSlos.length) slos.push(...readSloGenerator(generatorSlos, generatorConfigs));
  if (maintenance.length) applyMaintenance(maintenance, slos);
  const seen = new Map<string, Slo>();
  for (const slo of slos) {
    const first = seen.get(slo.id);
    if (first) {
      problems.push({
        file: slo.source.file, line: slo.source.line, column: 1, field: 'name',
        message: `duplicate SLO ${JSON.stringify(slo.id)}: already defined at ${first.source.file}:${first.source.line}`,
        hint: 'give each SLO of a service its own name', severity: 'error',
      });
    } else seen.set(slo.id, slo);
  }
  return { slos: problems.some((p) => p.severity === 'error') ? [] : slos, problems, files: sources.map((s) => s.file) };
}

/** A Prometheus rule file (`groups:` and nothing else we read) or a prometheus-operator PrometheusRule. */
function isRuleFile(v: unknown): boolean {
  const o = v as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) return false;
  if (o.kind === 'PrometheusRule') return true;
  return Array.isArray(o.groups) && Object.keys(o).length === 1;
}
