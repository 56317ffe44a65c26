import { BadPayload } from '../errors.js';
import { Reader } from '../protobuf.js';
import { anyValueString, MAX_ANY_VALUE_DEPTH, type AnyRaw } from './any-value.js';
import type { Attribute } from './labels.js';
import type { MetricSink, OtlpDataType, SeriesSink } from './points.js';

/** Wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const WIRE_NAMES: Record<number, string> = { 0: 'varint', 1: 'fixed64', 2: 'length-delimited', 5: 'fixed32' };

const tag = (field: number, wire: number) => (field << 3) | wire;

/** The fields of each message we walk, with their wire types, so a mistyped field is refused. */
const FIELDS = {
  ExportMetricsServiceRequest: { 1: LEN },
  ResourceMetrics: { 1: LEN, 2: LEN, 3: LEN },
  Resource: { 1: LEN, 2: VARINT, 3: LEN },
  ScopeMetrics: { 1: LEN, 2: LEN, 3: LEN },
  Metric: { 1: LEN, 2: LEN, 3: LEN, 5: LEN, 7: LEN, 9: LEN, 10: LEN, 11: LEN, 12: LEN },
  Gauge: { 1: LEN },
  Summary: { 1: LEN },
  Sum: { 1: LEN, 2: VARINT, 3: VARINT },
  Histogram: { 1: LEN, 2: VARINT },
  ExponentialHistogram: { 1: LEN, 2: VARINT },
  NumberDataPoint: { 2: I64, 3: I64, 4: I64, 5: LEN, 6: I64, 7: LEN, 8: VARINT },
  HistogramDataPoint: { 2: I64, 3: I64, 4: I64, 5: I64, 6: LEN, 7: LEN, 8: LEN, 9: LEN, 10: VARINT, 11: I64, 12: I64 },
  SummaryDataPoint: { 2: I64, 3: I64, 4: I64, 5: I64, 6: LEN, 7: LEN, 8: VARINT },
  ValueAtQuantile: { 1: I64, 2: I64 },
  KeyValue: { 1: LEN, 2: LEN, 3: VARINT },
  AnyValue: { 1: LEN, 2: VARINT, 3: VARINT, 4: I64, 5: LEN, 6: LEN, 7: LEN, 8: VARINT },
  ArrayValue: { 1: LEN },
  KeyValueList: { 1: LEN },
} satisfies Record<string, Record<number, number>>;

type MessageName = keyof typeof FIELDS;

/** Metric field numbers of the `data` oneof. */
const DATA_FIELDS: Record<number, OtlpDataType> = { 5: 'gauge', 7: 'sum', 9: 'histogram', 10: 'exponentialHistogram', 11: 'summary' };

/** The message each data type is, for error messages. */
const DATA_MESSAGES: Record<OtlpDataType, MessageName> = {
  gauge: 'Gauge',
  sum: 'Sum',
  histogram: 'Histogram',
  exponentialHistogram: 'ExponentialHistogram',
  summary: 'Summary',
};

/** Where in the request the decoder is, e.g. `resource_metrics[0].scope_metrics[1].metrics[2]`. */
class Trail {
  private readonly parts: string[] = [];

  /** Entering `part` at this depth; deeper parts of an earlier sibling are dropped. */
  set(depth: number, part: string): void {
    this.parts.length = depth;
    this.parts.push(part);
  }

  /** Back at this depth, after a child message was decoded. */
  leave(depth: number): void {
    this.parts.length = depth;
  }

  toString(): string {
    return this.parts.length ? this.parts.join('.') : 'the top level';
  }
}

/**
 * Decodes a protobuf `ExportMetricsServiceRequest` into the sink. Each metric's name, unit, type
 * and temporality are read first, skipping its data points by their length, so the data points of
 * metrics `keep()` rejects are never decoded. Malformed bodies throw BadPayload (400) naming the
 * place in the request where decoding failed.
 */
export function decodeProtobufRequest(body: Uint8Array, sink: SeriesSink): void {
  const d = new WireDecoder(sink);
  try {
    d.request(new Reader(body));
  } catch (e) {
    if (!(e instanceof BadPayload) || e.status !== 400) throw e;
    throw new BadPayload(
      `OTLP/protobuf: ${e.message.replace(/^protobuf: /, '')} in ${d.at}; ` +
        'the body must be a serialized ExportMetricsServiceRequest (opentelemetry/proto/collector/metrics/v1) sent with Content-Type: application/x-protobuf',
    );
  }
}

class WireDecoder {
  readonly at = new Trail();

  constructor(private readonly sink: SeriesSink) {}

  request(r: Reader): void {
    for (let i = 0; !r.done; ) {
      const key = r.key();
      if (key === tag(1, LEN)) {
        this.at.set(0, `resource_metrics[${i++}]`);
        this.resourceMetrics(sub(r));
        this.at.leave(0);
      } else other(r, key, 'ExportMetricsServiceRequest');
    }
  }

