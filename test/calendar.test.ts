/**
 * Calendar windows: the period's start is computed by date-fns in the engine and by PromQL in the
 * generated rules (PromQL knows only UTC, so the zone's daylight-saving steps are written into the
 * expression). Both must name the same instant, and the rules and the engine must count the same
 * events since it.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { periodStart, type CalendarWindow, type CalendarUnit, offsetSteps } from '../src/model/calendar.js';
import { HOUR, MINUTE } from '../src/model/duration.js';
import { localPeriodStartExpr, localTimeExpr, periodStartExpr } from '../src/promql/calendar.js';
import { DEFAULT_RENDER_OPTIONS, ruleFile } from '../src/rules/index.js';
import { loadSlos } from '../src/spec/load.js';
import { sloExposition } from '../src/server/slo-metrics.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { sampleExpr, stepsToNotation } from './helpers/alert-timeline.js';
import { instantQuery } from './helpers/prometheus-api.js';
import { startPrometheus, type PrometheusProcess } from './helpers/prometheus-process.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('a calendar period starts at the calendar boundary in its time zone', () => {
  const at = (unit: CalendarUnit, timeZone: string, when: string) => iso(periodStart({ unit, timeZone }, Date.parse(when)));

  it('starts a Berlin month at local midnight of the 1st, in winter and in summer time', () => {
    expect(at('month', 'Europe/Berlin', '2026-03-31T12:00:00Z')).toBe('2026-02-28T23:00:00.000Z');
    expect(at('month', 'Europe/Berlin', '2026-04-01T12:00:00Z')).toBe('2026-03-31T22:00:00.000Z');
  });

  it('starts an ISO week on Monday, a quarter on the 1st of Jan/Apr/Jul/Oct, a year on Jan 1st', () => {
    expect(at('week', 'America/New_York', '2026-11-21T12:00:00Z')).toBe('2026-11-16T05:00:00.000Z');
    expect(at('quarter', 'Europe/Berlin', '2026-05-15T00:00:00Z')).toBe('2026-03-31T22:00:00.000Z');
    expect(at('year', 'UTC', '2026-05-15T00:00:00Z')).toBe('2026-01-01T00:00:00.000Z');
  });

  it('knows the daylight-saving steps of a zone and none for a zone without them', () => {
    const berlin = offsetSteps('Europe/Berlin');
    expect(berlin.base).toBe(3600);
    expect(berlin.steps[0]).toEqual({ at: Date.parse('2024-03-31T01:00:00Z') / 1000, delta: 3600 });
    expect(offsetSteps('Asia/Kolkata')).toEqual({ base: 19800, steps: [] });
  });
});

describe("the rules' PromQL names the same period start as date-fns", () => {
  let prom: PrometheusProcess;
  let dir: string;
  beforeAll(async () => {
    dir = scratchDir('calendar-prom-');
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, JSON.stringify({ global: { scrape_interval: '1m' }, scrape_configs: [] }));
    prom = await startPrometheus({ workDir: dir, configFile: config, dataDir: join(dir, 'data'), logName: 'prometheus.log' });
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Each recording rule reads the one before it; evaluating them in turn with the earlier value
   * put in place of the selector is what Prometheus does within one group evaluation.
   */
  async function rulesPeriodStart(cal: CalendarWindow, t: number): Promise<number> {
    const value = async (expr: string) => {
      const r = await instantQuery(prom.url, expr, t / 1000);
      expect(r, expr.slice(0, 200)).toHaveLength(1);
      return Number(r[0]!.value[1]);
    };
    const local = await value(localTimeExpr(cal));
    const localStart = await value(localPeriodStartExpr(cal, `vector(${local})`));
    return (await value(periodStartExpr(cal, `vector(${localStart})`, `vector(${local})`))) * 1000;
  }

  /** Random instants over the encoded years, and the instants either side of period starts and DST changes. */
  function instants(cal: CalendarWindow, seed: number): number[] {
    let x = seed;
    const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const from = Date.parse('2024-01-02T00:00:00Z');
    const to = Date.parse('2040-12-30T00:00:00Z');
    const out: number[] = [];
    for (let i = 0; i < 12; i++) out.push(Math.floor((from + rand() * (to - from)) / 1000) * 1000);
    for (const t of [Date.parse('2026-03-29T12:00:00Z'), Date.parse('2026-10-25T12:00:00Z'), Date.parse('2031-03-01T12:00:00Z')]) {
      const p = periodStart(cal, t);
      out.push(p - 1000, p, p + 1000, t);
    }
    for (const step of offsetSteps(cal.timeZone).steps.slice(4, 8)) out.push(step.at * 1000 - 1000, step.at * 1000, step.at * 1000 + HOUR);
    return out;
  }

  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
  for (const unit of ['week', 'month', 'quarter', 'year'] as const) {
    it(`agrees for calendar ${unit}s in ${zones.join(', ')}`, async () => {
      const mismatches: string[] = [];
      let checked = 0;
      for (const [i, timeZone] of zones.entries()) {
        const cal = { unit, timeZone };
        for (const t of instants(cal, 7 + i)) {
          const want = periodStart(cal, t);
          const got = await rulesPeriodStart(cal, t);
          checked++;
          if (got !== want) mismatches.push(`${timeZone} at ${iso(t)}: rules ${iso(got)}, date-fns ${iso(want)}`);
        }
      }
      expect(mismatches).toEqual([]);
      expect(checked).toBeGreaterThan(100);
    }, 120_000);
  }
});

