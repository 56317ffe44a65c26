import { BadPayload } from '../errors.js';
import { anyValueString, MAX_ANY_VALUE_DEPTH, type AnyRaw } from './any-value.js';
import type { Attribute } from './labels.js';
import type { MetricSink, OtlpDataType, SeriesSink } from './points.js';

type Obj = Record<string, unknown>;

const DATA_TYPES: OtlpDataType[] = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes an OTLP/JSON `ExportMetricsServiceRequest` into the sink: lowerCamelCase keys, enums as
 * integers, 64-bit integers as decimal strings or numbers, unknown fields ignored. A field of the
 * wrong JSON type throws BadPayload (400) with its path, e.g.
 * `resourceMetrics[0].scopeMetrics[0].metrics[2].sum.dataPoints[1].timeUnixNano`.
 */
export function decodeJsonRequest(body: Uint8Array, sink: SeriesSink): void {
  let root: unknown;
  try {
    root = JSON.parse(utf8.decode(body));
  } catch (e) {
    throw new BadPayload(
      `OTLP/JSON: the body is not valid UTF-8 JSON (${(e as Error).message}); send an ExportMetricsServiceRequest in OTLP/JSON with Content-Type: application/json, or protobuf with application/x-protobuf`,
    );
  }
  new JsonDecoder(sink).request(object(root, 'the body') ?? {});
}

class JsonDecoder {
  constructor(private readonly sink: SeriesSink) {}

  request(root: Obj): void {
    array(root.resourceMetrics, 'resourceMetrics').forEach((rm, i) => {
      const path = `resourceMetrics[${i}]`;
      const o = object(rm, path) ?? {};
      const resource = object(o.resource, `${path}.resource`);
      this.sink.resource(this.attributes(resource?.attributes, `${path}.resource.attributes`));
      array(o.scopeMetrics, `${path}.scopeMetrics`).forEach((sm, j) => {
        const scopePath = `${path}.scopeMetrics[${j}]`;
        const metrics = array((object(sm, scopePath) ?? {}).metrics, `${scopePath}.metrics`);
        metrics.forEach((m, k) => this.metric(object(m, `${scopePath}.metrics[${k}]`) ?? {}, `${scopePath}.metrics[${k}]`));
      });
    });
  }

  private metric(m: Obj, path: string): void {
    const name = string(m.name, `${path}.name`);
    const unit = string(m.unit, `${path}.unit`);
    const type = DATA_TYPES.find((t) => m[t] !== undefined && m[t] !== null);
    if (!type) return;
    const dataPath = `${path}.${type}`;
    const data = object(m[type], dataPath) ?? {};
    const points = array(data.dataPoints, `${dataPath}.dataPoints`);
    const temporality = type === 'gauge' || type === 'summary' ? 0 : integer(data.aggregationTemporality, `${dataPath}.aggregationTemporality`);
    const monotonic = type === 'sum' && boolean(data.isMonotonic, `${dataPath}.isMonotonic`);
    const sink = this.sink.metric({ name, unit, type, monotonic, temporality, points: points.length });
    if (!sink) return;
    points.forEach((p, i) => {
      const pointPath = `${dataPath}.dataPoints[${i}]`;
      const o = object(p, pointPath) ?? {};
      if (type === 'gauge' || type === 'sum') this.numberPoint(o, pointPath, sink);
      else if (type === 'histogram') this.histogramPoint(o, pointPath, sink);
      else this.summaryPoint(o, pointPath, sink);
    });
  }

  private numberPoint(p: Obj, path: string, m: MetricSink): void {
    let value = 0;
    if (p.asDouble !== undefined && p.asDouble !== null) value = double(p.asDouble, `${path}.asDouble`);
    else if (p.asInt !== undefined && p.asInt !== null) value = integer(p.asInt, `${path}.asInt`);
    m.number({ ...this.common(p, path), value });
  }

  private histogramPoint(p: Obj, path: string, m: MetricSink): void {
    m.histogram({
      ...this.common(p, path),
      count: integer(p.count, `${path}.count`),
      sum: p.sum === undefined || p.sum === null ? undefined : double(p.sum, `${path}.sum`),
      bucketCounts: array(p.bucketCounts, `${path}.bucketCounts`).map((c, i) => integer(c, `${path}.bucketCounts[${i}]`)),
      bounds: array(p.explicitBounds, `${path}.explicitBounds`).map((b, i) => double(b, `${path}.explicitBounds[${i}]`)),
    });
  }

