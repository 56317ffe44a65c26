import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag, DiagLogLevel, type Meter } from '@opentelemetry/api';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadPayload } from '../src/ingest/errors.js';
import {
  decodeOtlpMetrics,
  formatFloat,
  otlpErrorStatus,
  otlpLabelName,
  otlpMetricName,
  otlpResponse,
  type DecodedSeries,
  type OtlpDecodeResult,
} from '../src/ingest/otlp/index.js';

type Format = 'protobuf' | 'json';
type Temporality = 'cumulative' | 'delta';

/** What the tiny receiver below was sent, per export run. */
interface Capture {
  contentType: string | undefined;
  body: Uint8Array;
}

const captured = new Map<string, Capture[]>();
let receiver: Server;
let port: number;

/**
 * A minimal OTLP/HTTP receiver: it records each body, decodes it with the code under test and
 * answers as the engine will, so the SDK also parses our success and partial-success responses.
 */
beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = new Uint8Array(Buffer.concat(chunks));
      const contentType = req.headers['content-type'];
      const format: Format = contentType === 'application/json' ? 'json' : 'protobuf';
      const run = new URL(req.url!, 'http://x').searchParams.get('run') ?? '';
      captured.set(run, [...(captured.get(run) ?? []), { contentType, body }]);
      try {
        const answer = otlpResponse(decodeOtlpMetrics(body, format), format);
        res.writeHead(200, { 'content-type': contentType }).end(answer);
      } catch (e) {
        const status = e instanceof BadPayload ? e.status : 500;
        res.writeHead(status, { 'content-type': contentType }).end(otlpErrorStatus(String((e as Error).message), format));
      }
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  port = (receiver.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
});

const RESOURCE = {
  'service.name': 'checkout',
  'service.namespace': 'shop',
  'service.instance.id': 'checkout-7d9f-abc',
  'k8s.pod.name': 'checkout-7d9f-abc',
  'deployment.environment.name': 'prod',
};

/** Semantic-conventions buckets for http.server.request.duration. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 7.5, 10];

const OK = { 'http.response.status_code': 200, 'http.request.method': 'GET', namespace: 'payments' };
const FAILED = { 'http.response.status_code': 500, 'http.request.method': 'GET', namespace: 'payments' };

let runs = 0;

/**
 * Runs a real MeterProvider against the receiver: `record(meter, round)` then a forced export, once
 * per round. Returns the body of each round's export.
 */
async function exportWithSdk(
  format: Format,
  temporality: Temporality,
  record: (meter: Meter, round: number) => void,
  opts: { rounds?: number; views?: ViewOptions[] } = {},
): Promise<Uint8Array[]> {
  const run = `run-${++runs}`;
  const url = `http://127.0.0.1:${port}/v1/metrics?run=${run}`;
  const temporalityPreference = temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE;
  const exporter = format === 'json' ? new JsonExporter({ url, temporalityPreference }) : new ProtobufExporter({ url, temporalityPreference });
  const provider = new MeterProvider({
    resource: resourceFromAttributes(RESOURCE),
    views: opts.views ?? [],
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
  });
  const meter = provider.getMeter('otlp-decode-test', '1.0.0');
  const bodies: Uint8Array[] = [];
  for (let round = 0; round < (opts.rounds ?? 1); round++) {
    record(meter, round);
    await provider.forceFlush();
    const got = captured.get(run) ?? [];
    expect(got.length).toBe(round + 1);
    bodies.push(got[round]!.body);
  }
  await provider.shutdown();
  return bodies;
}

/** A counter, an up-down counter, a gauge and a latency histogram, recorded over two rounds. */
function recordPlatform(meter: Meter): (m: Meter, round: number) => void {
  const orders = meter.createCounter('orders.processed', { unit: '{order}' });
  const queue = meter.createUpDownCounter('queue.depth', { unit: '{item}' });
  const cpu = meter.createGauge('cpu.utilization', { unit: '1' });
  const duration = meter.createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } });
  return (_m, round) => {
    if (round === 0) {
      orders.add(3, { namespace: 'payments' });
      queue.add(10);
      cpu.record(0.25);
      for (const v of [0.003, 0.02, 0.02, 0.3, 12]) duration.record(v, OK);
      duration.record(0.7, FAILED);
    } else {
      orders.add(2, { namespace: 'payments' });
      queue.add(-4);
      cpu.record(0.5);
      duration.record(0.004, OK);
    }
  };
}

