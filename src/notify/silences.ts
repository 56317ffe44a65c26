import { Backoff, DEFAULT_BACKOFF, type BackoffSettings } from './backoff.js';

/** A silence the engine wants: equality matchers on labels, a time range, and a stable key. */
export interface WantedSilence {
  /** Identity of the silence across restarts, written into its comment; must not contain spaces or `]`. */
  key: string;
  matchers: Record<string, string>;
  startsAt: number;
  endsAt: number;
  comment: string;
}

export interface SilencePlan {
  silences: WantedSilence[];
  /**
   * Whether a key found in an Alertmanager is one of this engine's to manage: a silence of ours
   * that is no longer wanted is expired only then, so engines with other SLO sets leave each
   * other's silences alone.
   */
  owns(key: string): boolean;
}

/** A silence as GET /api/v2/silences returns it (the fields used here). */
export interface GettableSilence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  comment: string;
  createdBy: string;
  startsAt: string;
  endsAt: string;
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual?: boolean }>;
}

export const SILENCE_CREATOR = 'slo-engine';
const KEY_RE = /\[slo-engine (\S+)\]$/;

/** The key of a silence this engine created, read back from its comment; undefined for others. */
export function silenceKey(comment: string): string | undefined {
  return KEY_RE.exec(comment)?.[1];
}

/** The Alertmanager base URL, also when it was given as its alerts endpoint. */
function baseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/api\/v2\/alerts$/, '');
}

class HttpFailure extends Error {
  constructor(message: string, readonly retry: boolean) {
    super(message);
  }
}

