import type { OtlpDecodeResult } from './index.js';

const utf8 = new TextEncoder();

/**
 * The body of a 200 answer to `POST /v1/metrics`, in the request's encoding: an
 * `ExportMetricsServiceResponse` whose `partial_success` is set only when data points were rejected
 * or there is a warning. Clients must not retry a partial success, so rejected points stay rejected.
 */
export function otlpResponse(result: Pick<OtlpDecodeResult, 'rejectedDataPoints' | 'errorMessage'>, format: 'protobuf' | 'json'): Uint8Array {
  const rejected = result.rejectedDataPoints;
  const message = result.errorMessage ?? '';
  const partial = rejected > 0 || message !== '';
  if (format === 'json') {
    if (!partial) return utf8.encode('{}');
    // int64 fields are decimal strings in OTLP/JSON.
    const partialSuccess: Record<string, string> = {};
    if (rejected > 0) partialSuccess.rejectedDataPoints = String(rejected);
    if (message) partialSuccess.errorMessage = message;
    return utf8.encode(JSON.stringify({ partialSuccess }));
  }
  if (!partial) return new Uint8Array(0);
  // ExportMetricsPartialSuccess { 1: int64 rejected_data_points, 2: string error_message }
  const inner: number[] = [];
  if (rejected > 0) inner.push(0x08, ...varint(rejected));
  if (message) field(inner, 0x12, utf8.encode(message));
  // ExportMetricsServiceResponse { 1: partial_success }
  const out: number[] = [];
  field(out, 0x0a, inner);
  return Uint8Array.from(out);
}

/**
 * The body of a 400/413 answer, a `google.rpc.Status` carrying only its message (the code may be
 * omitted): `{"message": …}` in JSON, field 2 in protobuf.
 */
export function otlpErrorStatus(message: string, format: 'protobuf' | 'json'): Uint8Array {
  if (format === 'json') return utf8.encode(JSON.stringify({ message }));
  const out: number[] = [];
  field(out, 0x12, utf8.encode(message));
  return Uint8Array.from(out);
}

function field(out: number[], key: number, bytes: ArrayLike<number>): void {
  out.push(key, ...varint(bytes.length));
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}