async function platformExports(format: Format, temporality: Temporality): Promise<Uint8Array[]> {
  let recorder: ((m: Meter, round: number) => void) | undefined;
  return exportWithSdk(
    format,
    temporality,
    (meter, round) => {
      recorder ??= recordPlatform(meter);
      recorder(meter, round);
    },
    { rounds: 2 },
  );
}

const exports: Record<Format, Record<Temporality, Uint8Array[]>> = { protobuf: { cumulative: [], delta: [] }, json: { cumulative: [], delta: [] } };
let startedMs: number;
let finishedMs: number;

beforeAll(async () => {
  startedMs = Date.now();
  for (const format of ['protobuf', 'json'] as const) {
    for (const temporality of ['cumulative', 'delta'] as const) exports[format][temporality] = await platformExports(format, temporality);
  }
  finishedMs = Date.now();
});

function find(series: DecodedSeries[], labels: Record<string, string>): DecodedSeries {
  const found = series.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  expect(found, JSON.stringify(labels)).toHaveLength(1);
  return found[0]!;
}

function value(series: DecodedSeries[], labels: Record<string, string>): number {
  const s = find(series, labels);
  expect(s.samples).toHaveLength(1);
  return s.samples[0]!.value;
}

function bucketCounts(series: DecodedSeries[], status: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of series) {
    if (s.labels.__name__ === 'http_server_request_duration_seconds_bucket' && s.labels.http_response_status_code === status) out[s.labels.le!] = s.samples[0]!.value;
  }
  return out;
}

