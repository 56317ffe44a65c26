/**
 * Planned maintenance: when windows occur (explicit ranges and recurring schedules in a time zone,
 * across DST), how Maintenance documents load and fail, and what the generated rules do with the
 * engine's slo_maintenance series, run by the real promtool.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HOUR, MINUTE } from '../src/model/duration.js';
import {
  inMaintenance,
  MAINTENANCE_SERIES,
  mergedRanges,
  occurrences,
  parseLocalInstant,
  recurringOccurrences,
  type MaintenanceWindow,
  type RecurringSchedule,
} from '../src/model/maintenance.js';
import { silencePlan } from '../src/engine/maintenance.js';
import { idLabels } from '../src/model/naming.js';
import { silenceKey } from '../src/notify/silences.js';
import type { Slo } from '../src/model/slo.js';
import { DEFAULT_RENDER_OPTIONS, ruleFile, unitTestFile } from '../src/rules/index.js';
import { seriesLabels } from '../src/rules/recording.js';
import { formatProblem } from '../src/spec/errors.js';
import { loadSlos } from '../src/spec/load.js';
import { promtool, scratchDir, writeFiles } from './helpers/promtool.js';

const BERLIN = 'Europe/Berlin';
const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const schedule = (s: Partial<RecurringSchedule>): RecurringSchedule => ({ weekdays: [], monthDays: [], startMinute: 120, duration: 2 * HOUR, ...s });
const window = (w: Partial<MaintenanceWindow>): MaintenanceWindow => ({ name: 'w', timeZone: 'UTC', ranges: [], recurring: [], excludeFromBudget: false, silence: true, comment: '', ...w });

describe('when maintenance windows occur', () => {
  it('starts a Sunday 02:00 Berlin window at 01:00 UTC in winter and 00:00 UTC in summer, two elapsed hours long', () => {
    const sundays = schedule({ weekdays: [7] });
    const got = recurringOccurrences(sundays, BERLIN, utc('2024-03-20T00:00:00Z'), utc('2024-04-10T00:00:00Z')).map((o) => [iso(o.start), iso(o.end)]);
    expect(got).toStrictEqual([
      // 24 March: CET (UTC+1).
      ['2024-03-24T01:00:00.000Z', '2024-03-24T03:00:00.000Z'],
      // 31 March: clocks jump from 02:00 to 03:00, so 02:00 does not exist and moves to 03:00 CEST, 01:00 UTC.
      ['2024-03-31T01:00:00.000Z', '2024-03-31T03:00:00.000Z'],
      // 7 April: CEST (UTC+2).
      ['2024-04-07T00:00:00.000Z', '2024-04-07T02:00:00.000Z'],
    ]);
  });

  it('takes 02:00 on the night clocks go back in October as its second occurrence, in CET', () => {
    const sundays = schedule({ weekdays: [7] });
    const got = recurringOccurrences(sundays, BERLIN, utc('2024-10-19T00:00:00Z'), utc('2024-11-04T00:00:00Z')).map((o) => iso(o.start));
    // 20 October CEST (UTC+2); 27 October 02:00 happens twice, the second time at 01:00 UTC; 3 November CET.
    expect(got).toStrictEqual(['2024-10-20T00:00:00.000Z', '2024-10-27T01:00:00.000Z', '2024-11-03T01:00:00.000Z']);
  });

  it('takes 01:30 on the night clocks go back in New York as its second occurrence too, in EST, schedule and window alike', () => {
    // date-fns alone resolves a repeated local time to its first occurrence west of UTC.
    const NEW_YORK = 'America/New_York';
    const got = recurringOccurrences(schedule({ startMinute: 90, duration: HOUR }), NEW_YORK, utc('2025-11-01T12:00:00Z'), utc('2025-11-03T00:00:00Z')).map((o) => iso(o.start));
    // 2 November 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
    expect(got).toStrictEqual(['2025-11-02T06:30:00.000Z']);
    expect(iso(parseLocalInstant('2025-11-02T01:30', NEW_YORK)!)).toBe('2025-11-02T06:30:00.000Z');
    expect(iso(parseLocalInstant('2025-04-05T23:30', 'America/Santiago')!)).toBe('2025-04-06T03:30:00.000Z');
    // Times that happen once, and times with an offset, stay as they are.
    expect(iso(parseLocalInstant('2025-11-02T00:30', NEW_YORK)!)).toBe('2025-11-02T04:30:00.000Z');
    expect(iso(parseLocalInstant('2025-11-02T01:30-04:00', NEW_YORK)!)).toBe('2025-11-02T05:30:00.000Z');
  });

  it('finds the last Sunday of every month from weekdays and days counted from the month end', () => {
    const lastSunday = schedule({ weekdays: [7], monthDays: [-7, -6, -5, -4, -3, -2, -1], startMinute: 0, duration: HOUR });
    const days = recurringOccurrences(lastSunday, BERLIN, utc('2024-01-01T00:00:00Z'), utc('2025-01-01T00:00:00Z')).map((o) => new Date(o.start + 2 * HOUR).toISOString().slice(0, 10));
    // The last Sundays of 2024 (midnight local is the evening before in UTC, hence + 2h before taking the date).
    expect(days).toStrictEqual(['2024-01-28', '2024-02-25', '2024-03-31', '2024-04-28', '2024-05-26', '2024-06-30', '2024-07-28', '2024-08-25', '2024-09-29', '2024-10-27', '2024-11-24', '2024-12-29']);
  });

  it('skips month days a month does not have and counts -1 as the last day, 29 February in a leap year', () => {
    const on31st = recurringOccurrences(schedule({ monthDays: [31] }), 'UTC', utc('2024-01-01T00:00:00Z'), utc('2024-07-01T00:00:00Z')).map((o) => iso(o.start).slice(0, 10));
    expect(on31st).toStrictEqual(['2024-01-31', '2024-03-31', '2024-05-31']);
    const lastDay = recurringOccurrences(schedule({ monthDays: [-1] }), 'UTC', utc('2024-02-01T00:00:00Z'), utc('2024-04-01T00:00:00Z')).map((o) => iso(o.start).slice(0, 10));
    expect(lastDay).toStrictEqual(['2024-02-29', '2024-03-31']);
  });

  it('includes an occurrence that began before the range and is still on, and none that ended before it', () => {
    const nightly = schedule({ startMinute: 22 * 60, duration: 4 * HOUR });
    const got = recurringOccurrences(nightly, 'UTC', utc('2024-05-02T01:00:00Z'), utc('2024-05-02T12:00:00Z'));
    expect(got.map((o) => [iso(o.start), iso(o.end)])).toStrictEqual([['2024-05-01T22:00:00.000Z', '2024-05-02T02:00:00.000Z']]);
    expect(recurringOccurrences(nightly, 'UTC', utc('2024-05-02T02:00:00Z'), utc('2024-05-02T12:00:00Z'))).toStrictEqual([]);
  });

  it('reads window times without an offset as local time in the zone, and with Z or an offset as written', () => {
    expect(iso(parseLocalInstant('2024-03-31T01:30', BERLIN)!)).toBe('2024-03-31T00:30:00.000Z');
    expect(iso(parseLocalInstant('2024-07-01T12:00:00', BERLIN)!)).toBe('2024-07-01T10:00:00.000Z');
    expect(iso(parseLocalInstant('2024-07-01T12:00:00Z', BERLIN)!)).toBe('2024-07-01T12:00:00.000Z');
    expect(iso(parseLocalInstant('2024-07-01T12:00:00+05:00', BERLIN)!)).toBe('2024-07-01T07:00:00.000Z');
    expect(iso(parseLocalInstant('2024-07-01', 'America/New_York')!)).toBe('2024-07-01T04:00:00.000Z');
    for (const bad of ['2024-02-30T01:00', '2024-13-01', 'next sunday', '2024-07-01T25:00', '1719835200']) expect(parseLocalInstant(bad, BERLIN), bad).toBeUndefined();
  });

  it('is in maintenance from the start of a range up to, not including, its end', () => {
    const w = window({ ranges: [{ start: 1000, end: 2000 }] });
    expect([999, 1000, 1999, 2000].map((t) => inMaintenance([w], t))).toStrictEqual([false, true, true, false]);
  });

  it('merges overlapping ranges and schedules of several windows into disjoint ranges', () => {
    const a = window({ ranges: [{ start: utc('2024-05-01T01:00:00Z'), end: utc('2024-05-01T03:00:00Z') }] });
    const b = window({ recurring: [schedule({ startMinute: 150, duration: HOUR })] });
    const got = mergedRanges([a, b], utc('2024-05-01T00:00:00Z'), utc('2024-05-02T00:00:00Z')).map((r) => [iso(r.start), iso(r.end)]);
    expect(got).toStrictEqual([['2024-05-01T01:00:00.000Z', '2024-05-01T03:30:00.000Z']]);
    expect(occurrences(b, utc('2024-05-01T00:00:00Z'), utc('2024-05-03T00:00:00Z'))).toHaveLength(2);
  });
});

describe('which silences the engine plans', () => {
  const slo = { id: 'my shop-checkout [eu]', service: 'my shop', name: 'checkout [eu]', convention: 'native', sli: { kind: 'events' } } as unknown as Slo;
  const now = utc('2024-05-01T12:00:00Z');
  const w = window({
    name: 'db upgrade',
    comment: 'orders database',
    excludeFromBudget: true,
    ranges: [{ start: now - HOUR, end: now + HOUR }, { start: now - 3 * HOUR, end: now - 2 * HOUR }, { start: now + 30 * HOUR, end: now + 31 * HOUR }],
    recurring: [schedule({ startMinute: 22 * 60, duration: HOUR })],
  });

  it('plans one silence per occurrence under way or starting within the look-ahead, on the SLO identity labels', () => {
    const plan = silencePlan([{ ...slo, maintenance: [w, window({ name: 'quiet', silence: false, ranges: [{ start: now, end: now + HOUR }] })] }], now, 24 * HOUR);
    expect(plan.silences.map((p) => [iso(p.startsAt), iso(p.endsAt)])).toStrictEqual([
      ['2024-05-01T11:00:00.000Z', '2024-05-01T13:00:00.000Z'],
      ['2024-05-01T22:00:00.000Z', '2024-05-01T23:00:00.000Z'],
    ]);
    expect(plan.silences[0]!.matchers).toStrictEqual({ slo_id: 'my shop-checkout [eu]', slo_service: 'my shop', slo_name: 'checkout [eu]' });
    expect(plan.silences[0]!.comment).toBe('Planned maintenance db upgrade of my shop: orders database (left out of the error budget)');
  });

  it('writes keys that read back from a silence comment and belong to the engine that loaded the SLO', () => {
    const plan = silencePlan([{ ...slo, maintenance: [w] }], now, 24 * HOUR);
    for (const p of plan.silences) {
      expect(silenceKey(`${p.comment} [slo-engine ${p.key}]`)).toBe(p.key);
      expect(plan.owns(p.key)).toBe(true);
      expect(silencePlan([], now, HOUR).owns(p.key)).toBe(false);
    }
    expect(silenceKey('Planned maintenance by hand')).toBeUndefined();
  });
});

// ---- loading ---------------------------------------------------------------------------------

const dir = scratchDir('maintenance-');
let n = 0;

const SLOS = `apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: api }
spec:
  service: web
  objective: 99.9
  sli:
    events:
      bad: 'http_requests_total{code=~"5.."}'
      total: 'http_requests_total'
---
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: latency }
spec:
  service: web
  objective: 99
  sli:
    latency: { histogram: http_request_duration_seconds, threshold: 0.5 }
---
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: satisfaction }
spec:
  service: web
  objective: 95
  sli:
    errorRatio:
      promql: '1 - avg(avg_over_time(client_satisfaction_ratio[{{.window}}]))'
---
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: api }
spec:
  service: shop
  objective: 99
  sli:
    events:
      bad: 'shop_requests_total{code=~"5.."}'
      total: 'shop_requests_total'
`;

/** Loads the SLOs above with a Maintenance document in a file of its own. */
function load(maintenance: string, extra: string[] = []) {
  const slos = join(dir, `slos-${n}.yaml`);
  const file = join(dir, `maintenance-${n++}.yaml`);
  writeFileSync(slos, SLOS);
  writeFileSync(file, maintenance);
  const r = loadSlos([slos, file, ...extra]);
  return { ...r, text: r.problems.map(formatProblem).join('\n'), errors: r.problems.filter((p) => p.severity === 'error'), file: file.slice(process.cwd().length + 1) };
}

