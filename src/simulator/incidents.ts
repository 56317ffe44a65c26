import { checkFaults, type Faults } from './faults.js';
import type { Platform } from './platform.js';
import { shuffled, streamFor } from './random.js';

/**
 * The fault knobs an incident may turn. Each is a share of bad events (or of deployment-minutes),
 * so one level means the same burn rate whichever SLI it hits. Evictions and cost are left out:
 * their SLIs are time slices over trailing periods (evictions over the last hour), so a
 * four-minute incident either moves nothing or keeps slices bad for an hour after it ended.
 */
export const INCIDENT_FAULTS = ['apiserverErrors', 'apiserverSlow', 'podStartSlow', 'schedulerSlow', 'imagePullSlow', 'stuckDeployments'] as const;
export type IncidentFault = (typeof INCIDENT_FAULTS)[number];

const WHAT: Record<IncidentFault, string> = {
  apiserverErrors: 'apiserver 5xx',
  apiserverSlow: 'slow apiserver requests',
  podStartSlow: 'pod startups over 5s',
  schedulerSlow: 'pod scheduling over 1.28s',
  imagePullSlow: 'image pulls over 60s',
  stuckDeployments: 'stuck rollouts',
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The page-fast tier of a 99.9% SLO over 30 days: 14.4 times the 0.1% budget, over 1h and 5m.
 * A burst must lift the whole hour's error share over 1.44%, so its own share is at least
 * 1.44% x 1h / its duration (21.6% for 4 minutes), whatever happened in the hour before.
 */
const PAGE_SHARE_1H = 14.4 * 0.001;
/** Above the minimum so the long window crosses early enough for a `for: 2m` to elapse. */
const MARGIN = 1.25;
/** Levels are drawn between the minimum and this multiple of it. */
const SPREAD = 1.6;

export interface IncidentOptions {
  /** Same seed, same incidents. Default 1. */
  seed?: number;
  /** Where the schedule starts, usually when the simulation started (ms since the epoch). */
  startMs: number;
  /** One regular incident starts every this long after startMs. Default 10 min. */
  everyMs?: number;
  /** How long each incident lasts. Default 4 min. */
  durationMs?: number;
  /** An extra incident this soon after startMs, so a newcomer sees an alert early; false for none. Default 30 s. */
  firstAfterMs?: number | false;
  /** Knobs to rotate through. Default all of INCIDENT_FAULTS. */
  faults?: readonly IncidentFault[];
  /** Share of bad events during every incident, instead of the drawn level that pages a 99.9% SLO. */
  level?: number;
  /** The knob of the early incident, instead of the first one of the shuffled rotation. */
  firstFault?: IncidentFault;
}

export interface Incident {
  /** 0 for the early incident, then 1, 2, ... for the regular ones. */
  index: number;
  fault: IncidentFault;
  /** The knob's value during the incident, a share of bad events. */
  level: number;
  /** The faults to apply: just this knob at this level. */
  faults: Faults;
  startsAt: number;
  endsAt: number;
  /** E.g. "apiserver 5xx at 31% for 4m". */
  description: string;
}

export interface IncidentSchedule {
  readonly startMs: number;
  readonly everyMs: number;
  readonly durationMs: number;
  readonly firstAfterMs: number | false;
  /** The incident under way at `ms` (start inclusive, end exclusive), if any. */
  incidentAt(ms: number): Incident | undefined;
  /** The next time after `ms` at which an incident starts or ends. */
  nextChangeAfter(ms: number): number;
}

/**
 * A deterministic incident schedule: every `everyMs` one knob, at a level that fires the page
 * tier of a 99.9% SLO within the incident. Knobs come in a seeded order that goes through all of
 * them before repeating; each incident's knob and level depend only on the seed and its index, so
 * any time can be asked about in any order.
 */
export function incidentSchedule(opts: IncidentOptions): IncidentSchedule {
  const seed = opts.seed ?? 1;
  const everyMs = opts.everyMs ?? 10 * MINUTE;
  const durationMs = opts.durationMs ?? 4 * MINUTE;
  const firstAfterMs = opts.firstAfterMs ?? 30_000;
  const knobs = [...(opts.faults ?? INCIDENT_FAULTS)];
  const { startMs } = opts;
  if (!Number.isFinite(startMs)) throw new Error(`incidents: startMs must be a time in ms since the epoch (got ${startMs})`);
  if (!(durationMs >= 1000 && Number.isFinite(durationMs))) throw new Error(`incidents: an incident must last at least 1s (got ${durationMs} ms)`);
  if (!(everyMs > durationMs && Number.isFinite(everyMs))) {
    throw new Error(`incidents: incidents every ${formatMs(everyMs)} cannot each last ${formatMs(durationMs)}; make the interval longer than the duration`);
  }
  if (firstAfterMs !== false && !(firstAfterMs >= 0 && firstAfterMs + durationMs <= everyMs)) {
    throw new Error(
      `incidents: the first incident at +${formatMs(firstAfterMs)} lasting ${formatMs(durationMs)} would run into the one at +${formatMs(everyMs)}; start it earlier or turn it off`,
    );
  }
  if (knobs.length === 0 || knobs.some((k) => !INCIDENT_FAULTS.includes(k))) {
    throw new Error(`incidents: faults must be some of ${INCIDENT_FAULTS.join(', ')} (got ${JSON.stringify(knobs)})`);
  }

  const minimum = Math.min(1, (MARGIN * PAGE_SHARE_1H * HOUR) / durationMs);
  const cache = new Map<number, Incident>();

  const incident = (index: number): Incident => {
    const hit = cache.get(index);
    if (hit) return hit;
    const cycle = Math.floor(index / knobs.length);
    const fault = index === 0 && opts.firstFault ? opts.firstFault : shuffled(streamFor(seed, `incidents/cycle-${cycle}`), knobs)[index % knobs.length]!;
    const draw = streamFor(seed, `incidents/level-${index}`)();
    // Whole percents, rounded up so the level never falls under the minimum.
    const level = opts.level ?? Math.min(1, Math.ceil(100 * minimum * (1 + (SPREAD - 1) * draw)) / 100);
    const startsAt = index === 0 ? startMs + (firstAfterMs as number) : startMs + index * everyMs;
    const made: Incident = {
      index,
      fault,
      level,
      faults: { [fault]: level },
      startsAt,
      endsAt: startsAt + durationMs,
      description: `${WHAT[fault]} at ${Math.round(level * 100)}% for ${formatMs(durationMs)}`,
    };
    if (cache.size > 64) cache.clear();
    cache.set(index, made);
    return made;
  };

  /** The incidents that can be under way at or start soon after `ms`. */
  const around = (ms: number): Incident[] => {
    const k = Math.max(1, Math.floor((ms - startMs) / everyMs));
    const near = [incident(k), incident(k + 1)];
    return firstAfterMs === false ? near : [incident(0), ...near];
  };

  return {
    startMs,
    everyMs,
    durationMs,
    firstAfterMs,
    incidentAt: (ms) => around(ms).find((i) => i.startsAt <= ms && ms < i.endsAt),
    nextChangeAfter: (ms) => Math.min(...around(ms).flatMap((i) => [i.startsAt, i.endsAt]).filter((t) => t > ms)),
  };
}

export interface IncidentDriverOptions {
  /** Faults outside incidents (and under them, for the knobs an incident does not turn). Default healthy. */
  baseFaults?: Faults;
  /** Cluster names for the log lines; incidents hit every cluster. */
  clusters?: readonly string[];
  log?: (line: string) => void;
}

/**
 * An `advance(toMs)` for the platform that walks through the schedule: it stops at every
 * incident start and end on the way, sets the faults there (`setFaults`, from the next 15 s step
 * on) and logs the change. Give it to serveMetrics and startRemoteWriter as their `advance`;
 * calling it from both is fine, since it only ever moves forward.
 */
export function driveIncidents(platform: Platform, schedule: IncidentSchedule, opts: IncidentDriverOptions = {}): (toMs: number) => void {
  const base = opts.baseFaults ?? {};
  checkFaults(base);
  const log = opts.log ?? ((line: string) => console.log(line));
  const where = opts.clusters?.length ? ` (${opts.clusters.length === 1 ? 'cluster' : 'clusters'} ${opts.clusters.join(', ')})` : '';
  let current: Incident | undefined;
  // How far the schedule has been applied; the platform itself lags by up to one step.
  let reached = -Infinity;

  const applyAt = (ms: number) => {
    const now = schedule.incidentAt(ms);
    const first = reached === -Infinity;
    reached = ms;
    if (!first && now?.index === current?.index) return;
    if (current) log(`[simulator] incident over: ${WHAT[current.fault]} back to normal after ${formatMs(current.endsAt - current.startsAt)}`);
    if (now) log(`[simulator] incident: ${now.description}${where}`);
    platform.setFaults({ ...base, ...now?.faults });
    current = now;
  };

  return (toMs) => {
    if (reached === -Infinity) applyAt(platform.nowMs);
    for (let at = schedule.nextChangeAfter(reached); at <= toMs; at = schedule.nextChangeAfter(at)) {
      platform.advance(at);
      applyAt(at);
    }
    platform.advance(toMs);
  };
}

/** 240000 → "4m", 90000 → "1m30s", 5400000 → "1h30m". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  let rest = Math.round(ms / 1000);
  if (rest === 0) return ms === 0 ? '0s' : `${ms}ms`;
  let out = '';
  for (const [unit, secs] of [['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= secs) {
      out += `${Math.floor(rest / secs)}${unit}`;
      rest %= secs;
    }
  }
  return out;
}