describe.each(['protobuf', 'json'] as const)('OTLP/%s exports of the OpenTelemetry SDK', (format) => {
  const decoded = (temporality: Temporality, round: number) => decodeOtlpMetrics(exports[format][temporality][round]!, format);

  it('arrive with the content type of their encoding', () => {
    const types = [...captured.values()].flat().map((c) => c.contentType);
    expect(types).toContain(format === 'json' ? 'application/json' : 'application/x-protobuf');
  });

  it('decode completely, with nothing rejected or skipped', () => {
    for (const temporality of ['cumulative', 'delta'] as const) {
      for (const round of [0, 1]) {
        const r = decoded(temporality, round);
        expect(r.rejectedDataPoints).toBe(0);
        expect(r.errorMessage).toBeUndefined();
        expect(r.skipped).toBe(0);
        expect(r.samples).toBe(r.series.reduce((n, s) => n + s.samples.length, 0));
      }
    }
  });

  it('name a latency histogram in seconds <name>_seconds_bucket, _count and _sum, with cumulative le buckets', () => {
    const { series } = decoded('cumulative', 0);
    expect(bucketCounts(series, '200')).toEqual({
      '0.005': 1,
      '0.01': 1,
      '0.025': 3,
      '0.05': 3,
      '0.1': 3,
      '0.25': 3,
      '0.5': 4,
      '1': 4,
      '2.5': 4,
      '5': 4,
      '7.5': 4,
      '10': 4,
      '+Inf': 5,
    });
    expect(value(series, { __name__: 'http_server_request_duration_seconds_count', http_response_status_code: '200' })).toBe(5);
    expect(value(series, { __name__: 'http_server_request_duration_seconds_sum', http_response_status_code: '200' })).toBeCloseTo(12.343, 9);
    expect(bucketCounts(series, '500')).toMatchObject({ '0.5': 0, '1': 1, '+Inf': 1 });
  });

  it('turn data point attributes into sanitized labels and the service into job and instance', () => {
    const { series } = decoded('cumulative', 0);
    const bucket = find(series, { __name__: 'http_server_request_duration_seconds_bucket', http_response_status_code: '200', le: '0.5' });
    expect(bucket.labels).toEqual({
      __name__: 'http_server_request_duration_seconds_bucket',
      http_request_method: 'GET',
      http_response_status_code: '200',
      namespace: 'payments',
      job: 'shop/checkout',
      instance: 'checkout-7d9f-abc',
      le: '0.5',
    });
  });

  it('copy no other resource attribute onto the series', () => {
    for (const s of decoded('cumulative', 0).series) {
      expect(s.labels.job).toBe('shop/checkout');
      expect(s.labels.instance).toBe('checkout-7d9f-abc');
      expect(Object.keys(s.labels).filter((k) => k.startsWith('k8s') || k.startsWith('deployment'))).toEqual([]);
    }
  });

  it('name a monotonic counter <name>_total, drop its {annotation} unit and keep its running total', () => {
    const labels = { __name__: 'orders_processed_total', namespace: 'payments' };
    expect(value(decoded('cumulative', 0).series, labels)).toBe(3);
    expect(value(decoded('cumulative', 1).series, labels)).toBe(5);
    expect(find(decoded('cumulative', 1).series, labels).delta).toBeUndefined();
  });

  it('flag delta counters and histograms, whose values are the increase since the previous export', () => {
    const first = decoded('delta', 0).series;
    const second = decoded('delta', 1).series;
    const orders = { __name__: 'orders_processed_total', namespace: 'payments' };
    expect(value(first, orders)).toBe(3);
    expect(value(second, orders)).toBe(2);
    expect(find(second, orders).delta).toBe(true);
    const count = { __name__: 'http_server_request_duration_seconds_count', http_response_status_code: '200' };
    expect(value(second, count)).toBe(1);
    expect(find(second, count).delta).toBe(true);
    expect(bucketCounts(second, '200')).toMatchObject({ '0.005': 1, '10': 1, '+Inf': 1 });
    // The cumulative export of the same second round holds the totals instead.
    expect(value(decoded('cumulative', 1).series, count)).toBe(6);
    expect(bucketCounts(decoded('cumulative', 1).series, '200')).toMatchObject({ '0.005': 2, '0.025': 4, '+Inf': 6 });
  });

  it('keep an up-down counter a plain cumulative value without _total, even when delta is preferred', () => {
    for (const temporality of ['cumulative', 'delta'] as const) {
      const s = find(decoded(temporality, 1).series, { __name__: 'queue_depth' });
      expect(s.samples[0]!.value).toBe(6);
      expect(s.delta).toBeUndefined();
    }
  });

  it('name a gauge of unit "1" <name>_ratio and keep its last value', () => {
    const s = find(decoded('delta', 1).series, { __name__: 'cpu_utilization_ratio' });
    expect(s.samples[0]!.value).toBe(0.5);
    expect(s.delta).toBeUndefined();
  });

  it('time samples in milliseconds at the moment of export', () => {
    for (const s of decoded('cumulative', 0).series) {
      expect(Number.isInteger(s.samples[0]!.timestampMs)).toBe(true);
      expect(s.samples[0]!.timestampMs).toBeGreaterThanOrEqual(startedMs);
      expect(s.samples[0]!.timestampMs).toBeLessThanOrEqual(finishedMs);
    }
  });

  it('call keep() with every Prometheus name and emit only the wanted series of a histogram', () => {
    const asked = new Set<string>();
    const r = decodeOtlpMetrics(exports[format].cumulative[0]!, format, {
      keep: (name) => {
        asked.add(name);
        return name === 'http_server_request_duration_seconds_bucket';
      },
    });
    expect([...asked].sort()).toEqual([
      'cpu_utilization_ratio',
      'http_server_request_duration_seconds_bucket',
      'http_server_request_duration_seconds_count',
      'http_server_request_duration_seconds_sum',
      'orders_processed_total',
      'queue_depth',
    ]);
    expect(new Set(r.series.map((s) => s.labels.__name__))).toEqual(new Set(['http_server_request_duration_seconds_bucket']));
    expect(r.series).toHaveLength(2 * (DURATION_BUCKETS.length + 1));
    // The counter, the up-down counter and the gauge had one data point each.
    expect(r.skipped).toBe(3);
  });
});

describe('the two encodings', () => {
  it('decode the same SDK data to the same series', () => {
    const strip = (r: OtlpDecodeResult) =>
      r.series.map((s) => ({ ...s, samples: s.samples.map((x) => x.value) })).sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
    for (const temporality of ['cumulative', 'delta'] as const) {
      for (const round of [0, 1]) {
        const pb = strip(decodeOtlpMetrics(exports.protobuf[temporality][round]!, 'protobuf'));
        const json = strip(decodeOtlpMetrics(exports.json[temporality][round]!, 'json'));
        expect(json).toEqual(pb);
      }
    }
  });
});

