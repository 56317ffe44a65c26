import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadPayload } from '../src/ingest/errors.js';
import { decodeWriteRequestV1, type DecodedSeries } from '../src/ingest/remote-write-v1.js';
import { decodeWriteRequestV2 } from '../src/ingest/remote-write-v2.js';
import { encodeV2, Writer } from './helpers/protobuf-writer.js';
import { snappyDecompress } from '../src/ingest/snappy.js';
import { snappyCompress } from '../src/wire/snappy-compress.js';
import { createPlatform, serveMetrics, type MetricsServer } from '../src/simulator/index.js';
import { startPrometheus, type PrometheusProcess } from './helpers/prometheus-process.js';
import { scratchDir } from './helpers/promtool.js';

/** Bodies a real Prometheus 2.42 remote-writes while scraping the simulated platform. */
const bodies: Array<{ headers: Record<string, string | string[] | undefined>; body: Uint8Array }> = [];
let receiver: Server;
let sim: MetricsServer;
let prom: PrometheusProcess;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ headers: req.headers, body: new Uint8Array(Buffer.concat(chunks)) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as AddressInfo).port;
  sim = await serveMetrics(createPlatform({ startMs: Date.now() - 60_000 }));
  const dir = scratchDir('remote-write-');
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s' },
      scrape_configs: [{ job_name: 'simulator', honor_labels: true, static_configs: [{ targets: [sim.target] }] }],
      remote_write: [{ url: `http://127.0.0.1:${port}/api/v1/write`, queue_config: { batch_send_deadline: '1s', max_samples_per_send: 2000 } }],
    }),
  );
  prom = await startPrometheus({ workDir: dir, configFile: config, dataDir: join(dir, 'data'), logName: 'prometheus.log' });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && decodedNames().size < 20) await new Promise((r) => setTimeout(r, 500));
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  await sim?.close();
  await new Promise((r) => receiver?.close(r));
});

function decodeAll(keep?: (name: string) => boolean): DecodedSeries[] {
  return bodies.flatMap((b) => decodeWriteRequestV1(snappyDecompress(b.body, 32 << 20), { keep }).series);
}

function decodedNames(): Set<string> {
  return new Set(decodeAll().map((s) => s.labels.__name__!));
}

describe('remote-write 1.0 from a real Prometheus', () => {
  it('arrives as snappy-compressed protobuf with the 0.1.0 version header', () => {
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies[0]!.headers['content-encoding']).toBe('snappy');
    expect(bodies[0]!.headers['content-type']).toBe('application/x-protobuf');
    expect(bodies[0]!.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
  });

  it('decodes into the series the simulator exports, with their labels and samples', () => {
    const series = decodeAll();
    const requests = series.find((s) => s.labels.__name__ === 'apiserver_request_total' && s.labels.verb === 'GET' && s.labels.code === '200');
    expect(requests).toBeDefined();
    expect(requests!.labels.job).toBe('apiserver');
    expect(requests!.samples.length).toBeGreaterThan(0);
    const now = Date.now();
    for (const s of requests!.samples) {
      expect(s.timestampMs).toBeGreaterThan(now - 5 * 60_000);
      expect(s.timestampMs).toBeLessThanOrEqual(now);
      expect(s.value).toBeGreaterThan(0);
    }
    expect(decodedNames()).toContain('kubelet_pod_start_sli_duration_seconds_bucket');
  });

  it('skips the series of metrics no SLI selects, without returning them', () => {
    const keep = (n: string) => n.startsWith('kubelet_');
    let skipped = 0;
    let kept = 0;
    for (const b of bodies) {
      const r = decodeWriteRequestV1(snappyDecompress(b.body, 32 << 20), { keep });
      skipped += r.skipped;
      kept += r.series.length;
      for (const s of r.series) expect(s.labels.__name__!.startsWith('kubelet_')).toBe(true);
    }
    expect(kept).toBeGreaterThan(0);
    expect(skipped).toBeGreaterThan(kept);
  });
});

describe('remote-write 2.0', () => {
  it('decodes the same series as 1.0 when a real Prometheus batch is re-encoded with a symbol table', () => {
    const v1 = decodeWriteRequestV1(snappyDecompress(bodies[0]!.body, 32 << 20)).series;
    const v2 = decodeWriteRequestV2(encodeV2(v1));
    expect(v2.series).toEqual(v1);
    expect(v2.samples).toBe(v1.reduce((n, s) => n + s.samples.length, 0));
    expect(v2.histograms).toBe(0);
  });

  it('skips unselected metrics but still counts what it was sent', () => {
    const v1 = decodeWriteRequestV1(snappyDecompress(bodies[0]!.body, 32 << 20)).series;
    const r = decodeWriteRequestV2(encodeV2(v1), { keep: (n) => n === 'apiserver_request_total' });
    expect(r.series.every((s) => s.labels.__name__ === 'apiserver_request_total')).toBe(true);
    expect(r.series.length + r.skipped).toBe(v1.length);
  });

  it('refuses label references past the symbol table, odd reference lists and a non-empty first symbol', () => {
    const series = (refs: number[]) => new Writer().bytes(1, refs.reduce((w, x) => w.varint(x), new Writer()).finish()).finish();
    const req = (symbols: string[], refs: number[]) => {
      const w = new Writer();
      for (const s of symbols) w.string(4, s);
      return w.bytes(5, series(refs)).finish();
    };
    expect(() => decodeWriteRequestV2(req(['', '__name__', 'up'], [1, 7]))).toThrow(/past the 3 symbols/);
    expect(() => decodeWriteRequestV2(req(['', '__name__', 'up'], [1, 2, 1]))).toThrow(/even count/);
    expect(() => decodeWriteRequestV2(req(['x', '__name__', 'up'], [1, 2]))).toThrow(/symbols\[0\]/);
    expect(decodeWriteRequestV2(req(['', '__name__', 'up'], [1, 2])).series[0]!.labels).toEqual({ __name__: 'up' });
  });
});

