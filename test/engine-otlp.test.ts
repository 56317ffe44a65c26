import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_OPTIONS } from '../src/rules/index.js';
import { startService, type EngineService } from '../src/service/service.js';
import { scratchDir, writeFiles } from './helpers/promtool.js';

const SPEC = `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: availability }
spec:
  service: shop
  objective: 99
  sli:
    events:
      bad: 'http_server_request_duration_seconds_count{http_response_status_code=~"5.."}'
      total: 'http_server_request_duration_seconds_count'
      groupBy: [job]
---
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: latency }
spec:
  service: shop
  objective: 99
  sli:
    latency:
      histogram: 'http_server_request_duration_seconds'
      threshold: 500ms
      groupBy: [job]
`;

const BASE = 300_000;

/**
 * A real OpenTelemetry SDK (sdk-metrics with the OTLP/HTTP exporters, protobuf and JSON,
 * cumulative and delta) exports a request-duration histogram to the engine's /v1/metrics. The
 * SLO specs name the metric as Prometheus translates it, so the same spec serves both paths.
 */
describe('the engine fed by the OpenTelemetry SDK over OTLP/HTTP', () => {
  const dir = scratchDir('engine-otlp-');
  let engine: EngineService;

  beforeAll(async () => {
    writeFiles(dir, { 'slos.yaml': SPEC });
    engine = await startService({ sloPaths: [join(dir, 'slos.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'test', watch: false, log: () => {} });
  });

  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Exports three rounds: fast 200s and slow 500s; the first round is only a baseline for cumulative counters. */
  async function run(format: 'protobuf' | 'json', temporality: 'cumulative' | 'delta') {
    const url = `${engine.url}/v1/metrics`;
    const temporalityPreference = temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE;
    const exporter = format === 'json' ? new JsonExporter({ url, temporalityPreference }) : new ProtobufExporter({ url, temporalityPreference });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': `shop-${format}-${temporality}` }),
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    });
    const duration = provider.getMeter('shop').createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1, 5] } });
    const round = (fast: number, slow: number) => {
      for (let i = 0; i < fast; i++) duration.record(0.05, { 'http.response.status_code': 200, 'http.route': '/cart' });
      for (let i = 0; i < slow; i++) duration.record(2, { 'http.response.status_code': 503, 'http.route': '/cart' });
    };
    round(7, 1);
    await provider.forceFlush();
    round(90, 10);
    await provider.forceFlush();
    round(180, 20);
    await provider.forceFlush();
    await provider.shutdown();
  }

  function groupOf(body: { data: Array<{ id: string; groups: Array<{ labels: Record<string, string>; windows: Record<string, { total: number | null; bad: number | null }> }> }> }, id: string, job: string) {
    return body.data.find((s) => s.id === id)!.groups.find((g) => g.labels.job === job)?.windows['30m'];
  }

  it('computes availability and latency SLIs from every format and temporality', async () => {
    for (const format of ['protobuf', 'json'] as const) for (const temporality of ['cumulative', 'delta'] as const) await run(format, temporality);
    // The whole export lies within the last 30 minutes; read at the next 5m edge so its bucket is in.
    const t = Math.ceil(Date.now() / BASE) * BASE + BASE;
    const body = await (await fetch(`${engine.url}/api/v1/slos?time=${t / 1000}`)).json();
    for (const format of ['protobuf', 'json']) {
      // Cumulative points count from the first export on; delta points are increases from the start.
      const cumulative = `shop-${format}-cumulative`;
      const delta = `shop-${format}-delta`;
      expect(groupOf(body, 'shop-availability', cumulative)).toMatchObject({ total: 300, bad: 30 });
      expect(groupOf(body, 'shop-latency', cumulative)).toMatchObject({ total: 300, bad: 30 });
      expect(groupOf(body, 'shop-availability', delta)).toMatchObject({ total: 308, bad: 31 });
      expect(groupOf(body, 'shop-latency', delta)).toMatchObject({ total: 308, bad: 31 });
    }
  });

  it('answers a malformed OTLP body with 400 and the reason, and an unknown content type with 415', async () => {
    const bad = await fetch(`${engine.url}/v1/metrics`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f]) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/\w/);
    const json = await fetch(`${engine.url}/v1/metrics`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"resourceMetrics": [' });
    expect(json.status).toBe(400);
    const other = await fetch(`${engine.url}/v1/metrics`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    expect(other.status).toBe(415);
  });
});