describe('exponential histograms', () => {
  const views: ViewOptions[] = [{ instrumentName: 'rpc.duration', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }];
  const record = (meter: Meter) => {
    const h = meter.createHistogram('rpc.duration', { unit: 'ms' });
    for (const v of [1, 2, 40, 300]) h.record(v, { 'rpc.method': 'Get' });
    meter.createCounter('rpc.calls').add(4);
  };

  it.each(['protobuf', 'json'] as const)('are rejected in %s with a reason, while the rest of the request is taken', async (format) => {
    const [body] = await exportWithSdk(format, 'cumulative', record, { views });
    const r = decodeOtlpMetrics(body!, format);
    expect(r.rejectedDataPoints).toBe(1);
    expect(r.errorMessage).toMatch(/1 data point rejected: metric "rpc\.duration" is an exponential histogram.*explicit_bucket_histogram/);
    expect(r.series.map((s) => s.labels.__name__)).toEqual(['rpc_calls_total']);
  });

  it('are skipped, not rejected, when no SLI wants them', async () => {
    const [body] = await exportWithSdk('protobuf', 'cumulative', record, { views });
    const r = decodeOtlpMetrics(body!, 'protobuf', { keep: (n) => n === 'rpc_calls_total' });
    expect(r.rejectedDataPoints).toBe(0);
    expect(r.skipped).toBe(1);
  });

  it('reach the SDK as a partial success it reports and does not retry', async () => {
    const warnings: string[] = [];
    diag.setLogger(
      { error: () => {}, warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')), info: () => {}, debug: () => {}, verbose: () => {} },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    try {
      await exportWithSdk('protobuf', 'cumulative', record, { views });
    } finally {
      diag.disable();
    }
    const partial = warnings.find((w) => w.includes('Partial Success'));
    expect(partial).toBeDefined();
    expect(partial).toMatch(/"rejectedDataPoints":1/);
    expect(partial).toMatch(/exponential histogram/);
  });
});

describe('partial-success responses', () => {
  const rejected = { rejectedDataPoints: 3, errorMessage: '3 data points rejected: metric "x" is an exponential histogram' };

  it('decode back with the SDK’s own protobuf and JSON response parsers', () => {
    expect(ProtobufMetricsSerializer.deserializeResponse(otlpResponse(rejected, 'protobuf'))).toEqual({
      partialSuccess: { rejectedDataPoints: 3, errorMessage: rejected.errorMessage },
    });
    expect(JsonMetricsSerializer.deserializeResponse(otlpResponse(rejected, 'json'))).toEqual({
      partialSuccess: { rejectedDataPoints: '3', errorMessage: rejected.errorMessage },
    });
  });

  it('are left out entirely on full success', () => {
    expect(otlpResponse({ rejectedDataPoints: 0 }, 'protobuf')).toEqual(new Uint8Array(0));
    expect(new TextDecoder().decode(otlpResponse({ rejectedDataPoints: 0 }, 'json'))).toBe('{}');
  });

  it('carry a warning with zero rejected points', () => {
    expect(ProtobufMetricsSerializer.deserializeResponse(otlpResponse({ rejectedDataPoints: 0, errorMessage: 'careful' }, 'protobuf'))).toEqual({
      partialSuccess: { errorMessage: 'careful' },
    });
  });

  it('have a google.rpc.Status counterpart for refused requests', () => {
    expect(JSON.parse(new TextDecoder().decode(otlpErrorStatus('bad body', 'json')))).toEqual({ message: 'bad body' });
    expect([...otlpErrorStatus('bad', 'protobuf')]).toEqual([0x12, 3, 0x62, 0x61, 0x64]);
  });
});

describe('metric names as Prometheus translates them', () => {
  it.each([
    ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
    ['http.server.duration', 'ms', 'histogram', 'http_server_duration_milliseconds'],
    ['http.server.active_requests', '{request}', 'updowncounter', 'http_server_active_requests'],
    ['http.server.requests', '{request}', 'counter', 'http_server_requests_total'],
    ['requests.total', '1', 'counter', 'requests_total'],
    ['system.memory.usage', 'By', 'gauge', 'system_memory_usage_bytes'],
    ['system.cpu.utilization', '1', 'gauge', 'system_cpu_utilization_ratio'],
    ['cache.hit_ratio', '1', 'gauge', 'cache_hit_ratio'],
    ['queue.fill', '1', 'updowncounter', 'queue_fill'],
    ['network.io', 'By/s', 'gauge', 'network_io_bytes_per_second'],
    ['throughput', '{packet}/s', 'gauge', 'throughput_per_second'],
    ['cpu.time', 's', 'counter', 'cpu_time_seconds_total'],
    ['process_cpu_seconds', 's', 'counter', 'process_cpu_seconds_total'],
    ['disk.free', '%', 'gauge', 'disk_free_percent'],
    ['temperature', 'Cel', 'gauge', 'temperature_celsius'],
    ['weird..name--x', 'MiBy', 'gauge', 'weird_name_x_mebibytes'],
    ['ns:metric.x', '', 'gauge', 'ns:metric_x'],
    ['2xx.responses', '', 'counter', '_2xx_responses_total'],
    ['latency', 'custom unit', 'summary', 'latency_custom_unit'],
    ['héllo.wörld', '', 'gauge', 'h_llo_w_rld'],
    ['...', '', 'gauge', ''],
  ] as const)('%s in %j as a %s → %j', (name, unit, kind, expected) => {
    expect(otlpMetricName(name, unit, kind)).toBe(expected);
  });

  it.each([
    ['http.response.status_code', 'http_response_status_code'],
    ['k8s.namespace.name', 'k8s_namespace_name'],
    ['0day', 'key_0day'],
    ['_private', 'key_private'],
    ['__reserved', '__reserved'],
    ['service-name', 'service_name'],
    ['...', ''],
    ['', ''],
  ])('label %j → %j', (key, expected) => {
    expect(otlpLabelName(key)).toBe(expected);
  });

  it.each([
    [0.005, '0.005'],
    [1, '1'],
    [2.5, '2.5'],
    [10000, '10000'],
    [1e-7, '0.0000001'],
    [1.5e21, '1500000000000000000000'],
    [-0.25, '-0.25'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('le %d is written %j', (v, expected) => {
    expect(formatFloat(v)).toBe(expected);
  });
});

/** A hand-built OTLP/JSON request with one metric. */
function jsonRequest(metric: object, resourceAttributes: object[] = [{ key: 'service.name', value: { stringValue: 'api' } }]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ resourceMetrics: [{ resource: { attributes: resourceAttributes }, scopeMetrics: [{ metrics: [metric] }] }] }));
}

const NOW_NS = '1700000000123456789';

describe('OTLP/JSON details the SDK does not exercise', () => {
  it('reads 64-bit integers from strings and numbers, past 2^53 without throwing', () => {
    const r = decodeOtlpMetrics(
      jsonRequest({
        name: 'big',
        gauge: {
          dataPoints: [
            { timeUnixNano: NOW_NS, asInt: '9007199254740993', attributes: [{ key: 'id', value: { intValue: '9223372036854775807' } }] },
            { timeUnixNano: 1700000001000000000, asInt: 7, attributes: [{ key: 'id', value: { intValue: 1 } }] },
          ],
        },
      }),
      'json',
    );
    const [a, b] = r.series;
    expect(a!.labels.id).toBe('9223372036854775807');
    expect(a!.samples).toEqual([{ value: 9007199254740992, timestampMs: 1700000000123 }]);
    expect(b!.samples).toEqual([{ value: 7, timestampMs: 1700000001000 }]);
  });

  it('turns summaries into quantile series plus _count and _sum', () => {
    const r = decodeOtlpMetrics(
      jsonRequest({
        name: 'rpc.latency',
        unit: 's',
        summary: {
          dataPoints: [
            {
              timeUnixNano: NOW_NS,
              count: '10',
              sum: 2.5,
              quantileValues: [
                { quantile: 0.5, value: 0.2 },
                { quantile: 0.99, value: 0.9 },
              ],
            },
          ],
        },
      }),
      'json',
    );
    expect(r.series.map((s) => [s.labels.__name__, s.labels.quantile, s.samples[0]!.value])).toEqual([
      ['rpc_latency_seconds', '0.5', 0.2],
      ['rpc_latency_seconds', '0.99', 0.9],
      ['rpc_latency_seconds_count', undefined, 10],
      ['rpc_latency_seconds_sum', undefined, 2.5],
    ]);
  });

  it('sanitizes attribute keys, joins keys that collide with ";" and renders non-string values', () => {
    const r = decodeOtlpMetrics(
      jsonRequest({
        name: 'x',
        gauge: {
          dataPoints: [
            {
              timeUnixNano: NOW_NS,
              asDouble: 1,
              attributes: [
                { key: 'a_b', value: { stringValue: 'second' } },
                { key: 'a.b', value: { stringValue: 'first' } },
                { key: '0day', value: { boolValue: true } },
                { key: 'ratio', value: { doubleValue: 0.1 } },
                { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } } },
                { key: 'empty', value: { stringValue: '' } },
                { key: 'job', value: { stringValue: 'overridden by service.name' } },
              ],
            },
          ],
        },
      }),
      'json',
    );
    expect(r.series[0]!.labels).toEqual({ __name__: 'x', a_b: 'first;second', key_0day: 'true', ratio: '0.1', list: '["a",2]', job: 'api' });
  });

  it('skips points flagged NO_RECORDED_VALUE', () => {
    const r = decodeOtlpMetrics(
      jsonRequest({ name: 'up', gauge: { dataPoints: [{ timeUnixNano: NOW_NS, asDouble: 1, flags: 1 }, { timeUnixNano: NOW_NS, asDouble: 2 }] } }),
      'json',
    );
    expect(r.series[0]!.samples.map((s) => s.value)).toEqual([2]);
    expect(r.rejectedDataPoints).toBe(0);
  });

  it('merges points of one series into one series with several samples', () => {
    const point = (t: string, v: number) => ({ timeUnixNano: t, asDouble: v, attributes: [{ key: 'k', value: { stringValue: 'v' } }] });
    const r = decodeOtlpMetrics(jsonRequest({ name: 'g', gauge: { dataPoints: [point('1000000000', 1), point('2000000000', 2)] } }), 'json');
    expect(r.series).toHaveLength(1);
    expect(r.series[0]!.samples).toEqual([
      { value: 1, timestampMs: 1000 },
      { value: 2, timestampMs: 2000 },
    ]);
  });

  it('rejects, and explains, points it cannot take while keeping the others', () => {
    const r = decodeOtlpMetrics(
      jsonRequest({
        name: 'req',
        sum: {
          aggregationTemporality: 2,
          isMonotonic: true,
          dataPoints: [
            { timeUnixNano: NOW_NS, asInt: '1' },
            { asInt: '1', attributes: [{ key: 'k', value: { stringValue: 'no time' } }] },
            { timeUnixNano: NOW_NS, asInt: '1', attributes: [{ key: 'long', value: { stringValue: 'x'.repeat(5000) } }] },
          ],
        },
      }),
      'json',
    );
    expect(r.series).toHaveLength(1);
    expect(r.rejectedDataPoints).toBe(2);
    expect(r.errorMessage).toMatch(/no time_unix_nano/);
    expect(r.errorMessage).toMatch(/longer than 4096 characters/);
  });

  it('rejects sums and histograms whose temporality is unspecified', () => {
    const r = decodeOtlpMetrics(jsonRequest({ name: 'req', sum: { isMonotonic: true, dataPoints: [{ timeUnixNano: NOW_NS, asInt: '1' }] } }), 'json');
    expect(r.rejectedDataPoints).toBe(1);
    expect(r.errorMessage).toMatch(/aggregation_temporality 0; a sum must be DELTA \(1\) or CUMULATIVE \(2\)/);
  });

  it('rejects histogram points whose buckets do not match their bounds', () => {
    const r = decodeOtlpMetrics(
      jsonRequest({
        name: 'lat',
        histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: NOW_NS, count: '3', bucketCounts: ['1', '2'], explicitBounds: [0.1, 0.2] }] },
      }),
      'json',
    );
    expect(r.rejectedDataPoints).toBe(1);
    expect(r.errorMessage).toMatch(/2 bucket_counts for 2 explicit_bounds/);
  });
});