const doc = (spec: string, name = 'upgrades') => `apiVersion: slo.caas.dev/v1
kind: Maintenance
metadata:
  name: ${name}
spec:
${spec}`;

describe('loading Maintenance documents', () => {
  it('attaches a window to every SLO of its service when it names none, and to no other service', () => {
    const r = load(doc(`  service: web
  timeZone: Europe/Berlin
  excludeFromBudget: true
  comment: kernel upgrades
  windows:
    - { start: "2024-06-01T02:00", end: "2024-06-01T04:00" }
  recurring:
    - { weekdays: [sun, sat], monthDays: [1, -1], start: "02:30", duration: 1h30m }`));
    expect(r.errors).toStrictEqual([]);
    const web = r.slos.filter((s) => s.service === 'web');
    expect(web).toHaveLength(3);
    for (const s of web) {
      expect(s.maintenance).toStrictEqual([{
        name: 'upgrades',
        timeZone: BERLIN,
        ranges: [{ start: utc('2024-06-01T00:00:00Z'), end: utc('2024-06-01T02:00:00Z') }],
        recurring: [{ weekdays: [6, 7], monthDays: [1, -1], startMinute: 150, duration: 90 * MINUTE }],
        excludeFromBudget: true,
        silence: true,
        comment: 'kernel upgrades',
      }]);
    }
    expect(r.slos.find((s) => s.service === 'shop')!.maintenance).toBeUndefined();
  });

  it('attaches it only to the SLOs it names, with silence off when asked, and UTC by default', () => {
    const r = load(doc(`  service: web
  slos: [latency]
  silence: false
  windows: [{ start: "2024-06-01T02:00", end: "2024-06-01T04:00" }]`));
    expect(r.errors).toStrictEqual([]);
    const byName = Object.fromEntries(r.slos.filter((s) => s.service === 'web').map((s) => [s.name, s.maintenance]));
    expect(byName.api).toBeUndefined();
    expect(byName.latency).toMatchObject([{ silence: false, excludeFromBudget: false, timeZone: 'UTC', ranges: [{ start: utc('2024-06-01T02:00:00Z') }] }]);
  });

  it('reaches SLOs read from a Sloth file too', () => {
    const sloth = join(process.cwd(), '../shared/fixtures/sloth/in-getting-started.yml');
    const r = load(doc(`  service: myservice
  windows: [{ start: "2024-06-01T02:00Z", end: "2024-06-01T04:00Z" }]`), [sloth]);
    expect(r.errors).toStrictEqual([]);
    const mine = r.slos.filter((s) => s.service === 'myservice');
    expect(mine.length).toBeGreaterThan(0);
    for (const s of mine) expect(s.maintenance?.[0]?.name).toBe('upgrades');
  });

  it('names an unknown service, where it is written, and the services that have SLOs', () => {
    const r = load(doc(`  service: wbe
  windows: [{ start: "2024-06-01T02:00", end: "2024-06-01T04:00" }]`));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: r.file, line: 6, field: 'spec.service', message: 'no SLO of service "wbe" is loaded' });
    expect(r.errors[0]!.hint).toBe('did you mean "web"? services with SLOs: shop, web');
    expect(r.slos).toStrictEqual([]);
  });

  it('names an unknown SLO of the service and lists the SLOs it has', () => {
    const r = load(doc(`  service: web
  slos: [api, latncy]
  windows: [{ start: "2024-06-01T02:00", end: "2024-06-01T04:00" }]`));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 7, field: 'spec.slos[1]', message: 'service "web" has no SLO "latncy"', hint: 'did you mean "latency"? its SLOs: api, latency, satisfaction' });
  });

  it('refuses an end before its start, a zone the runtime does not know, a date and a time of day that do not exist', () => {
    const r = load(doc(`  service: web
  timeZone: Europe/Berln
  windows: [{ start: "2024-06-01T02:00", end: "2024-06-01T04:00" }]`));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 7, field: 'spec.timeZone', message: '"Europe/Berln" is not a time zone this runtime knows' });

    const times = load(doc(`  service: web
  windows:
    - start: "2024-06-01T04:00"
      end: "2024-06-01T02:00"
    - start: "2024-02-30T02:00"
      end: "2024-03-01T02:00"
  recurring:
    - start: "25:00"
      duration: 1h
    - start: "02:00"
      duration: 40d
    - { monthDays: [0], start: "02:00", duration: 1h }`));
    const at = (field: string) => times.errors.find((e) => e.field === field);
    expect(at('spec.windows[0].end')).toMatchObject({ line: 9, message: 'end 2024-06-01T02:00 is not after start 2024-06-01T04:00' });
    expect(at('spec.windows[1].start')).toMatchObject({ line: 10, message: '"2024-02-30T02:00" is not an ISO 8601 date-time' });
    expect(at('spec.windows[1].start')!.hint).toContain('local time in UTC');
    expect(at('spec.recurring[0].start')).toMatchObject({ line: 13, message: '"25:00" is not a time of day' });
    expect(at('spec.recurring[1].duration')).toMatchObject({ line: 16, message: '40d is longer than 31d' });
    expect(at('spec.recurring[2].monthDays[0]')).toMatchObject({ line: 17, message: '0 is not a day of the month' });
    expect(times.errors).toHaveLength(5);
  });

  it('refuses a schedule duration the schema lets through but Prometheus does not read, instead of dropping the schedule', () => {
    // Units out of order and zero both match the schema's pattern; neither is a duration.
    const r = load(doc(`  service: web
  recurring:
    - { weekdays: [sun], start: "02:00", duration: 30m2h }
    - { weekdays: [sat], start: "02:00", duration: 0m }`));
    expect(r.slos.every((s) => s.maintenance === undefined)).toBe(true);
    expect(r.errors.map((e) => [e.field, e.line, e.message])).toEqual([
      ['spec.recurring[0].duration', 8, '"30m2h" is not a duration longer than zero'],
      ['spec.recurring[1].duration', 9, '"0m" is not a duration longer than zero'],
    ]);
    expect(r.errors[0]!.hint).toMatch(/largest to smallest, e\.g\. 2h or 1h30m/);
  });

  it('checks fields against the published schema, with "did you mean" for a misspelt one', () => {
    const r = load(doc(`  service: web
  excludeFromBuget: true
  recurring: [{ weekdays: [sonday], start: "02:00", duration: 2 hours }]`));
    expect(r.text).toMatch(/maintenance-\d+\.yaml:7:\d+: error: spec\.excludeFromBuget: unknown field "excludeFromBuget"\n\s+fix: did you mean "excludeFromBudget"\?/);
    expect(r.errors.find((e) => e.field === 'spec.recurring[0].weekdays[0]')?.message).toBe('"sonday" is not allowed');
    expect(r.errors.find((e) => e.field === 'spec.recurring[0].duration')?.hint).toBe('write a duration such as 5m, 1h, 28d or 4w');
  });

  it('asks for windows or a schedule, and refuses two Maintenance documents of one service with one name', () => {
    const empty = load(doc('  service: web\n'));
    expect(empty.errors[0]).toMatchObject({ field: 'spec', message: 'the maintenance has no windows and no recurring schedule' });
    const twice = load(`${doc('  service: web\n  windows: [{ start: "2024-06-01T02:00", end: "2024-06-01T04:00" }]')}\n---\n${doc('  service: web\n  windows: [{ start: "2024-07-01T02:00", end: "2024-07-01T04:00" }]')}`);
    expect(twice.errors).toHaveLength(1);
    expect(twice.errors[0]).toMatchObject({ line: 12, field: 'metadata.name' });
    expect(twice.errors[0]!.message).toMatch(/^duplicate Maintenance "upgrades" of service "web": already defined at .*maintenance-\d+\.yaml:1$/);
  });

  it('warns that a raw error-ratio SLO can only be silenced, not left out of its budget', () => {
    const r = load(doc(`  service: web
  excludeFromBudget: true
  windows: [{ start: "2024-06-01T02:00", end: "2024-06-01T04:00" }]`));
    expect(r.errors).toStrictEqual([]);
    const warning = r.problems.find((p) => p.severity === 'warning')!;
    expect(warning).toMatchObject({ line: 7, field: 'spec.excludeFromBudget' });
    expect(warning.message).toBe('satisfaction is a raw error-ratio SLI: there are no events to leave out, so the window only silences it');
    // Its rules read no maintenance series; the SLOs with events do.
    const rules = (id: string) => ruleFile(r.slos.find((s) => s.id === id)!, DEFAULT_RENDER_OPTIONS, 'test');
    expect(rules('web-satisfaction')).not.toContain(MAINTENANCE_SERIES);
    expect(rules('web-api')).toContain(MAINTENANCE_SERIES);
  });

  it('loads the example in slos/ and gives the control-plane SLO its window', () => {
    const r = loadSlos(['slos']);
    expect(r.problems.filter((p) => p.severity === 'error')).toStrictEqual([]);
    const apiserver = r.slos.find((s) => s.id === 'kube-apiserver-requests-availability')!;
    expect(apiserver.maintenance?.map((w) => [w.name, w.timeZone, w.excludeFromBudget])).toStrictEqual([['control-plane-upgrades', BERLIN, true]]);
    expect(r.slos.filter((s) => s.maintenance)).toHaveLength(1);
  });
});