describe('hostile remote-write bodies', () => {
  it('refuses a snappy body whose declared size exceeds the limit before allocating it', () => {
    // Preamble: a varint claiming 1 GiB, then nothing.
    const lie = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x04]);
    expect(() => snappyDecompress(lie, 32 << 20)).toThrow(BadPayload);
    try {
      snappyDecompress(lie, 32 << 20);
    } catch (e) {
      expect((e as BadPayload).status).toBe(413);
    }
  });

  it('refuses truncated and corrupted bodies with a reason, never a crash', () => {
    const real = bodies[0]!.body;
    expect(() => snappyDecompress(real.subarray(0, Math.floor(real.length / 2)), 32 << 20)).toThrow(BadPayload);
    const raw = snappyDecompress(real, 32 << 20);
    expect(() => decodeWriteRequestV1(raw.subarray(0, raw.length - 3))).toThrow(BadPayload);
    // A copy reaching before the start of the output.
    expect(() => snappyDecompress(new Uint8Array([0x04, 0x01, 0x00]), 1024)).toThrow(/copy outside/);
  });

  it('answers every malformed snappy body with a 400 and a reason: truncated, garbage, lying lengths, empty', () => {
    const payload = new TextEncoder().encode('apiserver_request_total{verb="GET"} '.repeat(200));
    const good = snappyCompress(payload);
    expect(Buffer.from(snappyDecompress(good, payload.length)).equals(Buffer.from(payload))).toBe(true);
    const refusal = (body: Uint8Array): BadPayload => {
      try {
        snappyDecompress(body, 1 << 20);
      } catch (e) {
        expect(e).toBeInstanceOf(BadPayload);
        return e as BadPayload;
      }
      throw new Error('accepted a malformed body');
    };
    // Declared length in the preamble, then the rest of the body unchanged.
    const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(Math.floor(n / 128))]);
    const withLength = (n: number) => new Uint8Array([...varint(n), ...good.subarray(varint(payload.length).length)]);
    const cases: Array<[Uint8Array, RegExp]> = [
      [good.subarray(0, good.length - 7), /bytes decoded|runs past the end|copy outside|truncated/],
      [withLength(payload.length + 5), /bytes decoded, \d+ declared/],
      [withLength(payload.length - 5), /runs past the end|copy outside|bytes decoded|truncated/],
      [new Uint8Array([0x05, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /copy outside/],
      [new Uint8Array([0x10, 0xf0]), /runs past the end/],
      [new Uint8Array([]), /bad length preamble/],
      [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /bad length preamble/],
    ];
    for (const [body, reason] of cases) {
      const e = refusal(body);
      expect(e.status).toBe(400);
      expect(e.message).toMatch(reason);
    }
    // Over the limit by its declared length alone: 413, whatever follows.
    expect(refusal(withLength((1 << 20) + 1)).status).toBe(413);
  });

  it('refuses a field key past 32 bits instead of wrapping it onto a real field', () => {
    const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n % 128) | 0x80, ...varint(Math.floor(n / 128))]);
    // 2^32 + (1 << 3 | 2): the low 32 bits read as field 1, length-delimited, a timeseries.
    const wrapped = new Uint8Array([...varint(2 ** 32 + 10), 0]);
    expect(() => decodeWriteRequestV1(wrapped)).toThrow(/field key \d+ at byte \d+ is past 32 bits/);
    expect(() => decodeWriteRequestV2(wrapped)).toThrow(/past 32 bits/);
    // The largest legal key (field 2^29 - 1, wire type 5) is skipped as an unknown field.
    const largest = new Uint8Array([...varint(2 ** 32 - 3), 0, 0, 0, 0]);
    expect(decodeWriteRequestV1(largest).series).toEqual([]);
  });

  it('enforces the series-per-request limit with 413', () => {
    const raw = snappyDecompress(bodies[0]!.body, 32 << 20);
    const n = decodeWriteRequestV1(raw).series.length;
    expect(n).toBeGreaterThan(1);
    expect(() => decodeWriteRequestV1(raw, { maxSeries: 1 })).toThrow(/more than 1 series/);
  });
});