/** Just enough protobuf encoding to build hostile requests. */
const pb = {
  varint(v: number | bigint): number[] {
    const out: number[] = [];
    let n = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  },
  len(field: number, bytes: number[]): number[] {
    return [...pb.varint((field << 3) | 2), ...pb.varint(bytes.length), ...bytes];
  },
  str(field: number, s: string): number[] {
    return pb.len(field, [...new TextEncoder().encode(s)]);
  },
  fixed64(field: number, v: bigint): number[] {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    return [...pb.varint((field << 3) | 1), ...b];
  },
  double(field: number, v: number): number[] {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    return [...pb.varint((field << 3) | 1), ...b];
  },
  /** ExportMetricsServiceRequest { resource_metrics { scope_metrics { metrics: metric } } } */
  request(metric: number[]): Uint8Array {
    return Uint8Array.from(pb.len(1, pb.len(2, pb.len(2, metric))));
  },
  /** A gauge metric with these NumberDataPoint bodies. */
  gauge(name: string, points: number[][]): number[] {
    return [...pb.str(1, name), ...pb.len(5, points.flatMap((p) => pb.len(1, p)))];
  },
};

function badPayload(fn: () => unknown): BadPayload {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadPayload);
    return e as BadPayload;
  }
  throw new Error('expected a BadPayload');
}

