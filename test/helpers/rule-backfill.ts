/**
 * Backfilling recording rules with `promtool tsdb create-blocks-from rules`. promtool evaluates
 * each rule through a running Prometheus' query API, and rules of one run cannot read each
 * other's output, so rules that read recorded series go in later runs: level 0 reads only raw
 * series, level n reads records of levels below n. Each level needs a Prometheus that already
 * has the blocks of the levels before it.
 *
 * Every level must be evaluated at the same timestamps as the levels it reads, as one group
 * evaluates its rules at one timestamp in a live Prometheus. promtool, like Prometheus, offsets
 * a group's evaluations within its interval by a hash of the group's name and file path. So
 * every level is written to the same path, with the original group names: otherwise
 * slo:events_bad:increase5m would subtract a good count taken at one time from a total
 * recorded up to a minute earlier, and show errors on a healthy platform.
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPrometheus } from './prometheus-process.js';
import { parseAllDocuments } from 'yaml';
import { promtool } from './promtool.js';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
  /** Group and file it came from; the group's interval is kept. */
  group: string;
  interval?: string;
  file: string;
}

interface RuleFileYaml {
  groups?: Array<{ name: string; interval?: string; rules?: Array<{ record?: string; alert?: string; expr: string; labels?: Record<string, string> }> }>;
}

export function readRecordingRules(ruleFiles: string[]): RecordingRule[] {
  return ruleFiles.flatMap((file) => {
    const parsed = parseAllDocuments(readFileSync(file, 'utf8'));
    const broken = parsed.flatMap((d) => d.errors);
    if (broken.length) throw new Error(`cannot parse rule file ${file}: ${broken[0]!.message}; check it with promtool check rules`);
    const docs = parsed.map((d) => d.toJS() as RuleFileYaml | null);
    return docs.flatMap((doc) =>
      (doc?.groups ?? []).flatMap((g) =>
        (g.rules ?? []).flatMap((r) => (r.record ? [{ record: r.record, expr: r.expr, labels: r.labels, group: g.name, interval: g.interval, file }] : [])),
      ),
    );
  });
}

/** Metric names an expression reads, with string literals blanked so label values are not taken for names. */
function namesIn(expr: string): Set<string> {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return new Set(code.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []);
}

/** Rules grouped by dependency level: a rule's level is one more than the highest level of any record it reads. */
export function dependencyLevels(rules: RecordingRule[]): RecordingRule[][] {
  const byName = new Map<string, RecordingRule[]>();
  for (const r of rules) byName.set(r.record, [...(byName.get(r.record) ?? []), r]);
  const level = new Map<RecordingRule, number>();
  const levelOf = (r: RecordingRule, path: RecordingRule[]): number => {
    const known = level.get(r);
    if (known !== undefined) return known;
    if (path.includes(r)) throw new Error(`recording rules read each other in a cycle: ${[...path, r].map((x) => x.record).join(' -> ')}`);
    let l = 0;
    for (const name of namesIn(r.expr)) {
      for (const dep of byName.get(name) ?? []) if (dep !== r) l = Math.max(l, levelOf(dep, [...path, r]) + 1);
    }
    level.set(r, l);
    return l;
  };
  const levels: RecordingRule[][] = [];
  for (const r of rules) (levels[levelOf(r, [])] ??= []).push(r);
  return Array.from(levels, (l) => l ?? []);
}

const groupKey = (r: RecordingRule) => `${r.file}\0${r.group}`;

/**
 * One group name per original group, the same at every level. Group names only have to be
 * unique within a file, so equal names from different files get a suffix.
 */
export function backfillGroupNames(rules: RecordingRule[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const r of rules) {
    const key = groupKey(r);
    if (names.has(key)) continue;
    let name = r.group;
    for (let i = 2; taken.has(name); i++) name = `${r.group}-${i}`;
    taken.add(name);
    names.set(key, name);
  }
  return names;
}

