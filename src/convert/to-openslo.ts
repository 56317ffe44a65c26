import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { DEFAULT_ALERT_NAME, DEFAULT_NO_DATA_FOR } from '../model/constants.js';
import { formatDuration } from '../model/duration.js';
import type { AlertPolicy, AlertTier, Slo } from '../model/slo.js';
import { DocContext } from '../spec/context.js';
import type { SpecProblem } from '../spec/errors.js';
import { derivedShortWindow, severityOf } from '../spec/openslo/alerting.js';
import { CONDITION_KEYS, key, SLO_KEYS } from '../spec/openslo/annotations.js';
import { toShorthand } from '../spec/openslo/durations.js';
import { readOpenSloV1 } from '../spec/openslo/index.js';
import { isOpenSloName, slug } from '../spec/openslo/names.js';
import type { Raw } from '../spec/openslo/objects.js';
import { BOUNDARY_START_TIME, calendarDuration } from '../spec/openslo/time-window.js';
import { writeIndicator } from '../spec/openslo/write-indicator.js';
import { readYamlDocuments } from '../spec/yaml-source.js';
import { nativeSliForm } from './native-sli.js';
import { byId } from './to-native.js';
import type { ConvertOutput, SloWriter } from './types.js';

/**
 * OpenSLO v1, one SLO document per model SLO, with its SLI and alert policies inline. What
 * OpenSLO cannot hold goes into `slo.caas.dev/` annotations that the reader honours, so that
 * reading the output gives the same SLOs; anything that still reads back differently is listed.
 */
