import { DEFAULT_LIMITS } from '../sample.js';
import type { DecodeOptions, DecodeResult } from '../series.js';
import { decodeJsonRequest } from './json.js';
import { SeriesSink } from './points.js';
import { decodeProtobufRequest } from './wire.js';

export { otlpMetricName, otlpLabelName, formatFloat, type OtlpMetricKind } from './names.js';
export { otlpResponse, otlpErrorStatus } from './response.js';
export type { DecodedSeries, DecodeOptions, DecodeResult } from '../series.js';

export interface OtlpDecodeResult extends DecodeResult {
  /**
   * Data points refused while the rest of the request was taken (exponential histograms, invalid
   * names or labels, over-limit labels, …), for `partial_success.rejected_data_points`. `skipped`
   * counts the data points of metrics `keep()` did not want, which are not rejections.
   */
  rejectedDataPoints: number;
  /** Why, for `partial_success.error_message`; set only when something was rejected. */
  errorMessage?: string;
}

/**
 * Decodes the body of an OTLP/HTTP `POST /v1/metrics` (an `ExportMetricsServiceRequest`, already
 * decompressed) into Prometheus series, named as Prometheus's OTLP receiver names them:
 * - monotonic sums → `<name>_total` counters; delta sums and histograms get `delta: true`;
 * - gauges and non-monotonic sums → plain samples;
 * - explicit-bucket histograms → cumulative `_bucket{le}`, `_count`, `_sum`;
 * - summaries → `{quantile}` series, `_count`, `_sum`;
 * - `service.namespace/service.name` → `job`, `service.instance.id` → `instance`.
 *
 * Points flagged NO_RECORDED_VALUE are dropped. Exponential histograms are rejected (counted in
 * `rejectedDataPoints`). A malformed body throws BadPayload (400), too many series 413. An empty
 * body is an empty request.
 */
export function decodeOtlpMetrics(body: Uint8Array, format: 'protobuf' | 'json', opts: DecodeOptions = {}): OtlpDecodeResult {
  const { keep, ...overrides } = opts;
  const sink = new SeriesSink({ ...DEFAULT_LIMITS, ...overrides }, keep);
  if (body.length === 0) return sink.result();
  if (format === 'json') decodeJsonRequest(body, sink);
  else decodeProtobufRequest(body, sink);
  return sink.result();
}
