/**
 * A real Alertmanager (Debian's prometheus-alertmanager) for tests, with a webhook receiver in the
 * test process that records every notification it sends.
 *
 * - 127.0.0.1 only, on a free port; no gossip (`--cluster.listen-address=`).
 * - Its config routes everything to the webhook, grouped by alertname, with group_wait and
 *   group_interval of 1s, repeat_interval 1h and send_resolved, so a test sees a notification a
 *   second after an alert changes and never a repeat.
 * - `stop()` and `restart()` take it down and bring it back on the same port over the same
 *   storage. Alerts live in memory only, but the notification log is written to storage on a
 *   graceful stop, so a restarted Alertmanager still sends the resolution of an alert it notified
 *   before.
 * - The process never outlives the test process: `close()`, an 'exit' hook, and setpriv
 *   --pdeathsig where it exists, as in prometheus-process.ts. The scratch dir goes with close().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort, sleep, tail } from './prometheus-process.js';
import { scratchDir } from './promtool.js';

export const ALERTMANAGER = process.env.ALERTMANAGER ?? 'prometheus-alertmanager';

/** One alert in a webhook notification (payload version 4). `endsAt` is zero while firing. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookNotification {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: WebhookAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: string;
  groupKey: string;
  truncatedAlerts: number;
}

/** An alert as GET /api/v2/alerts returns it (only the fields tests read). */
export interface StoredAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  generatorURL?: string;
  fingerprint: string;
  status: { state: string };
}

export interface TestAlertmanager {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  dir: string;
  log: string;
  /** Every notification the webhook received, oldest first. */
  notifications: WebhookNotification[];
  /** The notifications of the group of this alertname. */
  notificationsFor(alertname: string): WebhookNotification[];
  /** Waits for a notification of this alertname's group with this status; fails after timeoutMs. */
  waitForNotification(alertname: string, status: 'firing' | 'resolved', timeoutMs?: number): Promise<WebhookNotification>;
  /** GET /api/v2/alerts: the active alerts Alertmanager holds (resolved ones are not listed). */
  alerts(): Promise<StoredAlert[]>;
  /** SIGTERM (SIGKILL after 5 s); the webhook keeps listening. Safe to call twice. */
  stop(): Promise<void>;
  /** Starts it again on the same port and storage and waits for /-/ready. */
  restart(): Promise<void>;
  /** Stops the process and the webhook and removes the scratch dir. Safe to call twice. */
  close(): Promise<void>;
}

export interface AlertmanagerOptions {
  /** Keep the scratch dir after close(), for debugging. Also kept when startup fails. */
  keepDir?: boolean;
  readyTimeoutMs?: number;
}

export async function startAlertmanager(opts: AlertmanagerOptions = {}): Promise<TestAlertmanager> {
  const dir = scratchDir('alertmanager-');
  const webhook = await startWebhook();
  const configFile = join(dir, 'alertmanager.yml');
  const storage = join(dir, 'data');
  const log = join(dir, 'alertmanager.log');
  writeFileSync(configFile, alertmanagerConfig(webhook.url));

  let child: ChildProcess | undefined;
  let port = 0;
  const launch = async () => {
    child = await launchOn(port, { configFile, storage, log, readyTimeoutMs: opts.readyTimeoutMs ?? 30_000 });
  };
  try {
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      try {
        await launch();
        break;
      } catch (e) {
        if (attempt >= 2 || !/address already in use/.test((e as Error).message)) throw e;
      }
    }
  } catch (e) {
    await webhook.close();
    (e as Error).message += `\n(scratch dir kept: ${dir})`;
    throw e;
  }

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child) await terminate(child);
  };
  let closed = false;
  const notificationsFor = (alertname: string) => webhook.notifications.filter((n) => n.groupLabels.alertname === alertname);
  return {
    url,
    port,
    dir,
    log,
    notifications: webhook.notifications,
    notificationsFor,
    async waitForNotification(alertname, status, timeoutMs = 10_000) {
      return waitUntil(() => notificationsFor(alertname).find((n) => n.status === status), {
        timeoutMs,
        what: `a ${status} notification for ${alertname} (got ${JSON.stringify(notificationsFor(alertname).map((n) => n.status))})`,
      });
    },
    async alerts() {
      const r = await fetch(`${url}/api/v2/alerts`, { signal: AbortSignal.timeout(5000) });
      if (!r.ok) throw new Error(`GET ${url}/api/v2/alerts: HTTP ${r.status} ${await r.text()}`);
      return (await r.json()) as StoredAlert[];
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      await webhook.close();
      if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` every 50 ms until it returns something other than undefined/false. */
export async function waitUntil<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, opts: { timeoutMs?: number; what: string }): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs}ms for ${opts.what}`);
    await sleep(50);
  }
}

function alertmanagerConfig(webhookUrl: string): string {
  // JSON is YAML.
  return JSON.stringify(
    {
      route: { receiver: 'webhook', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
      receivers: [{ name: 'webhook', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
    },
    null,
    2,
  );
}

interface Webhook {
  url: string;
  notifications: WebhookNotification[];
  close(): Promise<void>;
}

async function startWebhook(): Promise<Webhook> {
  const notifications: WebhookNotification[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        notifications.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookNotification);
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    notifications,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Children that must die with the test process (see prometheus-process.ts).
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
const hasSetpriv = spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;

async function launchOn(port: number, o: { configFile: string; storage: string; log: string; readyTimeoutMs: number }): Promise<ChildProcess> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  const args = [
    `--config.file=${o.configFile}`,
    `--storage.path=${o.storage}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ];
  const fd = openSync(o.log, 'a');
  const child = hasSetpriv
    ? spawn('setpriv', ['--pdeathsig', 'KILL', ALERTMANAGER, ...args], { stdio: ['ignore', fd, fd] })
    : spawn(ALERTMANAGER, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  child.once('exit', () => running.delete(child));
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + o.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`could not run ${ALERTMANAGER} (${spawnError.message}); install Debian's prometheus-alertmanager or set ALERTMANAGER to its path`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Alertmanager exited (${child.exitCode ?? child.signalCode}) before it was ready; its log ${o.log} ends with:\n${tail(o.log)}`);
    }
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return child;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  await terminate(child);
  throw new Error(`Alertmanager on ${url} was not ready within ${o.readyTimeoutMs / 1000}s; its log ${o.log} ends with:\n${tail(o.log)}`);
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