/** A rule file holding just these rules, in groups named (see backfillGroupNames) and timed like their originals. */
export function ruleFileFor(rules: RecordingRule[], groupNames: Map<string, string>): string {
  const groups = new Map<string, { name: string; interval?: string; rules: RecordingRule[] }>();
  for (const r of rules) {
    const key = groupKey(r);
    const name = groupNames.get(key);
    if (name === undefined) throw new Error(`no backfill group name for ${r.group} in ${r.file}; pass backfillGroupNames() of all rules`);
    if (!groups.has(key)) groups.set(key, { name, interval: r.interval, rules: [] });
    groups.get(key)!.rules.push(r);
  }
  // JSON is YAML: no dependence on how the yaml package would quote PromQL.
  return JSON.stringify(
    {
      groups: [...groups.values()].map((g) => ({
        name: g.name,
        ...(g.interval ? { interval: g.interval } : {}),
        rules: g.rules.map((r) => ({ record: r.record, expr: r.expr, ...(r.labels ? { labels: r.labels } : {}) })),
      })),
    },
    null,
    1,
  );
}

/** Runs promtool for one level; its blocks land in `outputDir`. Use the same `ruleFile` path for every level. */
export function backfillRules(opts: {
  url: string;
  ruleFile: string;
  rules: RecordingRule[];
  groupNames: Map<string, string>;
  startSec: number;
  endSec: number;
  outputDir: string;
}): void {
  writeFileSync(opts.ruleFile, ruleFileFor(opts.rules, opts.groupNames));
  const r = promtool([
    'tsdb',
    'create-blocks-from',
    'rules',
    `--start=${opts.startSec}`,
    `--end=${opts.endSec}`,
    `--url=${opts.url}`,
    `--output-dir=${opts.outputDir}`,
    '--quiet',
    opts.ruleFile,
  ]);
  // promtool logs every rule it processes; a failed query shows up as level=error or err=.
  if (!r.ok || /level=error|\berr=/.test(r.output)) {
    throw new Error(`promtool could not backfill ${opts.ruleFile} (${[...new Set(opts.rules.map((x) => x.record))].join(', ')}):\n${r.output.slice(0, 4000)}`);
  }
}

/**
 * Backfills `rules` into `dataDir` level by level: for each level a Prometheus without scrape
 * targets is started over the data dir, promtool evaluates the level through it, and the blocks
 * are moved in before the next level starts. Prometheus must not be running on `dataDir`.
 */
export async function backfillRuleLevels(opts: { dir: string; dataDir: string; rules: RecordingRule[]; startSec: number; endSec: number; onLevel?: (i: number, count: number) => void }): Promise<void> {
  const levels = dependencyLevels(opts.rules);
  const groupNames = backfillGroupNames(opts.rules);
  const emptyConfig = join(opts.dir, 'backfill.yml');
  writeFileSync(emptyConfig, 'global: {}\n');
  for (const [i, rules] of levels.entries()) {
    if (rules.length === 0) continue;
    const prometheus = await startPrometheus({ workDir: opts.dir, configFile: emptyConfig, dataDir: opts.dataDir, logName: 'backfill.log' });
    const out = join(opts.dir, `rules-level-${i}`);
    try {
      backfillRules({
        url: prometheus.url,
        // One path for all levels: it decides, with the group name, when promtool evaluates a group.
        ruleFile: join(opts.dir, 'backfill-rules.yml'),
        rules,
        groupNames,
        startSec: opts.startSec,
        endSec: opts.endSec,
        outputDir: out,
      });
    } finally {
      await prometheus.stop();
    }
    // Blocks are picked up by the next start; they overlap the raw ones in time, which
    // Prometheus 2.42 merges at query time (overlapping blocks are always allowed since 2.39).
    for (const block of readdirSync(out)) renameSync(join(out, block), join(opts.dataDir, block));
    opts.onLevel?.(i, rules.length);
  }
}
