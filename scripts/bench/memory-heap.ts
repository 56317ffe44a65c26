import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Engine } from '../../src/engine/engine.js';
import { decodeWriteRequestV1 } from '../../src/ingest/remote-write-v1.js';
import { DEFAULT_RENDER_OPTIONS } from '../../src/rules/index.js';
import { loadSlos } from '../../src/spec/load.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { encodeWriteRequestV1, type SeriesToWrite } from '../../src/wire/remote-write-v1.js';
import { metricOf, routeOf } from './slo-spec.js';

setFlagsFromString('--expose-gc');
/** A full collection on demand, without starting the benchmark with --expose-gc. */
const gc = runInNewContext('gc') as () => void;

/** Live bytes after full collections: V8's heap plus array buffers (the label-set arena among them). */
function live(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * The same phases as the RSS measurement, in this process, with full collections before each
 * reading: what the engine keeps per series and what the caches hold, without the garbage V8
 * lets accumulate up to its next collection (which RSS includes).
 */
export async function liveBytesPerSeries(specDir: string, slos: number, perPhase: number): Promise<{ bytesPerSeries: number; cachesMiB: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-heap-'));
  const store = new SqliteStore(join(dir, 'data'));
  const engine = new Engine({ store, render: DEFAULT_RENDER_OPTIONS });
  try {
    engine.setSlos(loadSlos([specDir]).slos);
    const send = async (phase: number, n: number) => {
      const ts = Date.now() - 60_000;
      for (let i = 0; i < n; i += 2000) {
        const batch: SeriesToWrite[] = [];
        for (let k = i; k < Math.min(n, i + 2000); k++) batch.push({ labels: { __name__: metricOf(k % slos), route: routeOf(k % slos), code: '200', pod: `pod-${phase}-${k}` }, samples: [{ timestampMs: ts, value: 1000 }] });
        const done = engine.ingest(decodeWriteRequestV1(encodeWriteRequestV1(batch), { keep: engine.keep }).series);
        engine.flush();
        await done;
        // Let the engine's scheduled flush run: it holds the request until then.
        await new Promise((ok) => setImmediate(ok));
      }
    };
    await send(0, 500);
    const at = [live()];
    for (let p = 1; p <= 3; p++) {
      await send(p, perPhase);
      at.push(live());
    }
    const per = (at[3]! - at[1]!) / (2 * perPhase);
    return { bytesPerSeries: per, cachesMiB: (at[1]! - at[0]! - per * perPhase) / 2 ** 20 };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
