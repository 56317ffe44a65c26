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

/**
 * Serves the platform live on /metrics: every scrape first advances it to the wall clock, so a
 * Prometheus scraping it sees the same counters continue where a backfilled history ended.
 * Listens on 127.0.0.1 only; port 0 picks a free port.
 */
export async function serveMetrics(platform: Platform, port = 0, now: () => number = Date.now): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    try {
      // A wall clock stepped back (NTP) must not fail the scrape: counters just wait for it.
      platform.advance(Math.max(now(), platform.nowMs));
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(toPrometheusText(platform.samples()));
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`simulator failed: ${(e as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    target: `127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
