import type { Matcher, Selector } from '../model/slo.js';

export function eq(label: string, value: string): Matcher {
  return { label, op: '=', value };
}

export function re(label: string, value: string): Matcher {
  return { label, op: '=~', value };
}

export function nre(label: string, value: string): Matcher {
  return { label, op: '!~', value };
}

export function sel(metric: string, ...matchers: Array<Matcher | undefined>): Selector {
  return { metric, matchers: matchers.filter((m): m is Matcher => m !== undefined) };
}

/** A `job` matcher only when the user named one: exporters are scraped under many job names. */
export function optionalJob(job: string | undefined): Matcher | undefined {
  return job ? eq('job', job) : undefined;
}
