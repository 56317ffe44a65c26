import { readFileSync } from 'node:fs';
import { tenantIdProblem } from '../model/tenant.js';
import { AccessPolicy, credential, SCOPES, type Credential, type Scope } from '../server/access.js';

/** Where each scope's tokens come from: a file of `slo serve`'s flags, and/or the environment. */
export type TokenFiles = Partial<Record<Scope, string>>;

export const TOKEN_ENV: Record<Scope, string> = {
  ingest: 'SLO_ENGINE_INGEST_TOKEN',
  read: 'SLO_ENGINE_READ_TOKEN',
  admin: 'SLO_ENGINE_ADMIN_TOKEN',
};
const FLAG: Record<Scope, string> = { ingest: '--ingest-token-file', read: '--read-token-file', admin: '--admin-token-file' };

// Shorter tokens can be guessed by anyone who can reach the port and try.
const MIN_LENGTH = 16;
const HOW = 'generate one with `openssl rand -hex 32`';

function checked(token: string, where: string): string {
  if (token.length < MIN_LENGTH) throw new Error(`${where}: a token is ${token.length} characters long; use at least ${MIN_LENGTH} (${HOW})`);
  return token;
}

/** `tenant=a` or `tenant=a|b` after a token: the tenants it may speak for. */
function tenantsOf(rest: string[], where: string): string[] | undefined {
  if (rest.length === 0) return undefined;
  const m = rest.length === 1 ? /^tenant=(.+)$/.exec(rest[0]!) : null;
  if (!m) throw new Error(`${where}: after the token only "tenant=<id>" (or "tenant=<id>|<id>") may follow, found ${JSON.stringify(rest.join(' '))}`);
  const ids = m[1]!.split('|');
  for (const id of ids) {
    const problem = tenantIdProblem(id);
    if (problem) throw new Error(`${where}: tenant ${JSON.stringify(id)} is not a valid tenant ID: ${problem}`);
  }
  return ids;
}

/**
 * One token per line, optionally bound to tenants (`<token> tenant=<id>`); blank lines and lines
 * starting with `#` are skipped (for rotation: old and new side by side).
 */
function fromFile(scope: Scope, file: string): Credential[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${FLAG[scope]} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the path of a file with one ${scope} token per line`);
  }
  const out: Credential[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${FLAG[scope]} ${file}:${i + 1}`;
    const [token, ...rest] = line.split(/\s+/);
    out.push(credential(scope, checked(token!, where), where, tenantsOf(rest, where)));
  });
  if (out.length === 0) throw new Error(`${FLAG[scope]} ${file}: the file holds no token, which would leave ${scope} open; write one token per line (${HOW})`);
  return out;
}

function fromEnv(scope: Scope, env: NodeJS.ProcessEnv): Credential[] {
  const value = env[TOKEN_ENV[scope]];
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((t, i) => {
    const where = `${TOKEN_ENV[scope]} (token ${i + 1})`;
    const token = t.trim();
    if (/\s/.test(token)) throw new Error(`${where}: a token contains white space; a token is one word (${HOW}); bind tokens to tenants in a token file`);
    return credential(scope, checked(token, where), where);
  });
}

/** The access policy from token files and environment; throws a message naming the flag or variable. */
export function loadAccess(files: TokenFiles, env: NodeJS.ProcessEnv = process.env): AccessPolicy {
  const credentials: Credential[] = [];
  for (const scope of SCOPES) {
    const file = files[scope];
    if (file !== undefined) credentials.push(...fromFile(scope, file));
    credentials.push(...fromEnv(scope, env));
  }
  return new AccessPolicy(credentials);
}