/** One call to the Alertmanager v2 API; throws HttpFailure (retry: network, timeout, 5xx, 429). */
async function call(fetchFn: typeof fetch, method: string, url: string, timeoutMs: number, body?: unknown): Promise<unknown> {
  let res: Response;
  let text: string;
  try {
    res = await fetchFn(url, {
      method,
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'slo-engine' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (e) {
    const cause = (e as Error & { cause?: { code?: string } }).cause?.code;
    const timeout = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    throw new HttpFailure(`${method} ${url}: ${timeout ? `no answer within ${timeoutMs}ms` : cause ?? (e as Error).message}`, true);
  }
  if (res.status < 200 || res.status >= 300) {
    throw new HttpFailure(`${method} ${url}: HTTP ${res.status} ${text.trim().slice(0, 300)}`, res.status === 429 || res.status >= 500);
  }
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export interface SilencerStats {
  created: number;
  expired: number;
  failed: number;
  perUrl: Record<string, { up: boolean; lastError?: string }>;
}

interface TargetSettings {
  url: string;
  timeoutMs: number;
  backoff: BackoffSettings;
  fetch: typeof fetch;
  log: (line: string) => void;
  plan: () => SilencePlan;
  counts: { created: number; expired: number; failed: number };
}

/**
 * One Alertmanager's silences brought in line with the plan: missing ones created, ours that are
 * no longer wanted expired. What exists is read back from the Alertmanager each time, so a
 * restart of the engine creates nothing twice, and a silence someone expired by hand stays
 * expired. A failed round is retried with backoff.
 */
class SilenceTarget {
  private readonly backoff: Backoff;
  private readonly base: string;
  private running?: Promise<void>;
  private again = false;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;
  up = true;
  lastError?: string;

  constructor(private readonly s: TargetSettings) {
    this.backoff = new Backoff(s.backoff);
    this.base = baseUrl(s.url);
  }

  /** Runs a round now, or right after the one under way; resolves when no round is left to run. */
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.running = (async () => {
      do {
        this.again = false;
        await this.round();
      } while (this.again && !this.closed);
      this.running = undefined;
    })();
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.running;
  }

  private async round(): Promise<void> {
    try {
      await this.reconcile(this.s.plan());
      if (!this.up) this.s.log(`alertmanager ${this.s.url}: silences in sync again after ${this.backoff.failuresInARow} failed attempts`);
      this.up = true;
      this.backoff.reset();
    } catch (e) {
      this.s.counts.failed++;
      this.up = false;
      this.lastError = (e as Error).message;
      if (this.closed) return;
      const delay = this.backoff.next();
      this.s.log(`alertmanager ${this.s.url}: could not sync maintenance silences (${this.lastError}); attempt ${this.backoff.failuresInARow + 1} in ${delay}ms`);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.sync(), delay);
      this.retryTimer.unref();
    }
  }

  private async reconcile(plan: SilencePlan): Promise<void> {
    const { fetch: f, timeoutMs } = this.s;
    const existing = (await call(f, 'GET', `${this.base}/api/v2/silences`, timeoutMs)) as GettableSilence[];
    const ours = new Map<string, GettableSilence[]>();
    for (const s of existing) {
      const key = silenceKey(s.comment ?? '');
      if (key) ours.set(key, [...(ours.get(key) ?? []), s]);
    }
    const wanted = new Set<string>();
    for (const w of plan.silences) {
      wanted.add(w.key);
      if (ours.has(w.key)) continue;
      const body = {
        matchers: Object.entries(w.matchers).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
        startsAt: new Date(w.startsAt).toISOString(),
        endsAt: new Date(w.endsAt).toISOString(),
        createdBy: SILENCE_CREATOR,
        comment: `${w.comment} [slo-engine ${w.key}]`,
      };
      try {
        const made = (await call(f, 'POST', `${this.base}/api/v2/silences`, timeoutMs, body)) as { silenceID?: string } | undefined;
        this.s.counts.created++;
        this.s.log(`alertmanager ${this.s.url}: silence ${made?.silenceID ?? '?'} created for ${w.key}`);
      } catch (e) {
        // Refused for good (a window that ended meanwhile): say so and go on with the others.
        if (e instanceof HttpFailure && !e.retry) this.s.log(`alertmanager ${this.s.url}: silence for ${w.key} refused (${e.message})`);
        else throw e;
      }
    }
    for (const [key, list] of ours) {
      if (wanted.has(key) || !plan.owns(key)) continue;
      for (const s of list) {
        if (s.status.state === 'expired') continue;
        await call(f, 'DELETE', `${this.base}/api/v2/silence/${encodeURIComponent(s.id)}`, timeoutMs);
        this.s.counts.expired++;
        this.s.log(`alertmanager ${this.s.url}: silence ${s.id} expired: ${key} is no longer planned`);
      }
    }
  }
}

export interface SilencerOptions {
  /** Alertmanager base URLs; each gets every silence. */
  urls: string[];
  /** What should exist now; called at every round, so reloads and time are taken into account. */
  plan: () => SilencePlan;
  /** How often silences are brought in line. Default 60 000. */
  intervalMs?: number;
  /** Per request. Default 10 000. */
  timeoutMs?: number;
  /** Retry delays after a failed round. Default 500 ms doubling to 30 s, jittered. */
  backoffMs?: BackoffSettings;
  log?: (line: string) => void;
  fetch?: typeof fetch;
}

/**
 * Keeps Alertmanager v2 silences for planned maintenance in every configured Alertmanager:
 * a round every interval (and on `sync()`, e.g. after a reload), each Alertmanager on its own
 * with its own backoff, so one that is down never holds up another.
 */
export class Silencer {
  private readonly targets: SilenceTarget[];
  private readonly counts = { created: 0, expired: 0, failed: 0 };
  private timer?: NodeJS.Timeout;
  private readonly urls: string[];

  constructor(private readonly opts: SilencerOptions) {
    if (opts.urls.length === 0) throw new Error('Silencer needs at least one Alertmanager URL');
    this.urls = [...new Set(opts.urls)];
    const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    this.targets = this.urls.map(
      (url) =>
        new SilenceTarget({ url, timeoutMs: opts.timeoutMs ?? 10_000, backoff: opts.backoffMs ?? DEFAULT_BACKOFF, fetch: opts.fetch ?? fetch, log, plan: opts.plan, counts: this.counts }),
    );
  }

  /** A first round now, then one every interval. */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.sync(), this.opts.intervalMs ?? 60_000);
    this.timer.unref();
    return this.sync();
  }

  /** One round in every Alertmanager; resolves when each succeeded or failed and scheduled a retry. */
  async sync(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.sync()));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.targets.map((t) => t.close()));
  }

  stats(): SilencerStats {
    const perUrl: SilencerStats['perUrl'] = {};
    this.targets.forEach((t, i) => (perUrl[this.urls[i]!] = { up: t.up, ...(t.lastError ? { lastError: t.lastError } : {}) }));
    return { ...this.counts, perUrl };
  }
}