// ---- the generated rules in promtool --------------------------------------------------------

describe('the generated rules with the engine\'s maintenance series', () => {
  const loaded = load(doc(`  service: web
  slos: [api]
  excludeFromBudget: true
  windows: [{ start: "2024-06-01T02:00", end: "2024-06-01T04:00" }]`));
  const slo = loaded.slos.find((s) => s.id === 'web-api')!;

  /** The labels a recorded series of the SLO carries, rendered for promtool's exp_samples. */
  const recorded = (metric: string, window?: string) => {
    const labels: Record<string, string> = { ...seriesLabels(slo, DEFAULT_RENDER_OPTIONS), ...(window ? { slo_window: window } : {}) };
    return `${metric}{${Object.entries(labels).sort().map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
  };
  const own = (metric: string) => `${metric}{slo_id="${slo.id}"}`;

  it('drop both counts while the series is 1, so errors inside the window reach no ratio, and count them without it', () => {
    expect(loaded.errors).toStrictEqual([]);
    const work = scratchDir('maintenance-rules-');
    // 60 requests a minute throughout; 30 errors a minute from minute 30 to 60 only, all inside maintenance (30-65).
    const traffic = [
      { series: 'http_requests_total{code="200"}', values: '0+60x180' },
      { series: 'http_requests_total{code="500"}', values: '0+0x30 30+30x29 900+0x120' },
    ];
    const ids = Object.entries({ ...idLabels(slo), slo_budget: 'excluded' }).map(([k, v]) => `${k}="${v}"`).join(', ');
    const maintenance = { series: `${MAINTENANCE_SERIES}{${ids}, job="slo-engine"}`, values: '0+0x29 1+0x35 0+0x115' };
    const notInMaintenance = { series: maintenance.series, values: '0+0x180' };
    const errorsSeen = { expr: `${own('slo:sli_error:ratio_rate1h')} > bool 0`, eval_time: '90m', exp_samples: [{ labels: recorded('', '1h'), value: 1 }] };
    const test = {
      rule_files: ['web-api.rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          name: 'in maintenance',
          interval: '1m',
          input_series: [...traffic, maintenance],
          promql_expr_test: [
            // Zero, not absent: the SLI still has data, so the no-data alert stays quiet.
            { expr: own('slo:events_total:increase5m'), eval_time: '45m', exp_samples: [{ labels: recorded('slo:events_total:increase5m', '5m'), value: 0 }] },
            { expr: own('slo:events_bad:increase5m'), eval_time: '62m', exp_samples: [{ labels: recorded('slo:events_bad:increase5m', '5m'), value: 0 }] },
            { expr: own('slo:events_total:increase5m'), eval_time: '100m', exp_samples: [{ labels: recorded('slo:events_total:increase5m', '5m'), value: 300 }] },
            // (30m, 90m]: the pieces ending at 35m … 65m were recorded in maintenance and count nothing; 70m … 90m hold 300 requests and no error each.
            { expr: own('slo:events_total:increase1h'), eval_time: '90m', exp_samples: [{ labels: recorded('slo:events_total:increase1h', '1h'), value: 5 * 300 }] },
            { expr: own('slo:sli_error:ratio_rate1h'), eval_time: '90m', exp_samples: [{ labels: recorded('slo:sli_error:ratio_rate1h', '1h'), value: 0 }] },
            { expr: own('slo:period_error_budget_remaining:ratio'), eval_time: '170m', exp_samples: [{ labels: recorded('slo:period_error_budget_remaining:ratio'), value: 1 }] },
            { expr: `ALERTS{slo_id="${slo.id}",alertstate="firing"}`, eval_time: '62m', exp_samples: [] },
          ],
        },
        { name: 'the series at 0', interval: '1m', input_series: [...traffic, notInMaintenance], promql_expr_test: [errorsSeen] },
        { name: 'no series at all', interval: '1m', input_series: traffic, promql_expr_test: [errorsSeen] },
      ],
    };
    writeFiles(work, { 'web-api.rules.yaml': ruleFile(slo, DEFAULT_RENDER_OPTIONS, 'test'), 'maintenance.test.yaml': JSON.stringify(test, null, 2) });
    const r = promtool(['test', 'rules', 'maintenance.test.yaml'], work);
    expect(r.output).toContain('SUCCESS');
    expect(r.ok).toBe(true);
  });

  it('pass their own generated promtool test, whose maintenance scenario fails without the series', () => {
    const work = scratchDir('maintenance-unit-');
    writeFiles(work, { 'web-api.rules.yaml': ruleFile(slo, DEFAULT_RENDER_OPTIONS, 'test') });
    const generated = loadGeneratedTest(slo);
    expect(generated.tests.map((t) => t.name)).toContain('a full outage during maintenance left out of the budget stays silent, and pages once the maintenance ends');
    writeFiles(work, { 'web-api.test.yaml': JSON.stringify(generated) });
    expect(promtool(['test', 'rules', 'web-api.test.yaml'], work).ok).toBe(true);
    // Without the maintenance series the outage pages at once: the scenario's first check must fail.
    for (const t of generated.tests) t.input_series = t.input_series.filter((s) => !s.series.startsWith(MAINTENANCE_SERIES));
    writeFiles(work, { 'web-api.test.yaml': JSON.stringify(generated) });
    const r = promtool(['test', 'rules', 'web-api.test.yaml'], work);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/time: 1h\d+m/);
  });
});

interface PromtoolTest {
  tests: Array<{ name: string; input_series: Array<{ series: string; values: string }> }>;
}

function loadGeneratedTest(slo: Slo): PromtoolTest {
  return parse(unitTestFile(slo, 'web-api.rules.yaml', DEFAULT_RENDER_OPTIONS)) as PromtoolTest;
}
