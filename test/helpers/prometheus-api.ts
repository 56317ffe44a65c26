/** A small client for the Prometheus HTTP API: queries and rule state, errors carrying Prometheus' own message. */

export interface InstantSample {
  metric: Record<string, string>;
  /** [unix seconds, value as Prometheus prints it] */
  value: [number, string];
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export interface RuleState {
  name: string;
  type: 'recording' | 'alerting';
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  query: string;
  /** Alerting rules: `for` in seconds. */
  duration?: number;
  labels?: Record<string, string>;
  state?: 'inactive' | 'pending' | 'firing';
}

export interface RuleGroupState {
  name: string;
  file: string;
  /** seconds */
  interval: number;
  /** RFC 3339; year 1 before the first evaluation */
  lastEvaluation: string;
  rules: RuleState[];
}

type Data =
  | { resultType: 'vector'; result: InstantSample[] }
  | { resultType: 'matrix'; result: RangeSeries[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] };

async function call<T>(base: string, path: string, params: Record<string, string>): Promise<T> {
  const body = new URLSearchParams(params);
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { method: 'POST', body, signal: AbortSignal.timeout(60_000) });
  } catch (e) {
    throw new Error(`Prometheus at ${base} did not answer ${path}: ${(e as Error).message}`);
  }
  const text = await res.text();
  let json: { status?: string; data?: T; errorType?: string; error?: string };
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`Prometheus ${path} answered ${res.status} with non-JSON: ${text.slice(0, 300)}`);
  }
  if (json.status !== 'success') throw new Error(`Prometheus ${path} failed (${res.status} ${json.errorType ?? ''}): ${json.error ?? text.slice(0, 300)}`);
  return json.data as T;
}

/** Instant query; a scalar comes back as one sample without labels, so `.length` means "has data". */
export async function instantQuery(base: string, expr: string, timeSec?: number): Promise<InstantSample[]> {
  const data = await call<Data>(base, '/api/v1/query', { query: expr, ...(timeSec === undefined ? {} : { time: String(timeSec) }) }).catch(withQuery(expr));
  if (data.resultType === 'vector') return data.result;
  if (data.resultType === 'scalar' || data.resultType === 'string') return [{ metric: {}, value: data.result }];
  throw new Error(`instant query returned a ${data.resultType}, expected a vector: ${expr}`);
}

export async function rangeQuery(base: string, expr: string, startSec: number, endSec: number, stepSec: number): Promise<RangeSeries[]> {
  const data = await call<Data>(base, '/api/v1/query_range', { query: expr, start: String(startSec), end: String(endSec), step: String(stepSec) }).catch(
    withQuery(expr),
  );
  if (data.resultType !== 'matrix') throw new Error(`range query returned a ${data.resultType}, expected a matrix: ${expr}`);
  return data.result;
}

export async function ruleGroups(base: string): Promise<RuleGroupState[]> {
  const res = await fetch(`${base}/api/v1/rules`, { signal: AbortSignal.timeout(10_000) });
  const json = (await res.json()) as { status: string; data?: { groups: RuleGroupState[] }; error?: string };
  if (json.status !== 'success') throw new Error(`Prometheus /api/v1/rules failed: ${json.error}`);
  return json.data!.groups;
}

function withQuery(expr: string): (e: Error) => never {
  return (e) => {
    throw new Error(`${e.message}\n  query: ${expr}`);
  };
}
