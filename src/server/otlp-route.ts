import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { Engine } from '../engine/engine.js';
import { BadPayload } from '../ingest/errors.js';
import { decodeOtlpMetrics, otlpResponse } from '../ingest/otlp/index.js';
import { readBody } from './body.js';
import { HttpError } from './http-errors.js';
import { refusedSeriesError, type IngestCounts } from './remote-write-route.js';
import type { ServerLimits } from './limits.js';

function formatOf(contentType: string | undefined): 'protobuf' | 'json' {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/x-protobuf') return 'protobuf';
  if (ct === 'application/json') return 'json';
  throw new HttpError(415, `unsupported Content-Type ${contentType}: OTLP/HTTP sends application/x-protobuf or application/json`);
}

/** `POST /v1/metrics`: OTLP/HTTP, protobuf or JSON, gzip or not; partial success says what was dropped. */
export async function otlpMetrics(req: IncomingMessage, res: ServerResponse, engine: Engine, limits: ServerLimits, counts: (c: IngestCounts) => void, tenant?: string): Promise<void> {
  const format = formatOf(req.headers['content-type']);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new HttpError(415, `unsupported Content-Encoding ${encoding}: send gzip or no encoding`);
  let body = await readBody(req, limits.maxBodyBytes);
  if (encoding === 'gzip') {
    try {
      body = gunzipSync(body, { maxOutputLength: limits.maxDecodedBytes });
    } catch (e) {
      throw new BadPayload(`gzip body could not be inflated within ${limits.maxDecodedBytes} bytes (the engine's --max-decoded-bytes): ${(e as Error).message}`, /RangeError|maxOutputLength|buffer/i.test(String(e)) ? 413 : 400);
    }
  }
  const decoded = decodeOtlpMetrics(body, format, { keep: engine.keep, maxSeries: limits.maxSeriesPerRequest, maxLabelsPerSeries: limits.maxLabelsPerSeries, maxLabelLength: limits.maxLabelLength });
  const outcome = await engine.ingest(decoded.series, tenant);
  counts({ ...outcome, skippedSeries: decoded.skipped });
  const refused = refusedSeriesError(outcome, engine.seriesGuard.limit);
  if (refused) throw refused;
  res.writeHead(200, { 'Content-Type': format === 'json' ? 'application/json' : 'application/x-protobuf' }).end(otlpResponse(decoded, format));
}
