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

/**
 * One `kind: Maintenance` document per window of a service, naming the SLOs that have it, in the
 * order the SLOs (by id) first carry them, so that each SLO reads its windows back in order.
 */
export function maintenanceDocs(sorted: readonly Slo[]): Raw[] {
  const found = new Map<string, { service: string; window: MaintenanceWindow; slos: string[] }>();
  for (const slo of sorted) {
    for (const w of slo.maintenance ?? []) {
      const key = `${slo.service}\u0000${w.name}`;
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
