import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWriteRequestV1, type SeriesToWrite } from '../../src/wire/remote-write-v1.js';
import { snappyCompress } from '../../src/wire/snappy-compress.js';
import { startChild, waitHttpOk } from './procs.js';
import { ENGINE } from './targets.js';

export const MiB = 2 ** 20;

/** Resident and peak resident bytes of a process, from /proc. */
export function rss(pid: number): { now: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN) * 1024;
  return { now: kb('VmRSS'), peak: kb('VmHWM') };
}

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/**
 * `slo serve` over `specDir`; `bin` picks another checkout's launcher, which is how a change is
 * compared with the code before it in one run.
 */
export async function startEngine(specDir: string, dataDir: string, port: number, logDir: string, bin?: string) {
  const { cmd, args } = ENGINE.command(port, dataDir);
  args[1] = specDir;
  const child = startChild(bin ?? cmd, args, join(logDir, 'memory-engine.log'));
  const t = performance.now();
  await waitHttpOk(`http://127.0.0.1:${port}/readyz`, 600_000, child);
  return { child, startSeconds: (performance.now() - t) / 1000 };
}

export async function postWrite(port: number, body: Uint8Array): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
    // A copy typed over a plain ArrayBuffer, which is what fetch's BodyInit accepts.
    body: new Uint8Array(body),
  });
  if (!res.ok) throw new Error(`remote write answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

/** Sends `batch` series in requests of at most 2,000. */
export async function postSeries(port: number, series: SeriesToWrite[]): Promise<void> {
  for (let i = 0; i < series.length; i += 2000) await postWrite(port, snappyCompress(encodeWriteRequestV1(series.slice(i, i + 2000))));
}