  private resourceMetrics(r: Reader): void {
    // The resource may follow its scope_metrics in the bytes: note where each lies first.
    let resource: Reader | undefined;
    const scopes: Reader[] = [];
    while (!r.done) {
      const key = r.key();
      if (key === tag(1, LEN)) resource = sub(r);
      else if (key === tag(2, LEN)) scopes.push(sub(r));
      else other(r, key, 'ResourceMetrics');
    }
    const attributes: Attribute[] = [];
    if (resource) {
      this.at.set(1, 'resource');
      while (!resource.done) {
        const key = resource.key();
        if (key === tag(1, LEN)) attributes.push(this.keyValue(sub(resource)));
        else other(resource, key, 'Resource');
      }
      this.at.leave(1);
    }
    this.sink.resource(attributes);
    scopes.forEach((s, j) => {
      this.at.set(1, `scope_metrics[${j}]`);
      for (let k = 0; !s.done; ) {
        const key = s.key();
        if (key === tag(2, LEN)) {
          this.at.set(2, `metrics[${k}]`);
          this.metric(sub(s), k++);
          this.at.leave(2);
        } else other(s, key, 'ScopeMetrics');
      }
      this.at.leave(1);
    });
  }

  private metric(r: Reader, index: number): void {
    let name = '';
    let unit = '';
    let type: OtlpDataType | undefined;
    let data: Reader | undefined;
    while (!r.done) {
      const key = r.key();
      const field = Math.floor(key / 8); // not `>>> 3`, which would wrap keys past 2^32 onto small field numbers
      if (key === tag(1, LEN)) name = r.string();
      else if (key === tag(3, LEN)) unit = r.string();
      else if ((key & 7) === LEN && DATA_FIELDS[field]) {
        type = DATA_FIELDS[field];
        data = sub(r);
      } else other(r, key, 'Metric');
    }
    if (!type || !data) return;
    this.at.set(2, `metrics[${index}] ${JSON.stringify(name.slice(0, 200))}`);
    // First pass over the data message: its header fields, and where its data points lie.
    const msg = DATA_MESSAGES[type];
    const points: Reader[] = [];
    let temporality = 0;
    let monotonic = false;
    while (!data.done) {
      const key = data.key();
      if (key === tag(1, LEN)) points.push(sub(data));
      else if (key === tag(2, VARINT) && type !== 'gauge' && type !== 'summary') temporality = data.varint();
      else if (key === tag(3, VARINT) && type === 'sum') monotonic = data.varint() !== 0;
      else other(data, key, msg);
    }
    const m = this.sink.metric({ name, unit, type, monotonic, temporality, points: points.length });
    if (!m) return;
    points.forEach((p, i) => {
      this.at.set(3, `data_points[${i}]`);
      if (type === 'gauge' || type === 'sum') this.numberPoint(p, m);
      else if (type === 'histogram') this.histogramPoint(p, m);
      else this.summaryPoint(p, m);
    });
  }

  private numberPoint(r: Reader, m: MetricSink): void {
    const attributes: Attribute[] = [];
    let timeMs = 0;
    let value = 0;
    let flags = 0;
    while (!r.done) {
      const key = r.key();
      if (key === tag(7, LEN)) attributes.push(this.keyValue(sub(r)));
      else if (key === tag(3, I64)) timeMs = nanosToMs(r);
      else if (key === tag(4, I64)) value = r.double();
      else if (key === tag(6, I64)) value = r.sfixed64();
      else if (key === tag(8, VARINT)) flags = r.varint();
      else other(r, key, 'NumberDataPoint');
    }
    m.number({ attributes, timeMs, value, flags });
  }

  private histogramPoint(r: Reader, m: MetricSink): void {
    const attributes: Attribute[] = [];
    let timeMs = 0;
    let count = 0;
    let sum: number | undefined;
    let flags = 0;
    const bucketCounts: number[] = [];
    const bounds: number[] = [];
    while (!r.done) {
      const key = r.key();
      if (key === tag(9, LEN)) attributes.push(this.keyValue(sub(r)));
      else if (key === tag(3, I64)) timeMs = nanosToMs(r);
      else if (key === tag(4, I64)) count = r.fixed64();
      else if (key === tag(5, I64)) sum = r.double();
      // Repeated scalars come packed (one length-delimited run) or one element per field.
      else if (key === tag(6, LEN)) append(bucketCounts, r.packed64('fixed64'));
      else if (key === tag(6, I64)) bucketCounts.push(r.fixed64());
      else if (key === tag(7, LEN)) append(bounds, r.packed64('double'));
      else if (key === tag(7, I64)) bounds.push(r.double());
      else if (key === tag(10, VARINT)) flags = r.varint();
      else other(r, key, 'HistogramDataPoint');
    }
    m.histogram({ attributes, timeMs, count, sum, bucketCounts, bounds, flags });
  }

