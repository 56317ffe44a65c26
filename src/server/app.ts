import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine/engine.js';
import type { Slo } from '../model/slo.js';
import type { AccessPolicy, Scope } from './access.js';
import { requestTenants } from './tenancy.js';
import { parseInstant } from '../model/duration.js';
import type { RenderOptions } from '../rules/types.js';
import type { HealthMetrics } from './health-metrics.js';
import { HttpError, sendJson, sendText } from './http-errors.js';
import type { ServerLimits } from './limits.js';
import { otlpMetrics } from './otlp-route.js';
import { ingestError, remoteWrite, type IngestCounts } from './remote-write-route.js';
import { sloDefinition, sloHistory } from './slo-history.js';
import { burndown, sloSummaryJson } from './slo-json.js';
import { sloExposition } from './slo-metrics.js';
import { pageHtml, webAssets } from '../web/bundle.js';

export interface AppContext {
  engine: Engine;
  render: RenderOptions;
  version: string;
  limits: ServerLimits;
  health: HealthMetrics;
  /** False until the store is restored and the first evaluation ran. */
  ready: () => boolean;
  reload: () => Promise<{ ok: boolean; message: string }>;
  log: (line: string) => void;
  /** Bearer tokens per scope; without it every route is open. */
  access?: AccessPolicy;
  /** Tenancy on: the SLO label naming each SLO's tenant; requests say theirs in X-Scope-OrgID. */
  tenantLabel?: string;
}

/**
 * The scope each route needs. The page and its assets hold no data (the page reads the API with
 * the read token), and the probes must answer kubelets that send no token.
 */
function scopeOf(path: string): Scope | undefined {
  if (path === '/api/v1/write' || path === '/v1/metrics') return 'ingest';
  if (path === '/-/reload') return 'admin';
  if (path === '/healthz' || path === '/readyz' || path === '/' || path.startsWith('/assets/') || path.startsWith('/slo/')) return undefined;
  return 'read';
}

function timeParam(url: URL): number | undefined {
  const t = url.searchParams.get('time');
  if (t === null) return undefined;
  const n = parseInstant(t);
  if (n === undefined) throw new HttpError(400, `time=${t} is neither Unix seconds nor an RFC 3339 date with Z or an offset (e.g. 2026-11-21T08:00:00Z)`);
  return n;
}

/** The tenants a request may see or write to; undefined when tenancy is off (everything). */
type Tenants = ReadonlySet<string> | undefined;
/** The engine's health series, without those labelled with another tenant's SLO. */
function ownHealth(text: string, ids: ReadonlySet<string>): string {
  return text
    .split('\n')
    .filter((line) => {
      const m = /[{,]slo="((?:[^"\\]|\\.)*)"/.exec(line);
      return !m || ids.has(m[1]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
    })
    .join('\n');
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, tenants: Tenants) => Promise<void> | void;