describe('hostile and malformed protobuf bodies', () => {
  const good = () => exports.protobuf.cumulative[0]!;

  it('are refused with 400 and the place decoding stopped when truncated', () => {
    for (const cut of [1, 7, 100, good().length - 1]) {
      const e = badPayload(() => decodeOtlpMetrics(good().subarray(0, cut), 'protobuf'));
      expect(e.status).toBe(400);
      expect(e.message).toMatch(/^OTLP\/protobuf: .* in (resource_metrics|the top level).*; the body must be a serialized ExportMetricsServiceRequest/);
    }
  });

  it('are refused when a field arrives with the wrong wire type', () => {
    const e = badPayload(() => decodeOtlpMetrics(Uint8Array.from([0x08, 0x01]), 'protobuf'));
    expect(e.message).toMatch(/ExportMetricsServiceRequest field 1 has wire type varint, expected length-delimited in the top level/);
    const inMetric = pb.request([...pb.str(1, 'up'), ...pb.varint((7 << 3) | 0), 1]);
    expect(badPayload(() => decodeOtlpMetrics(inMetric, 'protobuf')).message).toMatch(/Metric field 7 has wire type varint.*in resource_metrics\[0\]\.scope_metrics\[0\]\.metrics\[0\]/);
    expect(badPayload(() => decodeOtlpMetrics(Uint8Array.from([0x0b]), 'protobuf')).message).toMatch(/wire type 3/);
  });

  it('never trust a length field: a huge declared length is refused, not allocated', () => {
    const lie = Uint8Array.from([0x0a, ...pb.varint(2 ** 40), 0x00]);
    expect(badPayload(() => decodeOtlpMetrics(lie, 'protobuf')).message).toMatch(/runs past its message/);
    // A packed bucket_counts field claiming more bytes than the point holds.
    const point = [...pb.fixed64(3, 1n), ...pb.varint((6 << 3) | 2), ...pb.varint(1 << 30), 0, 0];
    const hist = pb.request([...pb.str(1, 'h'), ...pb.len(9, [...pb.len(1, point), 0x10, 2])]);
    expect(badPayload(() => decodeOtlpMetrics(hist, 'protobuf')).message).toMatch(/runs past its message.*data_points\[0\]/);
  });

  it('refuse packed fields that are not whole 8-byte elements', () => {
    const point = [...pb.fixed64(3, 1n), ...pb.len(6, [1, 2, 3])];
    const hist = pb.request([...pb.str(1, 'h'), ...pb.len(9, [...pb.len(1, point), 0x10, 2])]);
    expect(badPayload(() => decodeOtlpMetrics(hist, 'protobuf')).message).toMatch(/3 bytes long, not a multiple of 8/);
  });

  it('refuse attribute values nested past the limit instead of overflowing the stack', () => {
    let value: number[] = pb.str(1, 'leaf');
    for (let i = 0; i < 1000; i++) value = pb.len(5, pb.len(1, value));
    const point = [...pb.fixed64(3, 1n), ...pb.double(4, 1), ...pb.len(7, [...pb.str(1, 'deep'), ...pb.len(2, value)])];
    expect(badPayload(() => decodeOtlpMetrics(pb.request(pb.gauge('g', [point])), 'protobuf')).message).toMatch(/deeper than 16 levels/);
  });

  it('refuse strings that are not UTF-8', () => {
    const body = pb.request([...pb.len(1, [0xff, 0xfe]), ...pb.len(5, [])]);
    expect(badPayload(() => decodeOtlpMetrics(body, 'protobuf')).message).toMatch(/not valid UTF-8/);
  });

  it('skip the data points of unwanted metrics without decoding them', () => {
    // The point's attributes field has the wrong wire type; only decoding the point finds out.
    const broken = pb.request(pb.gauge('unwanted', [[...pb.fixed64(3, 1n), ...pb.varint((7 << 3) | 0), 1]]));
    expect(decodeOtlpMetrics(broken, 'protobuf', { keep: () => false })).toMatchObject({ series: [], skipped: 1 });
    expect(() => decodeOtlpMetrics(broken, 'protobuf')).toThrow(/NumberDataPoint field 7 has wire type varint/);
  });

  it('read int64 values past 2^53 and exact millisecond times', () => {
    const ns = 1_700_000_000_123_999_999n;
    const sfixed = new Uint8Array(8);
    new DataView(sfixed.buffer).setBigInt64(0, -(2n ** 60n), true);
    const point = [...pb.fixed64(3, ns), ...pb.varint((6 << 3) | 1), ...sfixed, ...pb.len(7, [...pb.str(1, 'id'), ...pb.len(2, [0x18, ...pb.varint(2n ** 62n)])])];
    const r = decodeOtlpMetrics(pb.request(pb.gauge('g', [point])), 'protobuf');
    expect(r.series[0]!.labels.id).toBe(String(2n ** 62n));
    expect(r.series[0]!.samples).toEqual([{ value: -(2 ** 60), timestampMs: 1_700_000_000_123 }]);
  });

  it('enforce the series limit with 413', () => {
    const e = badPayload(() => decodeOtlpMetrics(good(), 'protobuf', { maxSeries: 5 }));
    expect(e.status).toBe(413);
    expect(e.message).toMatch(/more than 5 series in one request/);
  });

  it('treat an empty body as an empty request', () => {
    expect(decodeOtlpMetrics(new Uint8Array(0), 'protobuf')).toEqual({ series: [], skipped: 0, samples: 0, rejectedDataPoints: 0 });
    expect(decodeOtlpMetrics(new Uint8Array(0), 'json').series).toEqual([]);
  });
});