  private summaryPoint(r: Reader, m: MetricSink): void {
    const attributes: Attribute[] = [];
    const quantiles: Array<[number, number]> = [];
    let timeMs = 0;
    let count = 0;
    let sum = 0;
    let flags = 0;
    while (!r.done) {
      const key = r.key();
      if (key === tag(7, LEN)) attributes.push(this.keyValue(sub(r)));
      else if (key === tag(3, I64)) timeMs = nanosToMs(r);
      else if (key === tag(4, I64)) count = r.fixed64();
      else if (key === tag(5, I64)) sum = r.double();
      else if (key === tag(6, LEN)) {
        const q = sub(r);
        let quantile = 0;
        let value = 0;
        while (!q.done) {
          const k = q.key();
          if (k === tag(1, I64)) quantile = q.double();
          else if (k === tag(2, I64)) value = q.double();
          else other(q, k, 'ValueAtQuantile');
        }
        quantiles.push([quantile, value]);
      } else if (key === tag(8, VARINT)) flags = r.varint();
      else other(r, key, 'SummaryDataPoint');
    }
    m.summary({ attributes, timeMs, count, sum, quantiles, flags });
  }

  private keyValue(r: Reader, depth = 0): Attribute {
    const [key, raw] = this.keyValueRaw(r, depth);
    return { key, value: anyValueString(raw) };
  }

  private keyValueRaw(r: Reader, depth: number): [string, AnyRaw] {
    let key = '';
    let value: AnyRaw = null;
    while (!r.done) {
      const k = r.key();
      if (k === tag(1, LEN)) key = r.string();
      else if (k === tag(2, LEN)) value = this.anyValue(sub(r), depth);
      else other(r, k, 'KeyValue');
    }
    return [key, value];
  }

  /** `AnyValue`: the last of its oneof fields wins; arrays and key-value lists nest, to a limit. */
  private anyValue(r: Reader, depth: number): AnyRaw {
    if (depth > MAX_ANY_VALUE_DEPTH) throw new BadPayload(`an attribute value nests arrays or key-value lists deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
    let value: AnyRaw = null;
    while (!r.done) {
      const key = r.key();
      if (key === tag(1, LEN)) value = r.string();
      else if (key === tag(2, VARINT)) value = r.varint() !== 0;
      else if (key === tag(3, VARINT)) value = BigInt.asIntN(64, r.bigVarint());
      else if (key === tag(4, I64)) value = r.double();
      else if (key === tag(7, LEN)) {
        const [s, e] = r.bytes();
        value = { bytes: Buffer.from(r.buf.buffer, r.buf.byteOffset + s, e - s).toString('base64') };
      } else if (key === tag(5, LEN)) {
        const a = sub(r);
        const values: AnyRaw[] = [];
        while (!a.done) {
          const k = a.key();
          if (k === tag(1, LEN)) values.push(this.anyValue(sub(a), depth + 1));
          else other(a, k, 'ArrayValue');
        }
        value = values;
      } else if (key === tag(6, LEN)) {
        const l = sub(r);
        const kvlist: Array<[string, AnyRaw]> = [];
        while (!l.done) {
          const k = l.key();
          if (k === tag(1, LEN)) kvlist.push(this.keyValueRaw(sub(l), depth + 1));
          else other(l, k, 'KeyValueList');
        }
        value = { kvlist };
      } else other(r, key, 'AnyValue');
    }
    return value;
  }
}

/** Appends without spreading, which would overflow the stack on a long hostile run. */
function append(to: number[], from: number[]): void {
  for (const x of from) to.push(x);
}

/** A reader over the embedded message at the reader's position, which moves past it. */
function sub(r: Reader): Reader {
  const [s, e] = r.bytes();
  return r.sub(s, e);
}

/**
 * Any field a message's decoder did not take: skipped when unknown or of its declared wire type
 * (fields we ignore), refused when a known field arrives with another wire type.
 */
function other(r: Reader, key: number, message: MessageName): void {
  const field = Math.floor(key / 8); // not `>>> 3`, which would wrap keys past 2^32 onto small field numbers
  const wire = key & 7;
  if (field === 0) throw new BadPayload(`${message} has a field numbered 0, which protobuf does not allow`);
  const expected = (FIELDS[message] as Record<number, number>)[field];
  if (expected !== undefined && expected !== wire) {
    throw new BadPayload(`${message} field ${field} has wire type ${WIRE_NAMES[wire] ?? wire}, expected ${WIRE_NAMES[expected]}`);
  }
  r.skip(wire);
}

/**
 * A fixed64 `time_unix_nano` in whole milliseconds, exactly: hi·2^32 + lo splits as
 * hi·4294·10^6 + (hi·967296 + lo), and the second term stays below 2^53.
 */
function nanosToMs(r: Reader): number {
  if (r.pos + 8 > r.end) throw new BadPayload('protobuf: truncated fixed64');
  const lo = r.fixed32();
  const hi = r.fixed32();
  return hi * 4294 + Math.floor((hi * 967296 + lo) / 1e6);
}
