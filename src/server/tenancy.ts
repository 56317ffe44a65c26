import type { IncomingMessage } from 'node:http';
import { tenantIdProblem } from '../model/tenant.js';
import { FORBIDDEN, type Credential, type Scope } from './access.js';
import { HttpError } from './http-errors.js';

/** The Cortex/Mimir convention: one tenant per write, `a|b` to read several. */
export const ORG_HEADER = 'x-scope-orgid';

/**
 * The tenants a request speaks for. Without a header, a token bound to one tenant speaks for
 * it; a header naming a tenant the token is not bound to is refused like any forbidden request.
 */
export function requestTenants(req: IncomingMessage, scope: Scope, token: Credential | undefined): ReadonlySet<string> {
  const header = req.headers[ORG_HEADER];
  const raw = Array.isArray(header) ? header.join('|') : header;
  let ids: string[];
  if (raw === undefined || raw.trim() === '') {
    if (token?.tenants?.length === 1) return new Set(token.tenants);
    throw new HttpError(401, `no tenant: this engine serves several tenants; send the header X-Scope-OrgID: <tenant>`);
  } else {
    ids = raw.split('|').map((t) => t.trim());
  }
  for (const id of ids) {
    const problem = tenantIdProblem(id);
    if (problem) throw new HttpError(400, `X-Scope-OrgID: ${JSON.stringify(id.slice(0, 160))} is not a tenant ID: ${problem}`);
  }
  if (scope === 'ingest' && ids.length > 1) throw new HttpError(400, `X-Scope-OrgID names ${ids.length} tenants; a write belongs to one tenant: send one request per tenant`);
  if (token?.tenants && !ids.every((id) => token.tenants!.includes(id))) throw FORBIDDEN;
  return new Set(ids);
}
