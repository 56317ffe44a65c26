/**
 * One Prometheus server process for tests: 127.0.0.1 only, a free port, its own data dir, and
 * never outliving the test process. It is killed by stop(), by the process 'exit' hook, and, where
 * util-linux's setpriv exists, by the kernel when the test process dies any other way (SIGKILL,
 * a crashed vitest worker): setpriv --pdeathsig. spawnTracked gives other binaries
 * (VictoriaMetrics, vmalert) the same guarantees.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const PROMETHEUS = process.env.PROMETHEUS ?? 'prometheus';

export interface PrometheusProcess {
  url: string;
  port: number;
  log: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. Safe to call twice. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers may only do synchronous work; kill() is a plain signal.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

const hasSetpriv = spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;

/** A port nobody listens on right now (the OS picks it); Prometheus binds it a moment later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port from the OS'))));
    });
  });
}

export function tail(path: string, lines = 30): string {
  if (!existsSync(path)) return '(no log)';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Starts Prometheus on `configFile` over `dataDir` and waits until /-/ready answers. Its output
 * goes to `<logName>` in `workDir`. Retries on another port if the chosen one was taken meanwhile.
 */
export async function startPrometheus(opts: PrometheusStartOptions): Promise<PrometheusProcess> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startOn(port, opts);
    } catch (e) {
      lastError = e as Error;
      if (!/address already in use/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError!;
}

export interface PrometheusStartOptions {
  workDir: string;
  configFile: string;
  dataDir: string;
  logName: string;
  readyTimeoutMs?: number;
  extraArgs?: string[];
}

async function startOn(port: number, opts: PrometheusStartOptions): Promise<PrometheusProcess> {
  const log = join(opts.workDir, opts.logName);
  const args = [
    `--config.file=${opts.configFile}`,
    `--storage.tsdb.path=${opts.dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // The default 15d retention would delete a longer simulated history as soon as it loads.
    '--storage.tsdb.retention.time=90d',
    ...(opts.extraArgs ?? []),
  ];
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnTracked(PROMETHEUS, args, log);
  const stop = proc.stop;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (proc.spawnError()) throw new Error(`could not run ${PROMETHEUS} (${proc.spawnError()!.message}); install Debian's prometheus package or set PROMETHEUS to its path`);
    if (proc.exited()) throw new Error(`Prometheus exited (${proc.exited()}) before it was ready; its log ${log} ends with:\n${tail(log)}`);
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return { url, port, log, stop };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`Prometheus on ${url} was not ready within ${(opts.readyTimeoutMs ?? 30_000) / 1000}s; its log ${log} ends with:\n${tail(log)}`);
}

export interface TrackedProcess {
  child: ChildProcess;
  /** The exit code or signal once the process is gone, else undefined. */
  exited(): string | undefined;
  /** Set when the binary could not be run at all. */
  spawnError(): Error | undefined;
  /** Resolves once the process is gone, however it ended. */
  finished: Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Runs a server binary with its output appended to `log`, killed by stop(), by the process
 * 'exit' hook and, with setpriv, by the kernel when the test process dies.
 */
export function spawnTracked(command: string, args: string[], log: string): TrackedProcess {
  killAllOnExit();
  const fd = openSync(log, 'a');
  const child = hasSetpriv
    ? spawn('setpriv', ['--pdeathsig', 'KILL', command, ...args], { stdio: ['ignore', fd, fd] })
    : spawn(command, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => running.delete(child));
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  // A binary that cannot be run emits 'error' and no 'exit'.
  const gone = Promise.race([exit, new Promise<void>((resolve) => child.once('error', () => resolve()))]);
  const exited = () => (child.exitCode !== null ? String(child.exitCode) : child.signalCode !== null ? child.signalCode : undefined);
  const stop = async () => {
    if (exited() !== undefined || spawnError) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };
  return { child, exited, spawnError: () => spawnError, finished: gone, stop };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
