/**
 * `slo serve` as a real child process for tests: 127.0.0.1 only, its own data dir, and never
 * outliving the test process. It is killed by stop()/kill(), by the process 'exit' hook, and,
 * where util-linux's setpriv exists, by the kernel when the test process dies any other way
 * (SIGKILL, a crashed vitest worker): setpriv --pdeathsig, as prometheus-process.ts does.
 * bin/slo execs node, so the child's pid is the engine's own: a signal reaches the engine itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, tail } from './prometheus-process.js';

const SLO = join(process.cwd(), 'bin', 'slo');
const hasSetpriv = spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface EngineProcess {
  url: string;
  pid: number;
  log: string;
  /** Resolves when the process is gone, with how it ended. */
  exited: Promise<EngineExit>;
  /** Sends a signal now; returns at once. */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM (a graceful stop), then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<EngineExit>;
}

export interface EngineStartOptions {
  /** SLO spec files or folders. */
  specs: string[];
  dataDir: string;
  port: number;
  /** Output of the engine, appended. */
  log: string;
  extraArgs?: string[];
  readyTimeoutMs?: number;
}

/** Starts `bin/slo serve` and waits until GET /readyz answers 200. */
export async function startEngineProcess(opts: EngineStartOptions): Promise<EngineProcess> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const child of running) child.kill('SIGKILL');
    });
  }
  const args = ['serve', ...opts.specs, '--listen', `127.0.0.1:${opts.port}`, '--data-dir', opts.dataDir, '--no-watch', ...(opts.extraArgs ?? [])];
  const fd = openSync(opts.log, 'a');
  const child = hasSetpriv ? spawn('setpriv', ['--pdeathsig', 'KILL', SLO, ...args], { stdio: ['ignore', fd, fd] }) : spawn(SLO, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  const exited = new Promise<EngineExit>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async (graceMs = 10_000): Promise<EngineExit> => {
    if (!gone()) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const exit = await exited;
    clearTimeout(timer);
    return exit;
  };
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`could not run ${SLO}: ${spawnError.message}`);
    if (gone()) throw new Error(`the engine exited (${child.exitCode ?? child.signalCode}) before it was ready; its log ${opts.log} ends with:\n${tail(opts.log)}`);
    try {
      const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) return { url, pid: child.pid!, log: opts.log, exited, kill: (s) => void child.kill(s), stop };
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  await stop(1000);
  throw new Error(`the engine on ${url} was not ready within ${(opts.readyTimeoutMs ?? 30_000) / 1000}s; its log ${opts.log} ends with:\n${tail(opts.log)}`);
}