describe('rules and engine count a calendar period from its start', () => {
  // promtool's time 0 is 1970-01-01 00:00 UTC, noon of Dec 31st at UTC-12 (Etc/GMT+12): the
  // zone's January begins 12 hours in, so a short run crosses a month boundary.
  const BOUNDARY_MIN = 12 * 60;
  const SPEC = `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: monthly }
spec:
  service: shop
  objective: 99
  calendar: { unit: month, timeZone: Etc/GMT+12 }
  sli:
    events:
      bad: 'req_total{code="500"}'
      total: 'req_total'
`;
  // Before the boundary a tenth of the requests fail, after it one in a hundred.
  const phases = [
    { minutes: BOUNDARY_MIN, good: 90, bad: 10 },
    { minutes: 120, good: 99, bad: 1 },
  ];
  const evalMinutes = [BOUNDARY_MIN - 30, BOUNDARY_MIN + 5, BOUNDARY_MIN + 60, BOUNDARY_MIN + 120];

  it('gives the same month-to-date events in promtool and in the engine, none from the month before', async () => {
    const dir = scratchDir('calendar-rules-');
    writeFiles(dir, { 'slo.yaml': SPEC });
    const { slos, problems } = loadSlos([join(dir, 'slo.yaml')]);
    expect(problems).toEqual([]);
    const slo = slos[0]!;
    expect(slo.calendar).toEqual({ unit: 'month', timeZone: 'Etc/GMT+12' });
    writeFiles(dir, { 'rules.yaml': ruleFile(slo, DEFAULT_RENDER_OPTIONS, 'test') });
    const input = [
      { series: 'req_total{code="200"}', values: stepsToNotation(phases.map((p) => ({ minutes: p.minutes, step: p.good }))) },
      { series: 'req_total{code="500"}', values: stepsToNotation(phases.map((p) => ({ minutes: p.minutes, step: p.bad }))) },
    ];
    const read = (expr: string) => {
      const run = sampleExpr(dir, 'calendar', ['rules.yaml'], input, expr, evalMinutes);
      return evalMinutes.map((m) => [...(run.samples.get(m)?.values() ?? [])][0]);
    };
    const ruleTotal = read('slo:events_total:increase_month');
    const ruleBad = read('slo:events_bad:increase_month');

    // The same counters, one sample a minute, into the engine.
    const store = new SqliteStore(join(dir, 'engine'));
    const now = { t: 0 };
    const engine = new Engine({ store, render: DEFAULT_RENDER_OPTIONS, clock: () => now.t });
    engine.setSlos(slos);
    const samples = (code: string, step: (p: (typeof phases)[number]) => number) => {
      const out: Array<{ timestampMs: number; value: number }> = [{ timestampMs: 0, value: 0 }];
      let m = 0;
      let v = 0;
      for (const p of phases) for (let i = 0; i < p.minutes; i++) out.push({ timestampMs: ++m * MINUTE, value: (v += step(p)) });
      return { labels: { __name__: 'req_total', code }, samples: out };
    };
    const all = [samples('200', (p) => p.good), samples('500', (p) => p.bad)];
    // Fed in slices, as a remote-writer would, so no sample is older than the engine accepts.
    for (let from = 0; from <= BOUNDARY_MIN + 120; from += 60) {
      now.t = (from + 60) * MINUTE;
      const part = all.map((s) => ({ ...s, samples: s.samples.filter((x) => x.timestampMs >= from * MINUTE && x.timestampMs < (from + 60) * MINUTE) }));
      const p = engine.ingest(part);
      engine.flush();
      await p;
    }
    const engineWindow = (m: number) => {
      const s = engine.status(m * MINUTE).find((x) => x.slo.id === slo.id)!;
      return s.groups[0]?.windows.find((w) => w.window === slo.window);
    };
    // Served on /metrics as the rules record them: the start of the zone's January, local midnight.
    const at = (BOUNDARY_MIN + 60) * MINUTE;
    const exposition = sloExposition(engine.status(at), [], DEFAULT_RENDER_OPTIONS, 'test', at);
    const value = (name: string) => Number(new RegExp(`^${name.replace(/[:]/g, '\\$&')}\\{[^}]*\\} (\\S+)$`, 'm').exec(exposition)?.[1]);
    expect(value('slo:calendar_period_start:timestamp_seconds')).toBe(BOUNDARY_MIN * 60);
    expect(value('slo:calendar_local_period_start:seconds')).toBe(0);
    expect(value('slo:calendar_local_time:seconds')).toBe(at / 1000 - 12 * 3600);
    store.close();

    // Before the boundary the month so far is the 10% phase; after it, only the 1% phase counts.
    expect(ruleBad[0]! / ruleTotal[0]!).toBeCloseTo(0.1, 9);
    for (const [i, m] of evalMinutes.entries()) {
      const e = engineWindow(m)!;
      expect(e.total, `minute ${m}`).toBeDefined();
      expect(Math.abs(e.total! - ruleTotal[i]!) / ruleTotal[i]!, `total at minute ${m}: engine ${e.total}, rules ${ruleTotal[i]}`).toBeLessThan(1e-9);
      expect(Math.abs(e.bad! - ruleBad[i]!), `bad at minute ${m}: engine ${e.bad}, rules ${ruleBad[i]}`).toBeLessThan(1e-6 * ruleTotal[i]!);
      if (m > BOUNDARY_MIN) {
        expect(e.bad! / e.total!).toBeCloseTo(0.01, 9);
        // Only the 5m windows since midnight: (m - boundary) minutes rounded down to 5m, 100 events a minute.
        expect(e.total).toBe(Math.floor((m - BOUNDARY_MIN) / 5) * 5 * 100);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});



describe('alert tiers of a calendar SLO', () => {
  it('may not be as long as the period: that length names the period so far, so the tier would read a series no rule records', () => {
    const dir = scratchDir('calendar-tier-');
    const text = `apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: weekly }
spec:
  service: shop
  objective: 99
  calendar: { unit: week, timeZone: Europe/Berlin }
  sli:
    events:
      bad: 'req_total{code="500"}'
      total: 'req_total'
  alerting:
    tiers:
      weekly: { severity: ticket, longWindow: 7d, factor: 1 }
`;
    writeFiles(dir, { 'slo.yaml': text });
    const { slos, problems } = loadSlos([join(dir, 'slo.yaml')]);
    expect(slos).toEqual([]);
    expect(problems.map((p) => [p.severity, p.field, p.line])).toEqual([['error', 'spec.alerting.tiers.weekly.longWindow', text.split('\n').findIndex((l) => l.includes('longWindow: 7d')) + 1]]);
    expect(problems[0]!.message).toMatch(/1w is the nominal length of the calendar week/);
    expect(problems[0]!.hint).toMatch(/shorter window/);
  });
});
