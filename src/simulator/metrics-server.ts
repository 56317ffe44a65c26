import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toPrometheusText } from './openmetrics.js';
import type { Platform } from './platform.js';

export interface MetricsServer {
  /** Base URL, e.g. http://127.0.0.1:41234; the series are under /metrics. */
  url: string;
  /** host:port as a Prometheus static target. */
  target: string;
  close(): Promise<void>;
}

export interface ServeMetricsOptions {
  /** Port 0 (the default) picks a free port. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1; 0.0.0.0 lets a Prometheus in a container reach it. */
  host?: string;
  /** Moves the platform forward; default `platform.advance`. Pass `driveIncidents(...)` to apply an incident schedule. */
  advance?: (toMs: number) => void;
}

/**
 * Serves the platform live on /metrics: every scrape first advances it to the wall clock, so a
 * Prometheus scraping it sees the same counters continue where a backfilled history ended.
 * Listens on 127.0.0.1 unless told otherwise; port 0 picks a free port.
 */
export async function serveMetrics(platform: Platform, portOrOptions: number | ServeMetricsOptions = 0, now: () => number = Date.now): Promise<MetricsServer> {
  const opts = typeof portOrOptions === 'number' ? { port: portOrOptions } : portOrOptions;
  const host = opts.host ?? '127.0.0.1';
  const advance = opts.advance ?? ((toMs: number) => platform.advance(toMs));
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    try {
      // A wall clock stepped back (NTP) must not fail the scrape: counters just wait for it.
      advance(Math.max(now(), platform.nowMs));
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(toPrometheusText(platform.samples()));
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`simulator failed: ${(e as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const { port: bound, address, family } = server.address() as AddressInfo;
  // A wildcard address is reached through loopback; IPv6 addresses go in brackets.
  const reach = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '[::1]' : family === 'IPv6' ? `[${address}]` : address;
  return {
    url: `http://${reach}:${bound}`,
    target: `${reach}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
