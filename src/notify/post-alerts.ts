import type { PostableAlert } from './postable-alert.js';

/** What one POST to an Alertmanager came to. */
export type PostOutcome =
  | { kind: 'delivered'; status: number }
  /** Worth another try: no connection, a timeout, 5xx or 429. */
  | { kind: 'retry'; reason: string }
  /** The Alertmanager refused the payload itself (4xx other than 429): resending it would not help. */
  | { kind: 'rejected'; status: number; reason: string };

const REASON_CHARS = 300;

/** `<base>/api/v2/alerts`, unless the URL already names the endpoint. */
export function alertsEndpoint(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/api/v2/alerts') ? trimmed : `${trimmed}/api/v2/alerts`;
}

/** POSTs one batch as a JSON array, as Prometheus's notifier does; any 2xx is success. */
export async function postAlerts(fetchFn: typeof fetch, endpoint: string, alerts: readonly PostableAlert[], timeoutMs: number): Promise<PostOutcome> {
  let response: Response;
  let body: string;
  try {
    response = await fetchFn(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'slo-engine' },
      body: JSON.stringify(alerts),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read the body in every case, so the connection can be reused; the timeout covers it too.
    body = await response.text();
  } catch (e) {
    return { kind: 'retry', reason: describeFailure(e, timeoutMs) };
  }
  const status = response.status;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  const reason = `HTTP ${status}${reasonFromBody(body)}`;
  if (status === 429 || status >= 500) return { kind: 'retry', reason };
  return { kind: 'rejected', status, reason };
}

/**
 * Alertmanager answers 400 with a JSON string ("invalid label set: …") and 422 with
 * `{"code":602,"message":"…"}`; anything else is shown as text.
 */
function reasonFromBody(body: string): string {
  const text = body.trim();
  if (text === '') return '';
  let reason = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'string') reason = parsed;
    else if (parsed && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string') {
      reason = (parsed as { message: string }).message;
    }
  } catch {
    // not JSON: keep the text
  }
  reason = reason.replace(/\s+/g, ' ');
  return `: ${reason.length > REASON_CHARS ? `${reason.slice(0, REASON_CHARS)}…` : reason}`;
}

function describeFailure(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return `no answer within ${timeoutMs}ms`;
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}