export const toOpenSlo: SloWriter = (slos: readonly Slo[], all: readonly Slo[] = slos): ConvertOutput => {
  const unsupported: string[] = [];
  const names = openSloNames(all);
  const docs = [...slos].sort(byId).map((slo) => sloDocument(slo, names.get(slo.id)!, unsupported));
  return { yaml: docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'), unsupported };
};

function openSloName(name: string): string {
  return isOpenSloName(name) ? name : slug(name) || 'unnamed';
}

/**
 * OpenSLO names are unique per kind across all files, ours only within a service: an SLO whose
 * name another SLO shares (two services' `availability`, or `a_b` and `a.b` written alike) is
 * named after its id, and the reader takes its own name from the name annotation.
 */
function openSloNames(all: readonly Slo[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const s of all) count.set(openSloName(s.name), (count.get(openSloName(s.name)) ?? 0) + 1);
  const taken = new Set([...count].filter(([, n]) => n === 1).map(([name]) => name));
  const out = new Map<string, string>();
  for (const s of [...all].sort(byId)) {
    const own = openSloName(s.name);
    if (count.get(own) === 1) {
      out.set(s.id, own);
      continue;
    }
    const base = openSloName(s.id);
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 59).replace(/-+$/, '')}-${i}`;
    taken.add(name);
    out.set(s.id, name);
  }
  return out;
}

function shorthand(ms: number, what: string, slo: Slo, unsupported: string[]): string {
  const text = toShorthand(ms);
  if (text !== undefined) return text;
  const minutes = `${Math.max(1, Math.round(ms / 60_000))}m`;
  unsupported.push(`${slo.id}: ${what} ${formatDuration(ms)} is written as ${minutes}: OpenSLO durations are whole minutes, hours, days or weeks`);
  return minutes;
}

function sloDocument(slo: Slo, name: string, unsupported: string[]): Raw {
  const annotations: Record<string, string> = {};
  if (name !== slo.name) annotations[key(SLO_KEYS.name)] = slo.name;
  if (slo.convention !== 'native') annotations[key(SLO_KEYS.convention)] = slo.convention;
  if (slo.catalog) annotations[key(SLO_KEYS.catalog)] = JSON.stringify(slo.catalog);
  else if ('groupBy' in slo.sli && slo.sli.groupBy.length) annotations[key(SLO_KEYS.groupBy)] = slo.sli.groupBy.join(',');
  Object.assign(annotations, alertingAnnotations(slo.alerting));
  if (slo.maintenance?.length) {
    unsupported.push(`${slo.id}: maintenance windows (${slo.maintenance.map((m) => m.name).join(', ')}): OpenSLO v1 has no maintenance; keep the Maintenance documents beside the converted file`);
  }
  const indicator = writeIndicator(slo.sli);
  const counted = slo.sli.kind !== 'rawErrorRatio';
  const policies = alertPolicies(slo, counted, unsupported);
  const doc: Raw = {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: {
      name,
      ...(Object.keys(slo.labels).length ? { labels: { ...slo.labels } } : {}),
      annotations,
    },
    spec: {
      ...(slo.description ? { description: slo.description } : {}),
      service: slo.service,
      indicator: { metadata: { name }, spec: indicator.spec },
      timeWindow: [
        slo.calendar
          ? { duration: calendarDuration(slo.calendar.unit), isRolling: false, calendar: { startTime: BOUNDARY_START_TIME, timeZone: slo.calendar.timeZone } }
          : { duration: shorthand(slo.window, 'the window', slo, unsupported), isRolling: true },
      ],
      budgetingMethod: indicator.method,
      objectives: [{ target: slo.objective, ...indicator.objective }],
      ...(policies.length ? { alertPolicies: policies } : {}),
    },
  };
  // The reader is the judge: an SLI that does not read back the same travels in the native form.
  if (!slo.catalog && !isDeepStrictEqual(plain(readBack(doc).slo?.sli), plain(slo.sli))) {
    const native = nativeSliForm(slo.sli);
    if (!native.unwritable.length) annotations[key(SLO_KEYS.sli)] = JSON.stringify(native.form);
  }
  if (!Object.keys(annotations).length) delete doc.metadata.annotations;
  const back = readBack(doc);
  const errors = back.problems.filter((p) => p.severity === 'error');
  if (errors.length) unsupported.push(`${slo.id}: the OpenSLO form does not read back: ${errors.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  else {
    const differ = Object.keys(slo).filter((k) => k !== 'source' && k !== 'maintenance' && !isDeepStrictEqual(plain((back.slo as Raw | undefined)?.[k]), plain((slo as Raw)[k])));
    if (differ.length) unsupported.push(`${slo.id}: ${differ.join(', ')} cannot be written in OpenSLO exactly and read back differently`);
  }
  return doc;
}

/** Model-only alerting settings, as annotations when they differ from what OpenSLO fields give. */
function alertingAnnotations(a: AlertPolicy): Record<string, string> {
  const out: Record<string, string> = {};
  if (a.name !== DEFAULT_ALERT_NAME) out[key(SLO_KEYS.alertName)] = a.name;
  if (Object.keys(a.labels).length) out[key(SLO_KEYS.alertLabels)] = JSON.stringify(a.labels);
  if (Object.keys(a.annotations).length) out[key(SLO_KEYS.alertAnnotations)] = JSON.stringify(a.annotations);
  // alertWhenNoData carries the severity of its policy and the default `for`; anything else needs the annotation.
  if (a.noData && !noDataPolicy(a)) {
    out[key(SLO_KEYS.noData)] = JSON.stringify({ for: formatDuration(a.noData.for), severity: a.noData.severity, ...(a.noData.severityLabel ? { severityLabel: a.noData.severityLabel } : {}) });
  }
  if (a.budgetExhausted) out[key(SLO_KEYS.budgetExhausted)] = JSON.stringify({ for: formatDuration(a.budgetExhausted.for), severity: a.budgetExhausted.severity });
  if (a.minEvents !== undefined) out[key(SLO_KEYS.minEvents)] = String(a.minEvents);
  if (a.runbookUrl !== undefined) out[key(SLO_KEYS.runbookUrl)] = a.runbookUrl;
  return out;
}

/** The tier whose policy can say alertWhenNoData for the no-data alert: same severity and label, default `for`. */
function noDataPolicy(a: AlertPolicy): AlertTier | undefined {
  const n = a.noData;
  if (!n || n.for !== DEFAULT_NO_DATA_FOR) return undefined;
  return a.tiers.find((t) => t.severity === n.severity && t.severityLabel === n.severityLabel);
}

/** One AlertPolicy with one burn-rate AlertCondition per tier; the lookback window is the tier's long window. */
function alertPolicies(slo: Slo, counted: boolean, unsupported: string[]): Raw[] {
  const noDataOn = noDataPolicy(slo.alerting);
  return slo.alerting.tiers.map((t) => {
    const name = openSloName(t.name);
    return {
      kind: 'AlertPolicy',
      metadata: { name },
      spec: {
        alertWhenBreaching: true,
        ...(t === noDataOn ? { alertWhenNoData: true } : {}),
        conditions: [condition(slo, t, name, counted, unsupported)],
        notificationTargets: [],
      },
    };
  });
}

function condition(slo: Slo, t: AlertTier, name: string, counted: boolean, unsupported: string[]): Raw {
  const word = t.severityLabel ?? t.severity;
  const annotations: Record<string, string> = { ...t.annotations };
  if (name !== t.name) annotations[key(CONDITION_KEYS.tier)] = t.name;
  if (t.shortWindow !== derivedShortWindow(t.longWindow, counted)) annotations[key(CONDITION_KEYS.shortWindow)] = formatDuration(t.shortWindow);
  if (severityOf(word) !== t.severity) annotations[key(CONDITION_KEYS.severity)] = t.severity;
  return {
    kind: 'AlertCondition',
    metadata: {
      name,
      ...(Object.keys(t.labels).length ? { labels: { ...t.labels } } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: {
      severity: word,
      condition: {
        kind: 'burnrate',
        op: 'gt',
        threshold: t.factor,
        lookbackWindow: shorthand(t.longWindow, `tier ${t.name}'s long window`, slo, unsupported),
        ...(t.for > 0 ? { alertAfter: shorthand(t.for, `tier ${t.name}'s for`, slo, unsupported) } : {}),
      },
    },
  };
}

/** The document as the reader sees it, with no file of its own. */
function readBack(doc: Raw): { slo?: Slo; problems: SpecProblem[] } {
  const problems: SpecProblem[] = [];
  const { docs } = readYamlDocuments('<openslo>', stringify(doc, { lineWidth: 0 }));
  const slos = readOpenSloV1(docs.map((d) => new DocContext(d, problems)));
  return { slo: problems.some((p) => p.severity === 'error') ? undefined : slos[0], problems };
}

/** Drops undefined fields, which YAML cannot carry and deep equality would count. */
function plain(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}
