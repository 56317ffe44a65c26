import http from 'node:http';
import type { RequestSet } from './requests.js';

export interface PostResult {
  wallSeconds: number;
  acceptedSamples: number;
  failedRequests: number;
  retries: number;
  firstError?: string;
}

function post(agent: http.Agent, url: URL, body: Uint8Array): Promise<{ status: number; retryAfter?: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/x-protobuf',
          'Content-Encoding': 'snappy',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
          'Content-Length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, text: Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts one remote-write body until it is answered with other than 429, waiting each Retry-After. */
export async function sendRetrying(agent: http.Agent, url: URL, body: Uint8Array): Promise<{ ok: boolean; status: number; text: string; tooMany: number }> {
  let tooMany = 0;
  for (;;) {
    const res = await post(agent, url, body);
    if (res.status !== 429) return { ok: res.status >= 200 && res.status < 300, status: res.status, text: res.text, tooMany };
    tooMany++;
    await new Promise((ok) => setTimeout(ok, 1000 * Number(res.retryAfter ?? 1)));
  }
}

/**
 * Posts every request of the set, one keep-alive connection per shard, shards concurrently (as
 * Prometheus's remote-write shards do). 429 is retried after Retry-After; any other non-2xx counts
 * as a failed request whose samples are not counted as accepted.
 */
export async function postAll(endpoint: string, set: RequestSet): Promise<PostResult> {
  const url = new URL(endpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets: set.shards.length });
  const result: PostResult = { wallSeconds: 0, acceptedSamples: 0, failedRequests: 0, retries: 0 };
  const started = performance.now();
  await Promise.all(
    set.shards.map(async (requests) => {
      for (const r of requests) {
        const res = await sendRetrying(agent, url, r.body);
        result.retries += res.tooMany;
        if (res.ok) result.acceptedSamples += r.samples;
        else {
          result.failedRequests++;
          result.firstError ??= `${res.status} ${res.text}`;
        }
      }
    }),
  );
  result.wallSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  return result;
}
