import { InvalidArgumentError } from 'commander';
import { parseDuration, type Millis } from '../model/duration.js';
import { LABEL_NAME_RE } from '../promql/quote.js';

export function durationOption(value: string): Millis {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a duration; write e.g. 30d or 28d.`);
  return ms;
}

export function labelOption(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const m = /^([^=]+)=(.+)$/.exec(value);
  if (!m || !LABEL_NAME_RE.test(m[1]!)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not name=value with a valid label name.`);
  return { ...previous, [m[1]!]: m[2]! };
}

export function urlOption(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    return value.replace(/\/+$/, '');
  } catch {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not an http(s) URL.`);
  }
}
