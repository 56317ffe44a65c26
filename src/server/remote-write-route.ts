import type { IncomingMessage, ServerResponse } from 'node:http';
import { Overloaded, type Engine, type IngestOutcome } from '../engine/engine.js';
import { BadPayload } from '../ingest/errors.js';
import { decodeWriteRequestV1 } from '../ingest/remote-write-v1.js';
import { decodeWriteRequestV2 } from '../ingest/remote-write-v2.js';
import { snappyDecompress } from '../ingest/snappy.js';
import { StoreError } from '../store/sqlite-store.js';
import { readBody } from './body.js';
import { HttpError } from './http-errors.js';
import type { ServerLimits } from './limits.js';

/** What one accepted request did, for the health counters. */
export interface IngestCounts extends IngestOutcome {
  skippedSeries: number;
}

/** Which protobuf schema the Content-Type names; anything else is 415, as the spec asks. */
function schemaOf(contentType: string | undefined): 'v1' | 'v2' {
  const ct = (contentType ?? '').toLowerCase().replace(/\s+/g, '');
  if (ct === '' || ct === 'application/x-protobuf' || ct === 'application/x-protobuf;proto=prometheus.writerequest') return 'v1';
  if (ct === 'application/x-protobuf;proto=io.prometheus.write.v2.request') return 'v2';
  throw new HttpError(415, `unsupported Content-Type ${contentType}: send application/x-protobuf (remote-write 1.0) or application/x-protobuf;proto=io.prometheus.write.v2.Request (2.0)`);
}

/** Maps engine failures to what the remote-write spec asks: 400 not retried, 429 and 5xx retried. */
export function ingestError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof BadPayload) return new HttpError(e.status, e.message);
  if (e instanceof Overloaded) return new HttpError(429, e.message, { 'Retry-After': String(e.retryAfterS) });
  if (e instanceof StoreError) return new HttpError(503, e.message, { 'Retry-After': '5' });
  return new HttpError(500, `internal error: ${(e as Error).message}`);
}

/**
 * The cardinality guard's answer, as Mimir answers its per-series limits: the rest of the
 * request is stored, and a 4xx tells the sender not to retry what would be dropped again.
 */
export function refusedSeriesError(outcome: IngestOutcome, limit: number): HttpError | undefined {
  if (!outcome.refused?.length) return undefined;
  const slos = outcome.refused.map((r) => `SLO ${r.slo}: ${r.samples} sample${r.samples === 1 ? '' : 's'} of ${r.series} new series`).join('; ');
  return new HttpError(400, `series limit reached, dropped ${slos}; each SLO takes samples from at most ${limit} active series (--max-series-per-slo); every other sample of the request was stored. Narrow the SLO's selectors or raise --max-series-per-slo`);
}

/** `POST /api/v1/write`: Prometheus remote-write 1.0 and 2.0, acknowledged once durable. */
export async function remoteWrite(req: IncomingMessage, res: ServerResponse, engine: Engine, limits: ServerLimits, counts: (c: IngestCounts) => void, tenant?: string): Promise<void> {
  const schema = schemaOf(req.headers['content-type']);
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding !== 'snappy') throw new HttpError(415, `unsupported Content-Encoding "${encoding}": remote-write bodies must be snappy block-compressed (Content-Encoding: snappy)`);
  const body = await readBody(req, limits.maxBodyBytes);
  const raw = snappyDecompress(body, limits.maxDecodedBytes);
  const opts = { keep: engine.keep, maxSeries: limits.maxSeriesPerRequest, maxLabelsPerSeries: limits.maxLabelsPerSeries, maxLabelLength: limits.maxLabelLength };
  // Only the counts outlive the await: the decoded series would otherwise stay reachable until
  // the commit is durable, long enough to be promoted to V8's old space.
  if (schema === 'v1') {
    const { series, skipped } = decodeWriteRequestV1(raw, opts);
    const outcome = await engine.ingest(series, tenant);
    counts({ ...outcome, skippedSeries: skipped });
    const refused = refusedSeriesError(outcome, engine.seriesGuard.limit);
    if (refused) throw refused;
    res.writeHead(204).end();
    return;
  }
  const { series, skipped, samples, skippedSamples, histograms, exemplars } = decodeWriteRequestV2(raw, opts);
  const outcome = await engine.ingest(series, tenant);
  counts({ ...outcome, skippedSeries: skipped });
  const refused = refusedSeriesError(outcome, engine.seriesGuard.limit);
  if (refused) throw refused;
  res
    .writeHead(204, {
      'X-Prometheus-Remote-Write-Samples-Written': String(samples + skippedSamples),
      'X-Prometheus-Remote-Write-Histograms-Written': String(histograms),
      'X-Prometheus-Remote-Write-Exemplars-Written': String(exemplars),
    })
    .end();
}
