import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-errors.js';

/** What a bearer token lets its holder do; each route needs exactly one. */
export type Scope = 'ingest' | 'read' | 'admin';
export const SCOPES: readonly Scope[] = ['ingest', 'read', 'admin'];

/** A token as the engine keeps it: only its SHA-256, so equal-length digests are compared. */
export interface Credential {
  scope: Scope;
  digest: Buffer;
  /** Where it came from (file and line, or variable), for logs; never sent to a client. */
  origin: string;
  /** With tenancy: the only tenants this token may speak for (`tenant=` in its file). */
  tenants?: readonly string[];
}

const digestOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export function credential(scope: Scope, token: string, origin: string, tenants?: readonly string[]): Credential {
  return { scope, digest: digestOf(token), origin, ...(tenants ? { tenants } : {}) };
}

// Deliberately the same words whatever was wrong, so a caller learns nothing about the tokens.
const UNAUTHORIZED = new HttpError(401, 'unauthorized: send a valid token as "Authorization: Bearer <token>"', { 'WWW-Authenticate': 'Bearer realm="slo-engine"' });
export const FORBIDDEN = new HttpError(403, 'forbidden: this token is not allowed here');

/**
 * Bearer tokens per scope. A scope without tokens is open (the engine's behaviour before tokens
 * existed); a scope with tokens refuses every request without one of them.
 */
export class AccessPolicy {
  private readonly all: Credential[];

  constructor(credentials: readonly Credential[] = []) {
    this.all = [...credentials];
  }

  isOpen(scope: Scope): boolean {
    return !this.all.some((c) => c.scope === scope);
  }

  /**
   * Throws the 401 or 403 to answer, or returns when the request may go on: with the token's
   * credential, or undefined when the scope is open.
   */
  check(req: IncomingMessage, scope: Scope): Credential | undefined {
    if (this.isOpen(scope)) return undefined;
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '');
    if (!m) throw UNAUTHORIZED;
    const digest = digestOf(m[1]!);
    // Every credential is compared, match or not, so the time taken says nothing about which.
    let match: Credential | undefined;
    let known = false;
    for (const c of this.all) {
      const same = timingSafeEqual(c.digest, digest);
      known ||= same;
      if (same && c.scope === scope) match ??= c;
    }
    if (match) return match;
    throw known ? FORBIDDEN : UNAUTHORIZED;
  }

  /** How many tokens each scope has, for the start-up line (never the tokens). */
  /** Whether some token is bound to tenants (which needs tenancy on). */
  get bindsTenants(): Credential | undefined {
    return this.all.find((c) => c.tenants);
  }

  summary(): Record<Scope, number> {
    const n: Record<Scope, number> = { ingest: 0, read: 0, admin: 0 };
    for (const c of this.all) n[c.scope]++;
    return n;
  }
}