  private summaryPoint(p: Obj, path: string, m: MetricSink): void {
    m.summary({
      ...this.common(p, path),
      count: integer(p.count, `${path}.count`),
      sum: double(p.sum, `${path}.sum`),
      quantiles: array(p.quantileValues, `${path}.quantileValues`).map((q, i) => {
        const qPath = `${path}.quantileValues[${i}]`;
        const o = object(q, qPath) ?? {};
        return [double(o.quantile, `${qPath}.quantile`), double(o.value, `${qPath}.value`)];
      }),
    });
  }

  private common(p: Obj, path: string): { attributes: Attribute[]; timeMs: number; flags: number } {
    return {
      attributes: this.attributes(p.attributes, `${path}.attributes`),
      timeMs: nanosToMs(p.timeUnixNano, `${path}.timeUnixNano`),
      flags: integer(p.flags, `${path}.flags`),
    };
  }

  private attributes(v: unknown, path: string): Attribute[] {
    return array(v, path).map((kv, i) => {
      const [key, raw] = keyValue(kv, `${path}[${i}]`, 0);
      return { key, value: anyValueString(raw) };
    });
  }
}

function keyValue(v: unknown, path: string, depth: number): [string, AnyRaw] {
  const o = object(v, path) ?? {};
  return [string(o.key, `${path}.key`), anyValue(o.value, `${path}.value`, depth)];
}

/** `AnyValue`: `{"stringValue": …}`, `{"intValue": "…"}`, `{"arrayValue": {"values": […]}}`, … */
function anyValue(v: unknown, path: string, depth: number): AnyRaw {
  if (depth > MAX_ANY_VALUE_DEPTH) fail(path, `an attribute value nested at most ${MAX_ANY_VALUE_DEPTH} levels deep`, v);
  const o = object(v, path);
  if (!o) return null;
  const present = (k: string) => o[k] !== undefined && o[k] !== null;
  if (present('stringValue')) return string(o.stringValue, `${path}.stringValue`);
  if (present('boolValue')) return boolean(o.boolValue, `${path}.boolValue`);
  if (present('intValue')) return bigInteger(o.intValue, `${path}.intValue`);
  if (present('doubleValue')) return double(o.doubleValue, `${path}.doubleValue`);
  if (present('bytesValue')) return { bytes: string(o.bytesValue, `${path}.bytesValue`) };
  if (present('arrayValue')) {
    const values = array((object(o.arrayValue, `${path}.arrayValue`) ?? {}).values, `${path}.arrayValue.values`);
    return values.map((x, i) => anyValue(x, `${path}.arrayValue.values[${i}]`, depth + 1));
  }
  if (present('kvlistValue')) {
    const values = array((object(o.kvlistValue, `${path}.kvlistValue`) ?? {}).values, `${path}.kvlistValue.values`);
    return { kvlist: values.map((x, i) => keyValue(x, `${path}.kvlistValue.values[${i}]`, depth + 1)) };
  }
  return null;
}

function fail(path: string, expected: string, got: unknown): never {
  let shown: string;
  try {
    shown = JSON.stringify(got)?.slice(0, 80) ?? String(got);
  } catch {
    shown = typeof got;
  }
  throw new BadPayload(`OTLP/JSON: ${path} must be ${expected}, got ${shown}; see the OTLP/JSON encoding (lowerCamelCase keys, 64-bit integers as decimal strings, enums as integers)`);
}

/** An object, or undefined for a missing or null field (proto3 JSON: null is the default). */
function object(v: unknown, path: string): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) fail(path, 'an object', v);
  return v as Obj;
}

function array(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(path, 'an array', v);
  return v;
}

function string(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(path, 'a string', v);
  return v;
}

function boolean(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') fail(path, 'true or false', v);
  return v;
}

const DECIMAL = /^-?[0-9]{1,20}$/;

/** A 64-bit integer as a number (past 2^53 it rounds to the nearest double). */
function integer(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(v);
  return fail(path, 'an integer (a decimal string or a number)', v);
}

/** A 64-bit integer exactly, for attribute values. */
function bigInteger(v: unknown, path: string): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && DECIMAL.test(v)) return BigInt(v);
  return fail(path, 'an integer (a decimal string or a number)', v);
}

/** A double: a JSON number, or a string holding one, `NaN`, `Infinity` or `-Infinity`. */
function double(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    if (!Number.isNaN(n) || v === 'NaN') return n;
  }
  return fail(path, 'a number', v);
}

/** Nanoseconds since the epoch (a decimal string, or a number) → whole milliseconds. */
function nanosToMs(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(BigInt(v) / 1_000_000n);
  if (typeof v === 'number' && Number.isInteger(v)) return Math.floor(v / 1e6);
  return fail(path, 'nanoseconds since 1970 as a decimal string', v);
}
