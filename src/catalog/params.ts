import { parseDuration, type Millis } from '../model/duration.js';
import { formatNumber } from '../model/numbers.js';
import { checkRegex } from '../promql/selector-parse.js';

/** Where a catalog entry reports a bad parameter; the spec layer turns it into a positioned problem. */
export type ParamReporter = (param: string, message: string, hint?: string) => void;

/** Typed access to a catalog SLI's parameters, reporting every wrong one instead of throwing. */
export class Params {
  private readonly used = new Set<string>();

  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly report: ParamReporter,
  ) {}

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const v = this.take(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || v === '') {
      this.report(name, `must be a non-empty string (got ${JSON.stringify(v)})`);
      return fallback;
    }
    return v;
  }

  number(name: string, fallback: number): number;
  number(name: string): number | undefined;
  number(name: string, fallback?: number): number | undefined {
    const v = this.take(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.report(name, `must be a number (got ${JSON.stringify(v)})`);
      return fallback;
    }
    return v;
  }

  requiredNumber(name: string, hint: string): number {
    const v = this.number(name);
    if (v === undefined && this.raw[name] === undefined) this.report(name, `missing required parameter ${JSON.stringify(name)}`, hint);
    return v ?? 0;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.take(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') this.report(name, `must be true or false (got ${JSON.stringify(v)})`);
    return typeof v === 'boolean' ? v : fallback;
  }

  /** A regular expression for a label matcher. */
  regex(name: string, fallback: string): string {
    const v = this.string(name, fallback);
    try {
      checkRegex(v);
      return v;
    } catch (e) {
      this.report(name, (e as Error).message);
      return fallback;
    }
  }

  /** Seconds, given as a number or a duration (`250ms`, `5s`). */
  seconds(name: string, fallback: number): number {
    const v = this.take(name);
    if (v === undefined) return fallback;
    if (typeof v === 'number' && v > 0) return v;
    if (typeof v === 'string') {
      const ms = parseDuration(v);
      if (ms !== undefined) return ms / 1000;
    }
    this.report(name, `must be a positive number of seconds or a duration like 5s (got ${JSON.stringify(v)})`);
    return fallback;
  }

  duration(name: string, fallback: Millis): Millis {
    const v = this.take(name);
    if (v === undefined) return fallback;
    const ms = typeof v === 'string' ? parseDuration(v) : undefined;
    if (ms === undefined) this.report(name, `must be a duration such as 5m or 1h (got ${JSON.stringify(v)})`);
    return ms ?? fallback;
  }

  stringList(name: string, fallback: string[]): string[] {
    const v = this.take(name);
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      this.report(name, `must be a list of strings (got ${JSON.stringify(v)})`);
      return fallback;
    }
    return v as string[];
  }

  /** A list whose every item must be one of `allowed`. */
  choiceList(name: string, fallback: string[], allowed: readonly string[]): string[] {
    const list = this.stringList(name, fallback);
    const bad = list.filter((x) => !allowed.includes(x));
    if (bad.length) this.report(name, `unknown value(s) ${bad.map((b) => JSON.stringify(b)).join(', ')}`, `use any of: ${allowed.join(', ')}`);
    return list.filter((x) => allowed.includes(x));
  }

  /** A bound of the histogram's buckets: any other value would silently count nothing. */
  bucketBound(name: string, fallback: number, buckets: readonly number[]): number {
    const v = this.seconds(name, fallback);
    if (!buckets.includes(v)) {
      const near = [...buckets].sort((a, b) => Math.abs(a - v) - Math.abs(b - v)).slice(0, 2).sort((a, b) => a - b);
      this.report(name, `${formatNumber(v)}s is not a bucket bound of this histogram, so no bucket would count it`,
        `use a bound such as ${near.map((b) => `${formatNumber(b)}`).join(' or ')} (all: ${buckets.map(formatNumber).join(', ')})`);
    }
    return v;
  }

  /** Reports parameters nobody read: almost always a typo. */
  finish(known: readonly string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!this.used.has(key)) this.report(key, `unknown parameter ${JSON.stringify(key)}`, `known parameters: ${known.join(', ')}`);
    }
  }

  private take(name: string): unknown {
    this.used.add(name);
    return this.raw[name];
  }
}
