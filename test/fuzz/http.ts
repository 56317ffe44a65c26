import { rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DEFAULT_RENDER_OPTIONS } from '../../src/rules/index.js';
import { startService, type EngineService } from '../../src/service/service.js';
import { scratchDir, writeFiles } from '../helpers/promtool.js';
import { otlpRequestArb, remoteWriteArb } from './inputs.js';
import { mutate, mutationsArb } from './mutate.js';

/** An SLO over the metric names the fuzz inputs can produce, so some mutated series are kept and stored. */
const SPEC = `
apiVersion: slo.caas.dev/v1
kind: SLO
metadata: { name: fuzz }
spec:
  service: fuzz
  objective: 99.9
  sli:
    events:
      bad: 'a{code="5"}'
      total: 'a'
`;

export interface FuzzEngine {
  url: string;
  close(): Promise<void>;
}

/** The real engine on a free 127.0.0.1 port, as `slo serve` runs it, with a scratch data dir. */
export async function startFuzzEngine(): Promise<FuzzEngine> {
  const dir = scratchDir('fuzz-http-');
  writeFiles(dir, { 'slos.yaml': SPEC });
  let engine: EngineService;
  try {
    engine = await startService({ sloPaths: [join(dir, 'slos.yaml')], host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), render: DEFAULT_RENDER_OPTIONS, version: 'fuzz', watch: false, log: () => {} });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url: engine.url,
    close: async () => {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const RW = {
  1: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
  2: { 'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '2.0.0' },
};
const OTLP = { protobuf: { 'Content-Type': 'application/x-protobuf' }, json: { 'Content-Type': 'application/json' } };

/** A mutated remote-write or OTLP body, with the headers its client would send. */
const requestArb = fc.oneof(
  fc.tuple(remoteWriteArb, mutationsArb).map(([r, m]) => ({ path: '/api/v1/write', headers: RW[r.version], body: mutate(r.compressed, m) })),
  fc.tuple(otlpRequestArb, mutationsArb).map(([r, m]) => ({ path: '/v1/metrics', headers: OTLP[r.format], body: mutate(r.body, m) })),
);

/** Through HTTP: every answer is 2xx, or 4xx with a reason; never 5xx; the server stays ready. */
export function httpProperty(url: () => string): fc.IAsyncProperty<any> {
  return fc.asyncProperty(requestArb, async ({ path, headers, body }) => {
    const r = await fetch(`${url()}${path}`, { method: 'POST', headers, body: body as BodyInit });
    const text = await r.text();
    if (r.status >= 500) throw new Error(`POST ${path} answered ${r.status}: ${text}`);
    if (r.status >= 400 && !text.trim()) throw new Error(`POST ${path} answered ${r.status} without a reason`);
    if (r.status < 200 || r.status >= 500) throw new Error(`POST ${path} answered ${r.status}`);
    const ready = await fetch(`${url()}/readyz`);
    if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status} after POST ${path}`);
    await ready.text();
  });
}
