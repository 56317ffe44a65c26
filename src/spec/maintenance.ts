import { isKnownTimeZone } from '../model/calendar.js';
import { formatDuration, parseDuration } from '../model/duration.js';
import { MAX_RECURRING_DURATION, parseClock, parseLocalInstant, WEEKDAYS, type MaintenanceWindow, type RecurringSchedule } from '../model/maintenance.js';
import type { Slo } from '../model/slo.js';
import type { DocContext } from './context.js';
import { NATIVE_API_VERSION } from './native.js';
import { checkSchema, closest } from './schema-check.js';
import schema from '../../schema/maintenance.schema.json' with { type: 'json' };

type Raw = Record<string, any>;

/** A native `kind: Maintenance` document: planned maintenance for a service or some of its SLOs. */
export function isMaintenance(v: unknown): boolean {
  return (v as Raw | null)?.apiVersion === NATIVE_API_VERSION && (v as Raw).kind === 'Maintenance';
}

/**
 * Reads every Maintenance document and attaches its windows to the SLOs it names. Runs after
 * every SLO of every format is read, so a window may name SLOs from any file.
 */
export function applyMaintenance(docs: DocContext[], slos: Slo[]): void {
  const seen = new Map<string, DocContext>();
  for (const ctx of docs) {
    const read = readMaintenance(ctx, slos);
    if (!read) continue;
    const key = `${read.service}/${read.window.name}`;
    const first = seen.get(key);
    if (first) {
      ctx.error(['metadata', 'name'], `duplicate Maintenance ${JSON.stringify(read.window.name)} of service ${JSON.stringify(read.service)}: already defined at ${first.file}:${first.line([])}`,
        'give each Maintenance of a service its own name: silences are recognised by it');
      continue;
    }
    seen.set(key, ctx);
    for (const slo of read.targets) slo.maintenance = [...(slo.maintenance ?? []), read.window];
  }
}

function readMaintenance(ctx: DocContext, slos: readonly Slo[]): { service: string; window: MaintenanceWindow; targets: Slo[] } | undefined {
  const doc = ctx.doc.value as Raw;
  if (!checkSchema(ctx, schema, doc)) return undefined;
  const spec = doc.spec as Raw;
  const service = String(spec.service);
  const targets = targetsOf(ctx, spec, slos);
  const timeZone = spec.timeZone === undefined ? 'UTC' : String(spec.timeZone);
  if (!isKnownTimeZone(timeZone)) {
    ctx.error(['spec', 'timeZone'], `${JSON.stringify(timeZone)} is not a time zone this runtime knows`, 'use an IANA name such as Europe/Berlin, America/New_York or UTC');
    return undefined;
  }
  if (!spec.windows?.length && !spec.recurring?.length) {
    ctx.error(['spec'], 'the maintenance has no windows and no recurring schedule', 'add windows: [{start: "2025-06-01T02:00", end: "2025-06-01T04:00"}] or recurring: [{weekdays: [sun], start: "02:00", duration: 2h}]');
  }
  const ranges = ((spec.windows ?? []) as Raw[]).map((w, i) => range(ctx, ['spec', 'windows', i], w, timeZone));
  const recurring = ((spec.recurring ?? []) as Raw[]).map((r, i) => schedule(ctx, ['spec', 'recurring', i], r));
  if (!targets || ctx.failed) return undefined;
  const window: MaintenanceWindow = {
    name: String(doc.metadata.name),
    timeZone,
    ranges: ranges.filter((r): r is { start: number; end: number } => r !== undefined),
    recurring: recurring.filter((r): r is RecurringSchedule => r !== undefined),
    excludeFromBudget: spec.excludeFromBudget === true,
    silence: spec.silence !== false,
    comment: (spec.comment as string | undefined) ?? '',
  };
  const ratios = targets.filter((s) => s.sli.kind === 'rawErrorRatio');
  if (window.excludeFromBudget && ratios.length) {
    ctx.warn(['spec', 'excludeFromBudget'], `${ratios.map((s) => s.name).join(', ')} ${ratios.length > 1 ? 'are raw error-ratio SLIs' : 'is a raw error-ratio SLI'}: there are no events to leave out, so the window only silences ${ratios.length > 1 ? 'them' : 'it'}`,
      'write the SLI as events to leave maintenance out of its budget, or list the other SLOs in spec.slos');
  }
  return { service, window, targets };
}