describe('malformed OTLP/JSON bodies', () => {
  const json = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

  it('are refused with 400 when they are not JSON', () => {
    const e = badPayload(() => decodeOtlpMetrics(json('{"resourceMetrics": ['), 'json'));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^OTLP\/JSON: the body is not valid UTF-8 JSON .*Content-Type: application\/json/);
    expect(badPayload(() => decodeOtlpMetrics(exports.protobuf.cumulative[0]!, 'json')).message).toMatch(/not valid UTF-8 JSON/);
  });

  it('name the path of a field of the wrong type', () => {
    expect(badPayload(() => decodeOtlpMetrics(json({ resourceMetrics: {} }), 'json')).message).toMatch(/resourceMetrics must be an array, got \{\}/);
    const body = json({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'x', gauge: { dataPoints: [{ timeUnixNano: 'yesterday' }] } }] }] }] });
    expect(badPayload(() => decodeOtlpMetrics(body, 'json')).message).toMatch(
      /resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\.gauge\.dataPoints\[0\]\.timeUnixNano must be nanoseconds since 1970 as a decimal string, got "yesterday"/,
    );
    const enumName = json({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'x', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA' } }] }] }] });
    expect(badPayload(() => decodeOtlpMetrics(enumName, 'json')).message).toMatch(/aggregationTemporality must be an integer/);
  });

  it('ignore unknown fields', () => {
    const r = decodeOtlpMetrics(jsonRequest({ name: 'up', future: { x: 1 }, gauge: { dataPoints: [{ timeUnixNano: NOW_NS, asDouble: 1, novel: true }] } }), 'json');
    expect(r.series).toHaveLength(1);
  });

  it('refuse attribute values nested past the limit', () => {
    let value: object = { stringValue: 'leaf' };
    for (let i = 0; i < 100; i++) value = { arrayValue: { values: [value] } };
    const body = jsonRequest({ name: 'g', gauge: { dataPoints: [{ timeUnixNano: NOW_NS, asDouble: 1, attributes: [{ key: 'deep', value }] }] } });
    expect(badPayload(() => decodeOtlpMetrics(body, 'json')).message).toMatch(/nested at most 16 levels deep/);
  });
});
