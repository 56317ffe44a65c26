import { TZDate } from '@date-fns/tz';
import { formatISO } from 'date-fns';
import { durationText } from './durations.js';
import type { MaintenanceWindow, RecurringSchedule } from '../model/maintenance.js';
import type { Slo } from '../model/slo.js';
import { NATIVE_API_VERSION } from '../spec/native.js';

type Raw = Record<string, unknown>;

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function clock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function schedule(r: RecurringSchedule): Raw {
  return {
    ...(r.weekdays.length ? { weekdays: r.weekdays.map((d) => DAY_NAMES[d - 1]) } : {}),
    ...(r.monthDays.length ? { monthDays: [...r.monthDays] } : {}),
    start: clock(r.startMinute),
    duration: durationText(r.duration),
  };
}

/** Local time in the window's zone, with its offset: the instant exactly, and readable. */
function instant(ms: number, zone: string): string {
  return formatISO(new TZDate(ms, zone));
}

export function windowKey(service: string, name: string): string {
  return `${service}\u0000${name}`;
}

/**
 * Windows (by windowKey) whose SLOs were read from more than one file. Written beside each file's
 * SLOs, such a window would be defined once per file, which the loader refuses.
 */
export function windowsAcrossFiles(slos: readonly Slo[]): Set<string> {
  const files = new Map<string, Set<string>>();
  for (const slo of slos) {
    for (const w of slo.maintenance ?? []) {
      const key = windowKey(slo.service, w.name);
      files.set(key, (files.get(key) ?? new Set()).add(slo.source.file));
    }
  }
  return new Set([...files].filter(([, f]) => f.size > 1).map(([key]) => key));
}

/**
 * One `kind: Maintenance` document per window of a service, naming the SLOs that have it, in the
 * order the SLOs (by id) first carry them, so that each SLO reads its windows back in order.
 */
export function maintenanceDocs(sorted: readonly Slo[]): Raw[] {
  const found = new Map<string, { service: string; window: MaintenanceWindow; slos: string[] }>();
  for (const slo of sorted) {
    for (const w of slo.maintenance ?? []) {
      const key = windowKey(slo.service, w.name);
      const entry = found.get(key) ?? { service: slo.service, window: w, slos: [] };
      entry.slos.push(slo.name);
      found.set(key, entry);
    }
  }
  return [...found.values()].map(({ service, window: w, slos }) => ({
    apiVersion: NATIVE_API_VERSION,
    kind: 'Maintenance',
    metadata: { name: w.name },
    spec: {
      service,
      slos,
      timeZone: w.timeZone,
      ...(w.excludeFromBudget ? { excludeFromBudget: true } : {}),
      ...(w.silence ? {} : { silence: false }),
      ...(w.comment ? { comment: w.comment } : {}),
      ...(w.recurring.length ? { recurring: w.recurring.map(schedule) } : {}),
      ...(w.ranges.length ? { windows: w.ranges.map((r) => ({ start: instant(r.start, w.timeZone), end: instant(r.end, w.timeZone) })) } : {}),
    },
  }));
}

/** The SLO with only the windows whose windowKey `keep` accepts; none left is no maintenance at all. */
export function onlyWindows(slo: Slo, keep: (key: string) => boolean): Slo {
  const kept = (slo.maintenance ?? []).filter((w) => keep(windowKey(slo.service, w.name)));
  const { maintenance: _all, ...rest } = slo;
  return kept.length ? { ...rest, maintenance: kept } : rest;
}