/** The SLOs a document names, or every SLO of its service; undefined after reporting an unknown name. */
function targetsOf(ctx: DocContext, spec: Raw, slos: readonly Slo[]): Slo[] | undefined {
  const service = String(spec.service);
  const ofService = slos.filter((s) => s.service === service);
  if (ofService.length === 0) {
    const services = [...new Set(slos.map((s) => s.service))].sort();
    const guess = closest(service, services);
    ctx.error(['spec', 'service'], `no SLO of service ${JSON.stringify(service)} is loaded`,
      services.length ? `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}services with SLOs: ${services.join(', ')}` : 'load the files of its SLOs together with this one');
    return undefined;
  }
  if (!spec.slos) return ofService;
  const names = ofService.map((s) => s.name).sort();
  const out: Slo[] = [];
  (spec.slos as string[]).forEach((name, i) => {
    const slo = ofService.find((s) => s.name === name);
    if (slo) out.push(slo);
    else {
      const guess = closest(name, names);
      ctx.error(['spec', 'slos', i], `service ${JSON.stringify(service)} has no SLO ${JSON.stringify(name)}`, `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}its SLOs: ${names.join(', ')}`);
    }
  });
  return out.length === spec.slos.length ? out : undefined;
}

function range(ctx: DocContext, at: Array<string | number>, raw: Raw, zone: string): { start: number; end: number } | undefined {
  const start = instant(ctx, [...at, 'start'], raw.start, zone);
  const end = instant(ctx, [...at, 'end'], raw.end, zone);
  if (start === undefined || end === undefined) return undefined;
  if (end <= start) {
    ctx.error([...at, 'end'], `end ${raw.end} is not after start ${raw.start}`, 'swap them, or fix the date: a window runs from start up to end');
    return undefined;
  }
  return { start, end };
}

function instant(ctx: DocContext, at: Array<string | number>, text: string, zone: string): number | undefined {
  const ms = parseLocalInstant(text, zone);
  if (ms === undefined) {
    ctx.error(at, `${JSON.stringify(text)} is not an ISO 8601 date-time`,
      `write e.g. "2025-06-01T02:00" (local time in ${zone}) or "2025-06-01T00:00:00Z", a real date in quotes`);
  }
  return ms;
}

function schedule(ctx: DocContext, at: Array<string | number>, raw: Raw): RecurringSchedule | undefined {
  const startMinute = parseClock(String(raw.start));
  if (startMinute === undefined) ctx.error([...at, 'start'], `${JSON.stringify(raw.start)} is not a time of day`, 'write HH:MM on a 24-hour clock in quotes, e.g. "02:00" or "22:30"');
  const duration = parseDuration(String(raw.duration));
  if (duration === undefined) {
    ctx.error([...at, 'duration'], `${JSON.stringify(raw.duration)} is not a duration longer than zero`, 'write a Prometheus duration with units from largest to smallest, e.g. 2h or 1h30m');
  } else if (duration > MAX_RECURRING_DURATION) {
    ctx.error([...at, 'duration'], `${raw.duration} is longer than ${formatDuration(MAX_RECURRING_DURATION)}`, 'use explicit windows for long stretches, or a shorter duration');
  }
  const monthDays = (raw.monthDays ?? []) as number[];
  const zero = monthDays.indexOf(0);
  if (zero >= 0) ctx.error([...at, 'monthDays', zero], '0 is not a day of the month', 'use 1 to 31, or -1 (the last day) to -31');
  if (startMinute === undefined || duration === undefined || duration > MAX_RECURRING_DURATION || zero >= 0) return undefined;
  const weekdays = ((raw.weekdays ?? []) as string[]).map((d) => WEEKDAYS[d]!);
  return { weekdays: [...new Set(weekdays)].sort(), monthDays, startMinute, duration };
}