/** The engine's HTTP API: ingest, /metrics, the JSON API, health and reload. */
export function createApp(ctx: AppContext): (req: IncomingMessage, res: ServerResponse) => void {
  const { engine } = ctx;
  const sees = (tenants: Tenants) => (slo: Slo) => !tenants || tenants.has(slo.labels[ctx.tenantLabel!] ?? '');
  const statuses = (tenants: Tenants, t?: number) => {
    const all = engine.status(t);
    return tenants ? all.filter((s) => sees(tenants)(s.slo)) : all;
  };
  const alerts = (tenants: Tenants) => {
    const all = [...engine.alerts.values()];
    if (!tenants) return all;
    const ok = sees(tenants);
    return all.filter((a) => {
      const state = engine.state(a.slo);
      return state !== undefined && ok(state.slo);
    });
  };
  const single = (tenants: Tenants): string | undefined => (tenants ? [...tenants][0] : undefined);
  const ingest = (protocol: string, run: Handler): Handler => async (req, res, url, tenants) => {
    try {
      await run(req, res, url, tenants);
      ctx.health.requests.add(1, { protocol, code: String(res.statusCode) });
    } catch (e) {
      const err = ingestError(e);
      ctx.health.requests.add(1, { protocol, code: String(err.status) });
      if (err.status >= 500) ctx.log(`ingest ${protocol}: ${err.status} ${err.message}`);
      req.resume();
      sendText(res, err.status, err.message, err.headers);
    }
  };
  const counted = (protocol: string) => (c: IngestCounts) => {
    ctx.health.samples.add(c.accepted, { outcome: 'accepted', protocol });
    ctx.health.samples.add(c.duplicates, { outcome: 'duplicate', protocol });
    ctx.health.samples.add(c.outOfBounds, { outcome: 'out_of_bounds', protocol });
    ctx.health.skippedSeries.add(c.skippedSeries, { protocol });
  };

  const routes: Record<string, Record<string, Handler>> = {
    '/api/v1/write': { POST: ingest('remote_write', (req, res, _url, tenants) => remoteWrite(req, res, engine, ctx.limits, counted('remote_write'), single(tenants))) },
    '/v1/metrics': { POST: ingest('otlp', (req, res, _url, tenants) => otlpMetrics(req, res, engine, ctx.limits, counted('otlp'), single(tenants))) },
    '/metrics': {
      GET: async (_req, res, _url, tenants) => {
        const started = performance.now();
        const shown = statuses(tenants);
        ctx.health.evaluation.record((performance.now() - started) / 1000);
        const health = await ctx.health.text();
        const text = sloExposition(shown, alerts(tenants), ctx.render, ctx.version, engine.clock()) + (tenants ? ownHealth(health, new Set(shown.map((st) => st.slo.id))) : health);
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
      },
    },
    '/api/v1/slos': {
      GET: (_req, res, url, tenants) => {
        const t = timeParam(url);
        const active = alerts(tenants);
        const data = statuses(tenants, t).map((s) => sloSummaryJson(s, active, ctx.render, t ?? engine.clock()));
        sendJson(res, 200, { status: 'success', evaluatedAt: new Date(t ?? engine.clock()).toISOString(), data });
      },
    },
    '/api/v1/alerts': {
      GET: (_req, res, _url, tenants) => sendJson(res, 200, { status: 'success', data: alerts(tenants) }),
    },
    '/-/reload': {
      POST: async (_req, res) => {
        const r = await ctx.reload();
        sendText(res, r.ok ? 200 : 400, r.message);
      },
    },
    '/': { GET: (req, res, url, t) => page(req, res, url, t) },
    '/assets/app.js': { GET: (req, res) => asset(req, res, 'js') },
    '/assets/app.css': { GET: (req, res) => asset(req, res, 'css') },
    '/healthz': { GET: (_req, res) => sendText(res, 200, 'ok') },
    '/readyz': { GET: (_req, res) => (ctx.ready() ? sendText(res, 200, 'ready') : sendText(res, 503, 'not ready: restoring the store')) },
  };

  const page: Handler = async (_req, res) => {
    const { version } = await webAssets();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' }).end(pageHtml(version));
  };
  const asset = async (req: IncomingMessage, res: ServerResponse, kind: 'js' | 'css') => {
    const a = await webAssets();
    const etag = `"${a.version}-${kind}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': kind === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8', ETag: etag, 'Cache-Control': 'public, max-age=31536000, immutable' }).end(a[kind]);
  };

  const sloDetail: Handler = (_req, res, url, tenants) => {
    let id: string;
    const rest = url.pathname.slice('/api/v1/slos/'.length);
    const sub = rest.endsWith('/history') ? 'history' : undefined;
    try {
      id = decodeURIComponent(sub ? rest.slice(0, -'/history'.length) : rest);
    } catch {
      throw new HttpError(400, `malformed percent-encoding in ${url.pathname}`);
    }
    const state = engine.state(id);
    // Another tenant's SLO is answered exactly as one that does not exist.
    if (!state || !sees(tenants)(state.slo)) throw new HttpError(404, `no SLO with id ${JSON.stringify(id)}; GET /api/v1/slos lists them`);
    const t = timeParam(url) ?? engine.clock();
    if (sub === 'history') {
      const points = Number(url.searchParams.get('points') ?? 288);
      if (!Number.isInteger(points) || points < 2 || points > 5000) throw new HttpError(400, `points=${url.searchParams.get('points')} must be a whole number from 2 to 5000`);
      sendJson(res, 200, { status: 'success', evaluatedAt: new Date(t).toISOString(), data: sloHistory(state, t, points) });
      return;
    }
    const summary = sloSummaryJson(engine.statusOf(state, t), alerts(tenants), ctx.render, t);
    sendJson(res, 200, {
      status: 'success',
      evaluatedAt: new Date(t).toISOString(),
      data: { ...summary, burndown: burndown(state, t), source: { ...state.slo.source }, sourceKind: summary.source, definition: sloDefinition(state, ctx.render) },
    });
  };

  return (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://engine');
    } catch {
      sendText(res, 400, 'malformed request URL');
      return;
    }
    const path = url.pathname;
    let handler: Handler | undefined;
    const methods = routes[path];
    if (methods) {
      handler = methods[req.method ?? 'GET'];
      if (!handler) {
        req.resume();
        sendText(res, 405, `${req.method} is not allowed on ${path}; use ${Object.keys(methods).join(' or ')}`, { Allow: Object.keys(methods).join(', ') });
        return;
      }
    } else if (path.startsWith('/api/v1/slos/') && req.method === 'GET') handler = sloDetail;
    else if (path.startsWith('/slo/') && req.method === 'GET') handler = page;
    if (!handler) {
      req.resume();
      sendText(res, 404, `no route ${path}; see the README for the engine's API`);
      return;
    }
    const scope = scopeOf(path);
    let tenants: Tenants;
    try {
      const token = scope ? ctx.access?.check(req, scope) : undefined;
      // Reload is for the engine's operator, not a tenant: it reads every tenant's files.
      if (ctx.tenantLabel && (scope === 'ingest' || scope === 'read')) tenants = requestTenants(req, scope, token);
    } catch (e) {
      const err = e as HttpError;
      if (scope === 'ingest') ctx.health.requests.add(1, { protocol: path === '/v1/metrics' ? 'otlp' : 'remote_write', code: String(err.status) });
      req.resume();
      sendText(res, err.status, err.message, err.headers);
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res, url, tenants))
      .catch((e: unknown) => {
        const err = e instanceof HttpError ? e : new HttpError(500, `internal error: ${(e as Error).message}`);
        if (err.status >= 500) ctx.log(`${req.method} ${path}: ${(e as Error).stack ?? err.message}`);
        sendText(res, err.status, err.message, err.headers);
      });
  };
}
