import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Ajv, ValidateFunction } from 'ajv';
import { projectPath } from '../paths.js';

/*
 * Compiling the SLO schema with ajv (and loading ajv to do it) took a quarter of a second of
 * every `slo validate` and `slo generate`. The compiled validator is ajv's own standalone code,
 * so it is cached as a CommonJS file under node_modules/.cache, named by a hash of everything
 * that decides its content: the schema, ajv's version and the options. A changed schema or
 * ajv gets a new file on its next use; nothing has to be rebuilt by hand, and a cache that
 * cannot be read or written only costs the compile.
 */

const OPTIONS = { allErrors: true, strict: false, verbose: true } as const;
const require = createRequire(import.meta.url);
const CACHE_DIR = projectPath('node_modules', '.cache', 'slo-engine', 'ajv');

let ajv: Ajv | undefined;
let ajvVersion: string | undefined;

/** Where the compiled validator of `schema` is cached, for this ajv and these options. */
export function schemaCacheFile(schema: object): string {
  ajvVersion ??= (JSON.parse(readFileSync(join(dirname(require.resolve('ajv')), '..', 'package.json'), 'utf8')) as { version: string }).version;
  const key = createHash('sha256').update(`${ajvVersion}\n${JSON.stringify(OPTIONS)}\n${JSON.stringify(schema)}`).digest('hex').slice(0, 32);
  return join(CACHE_DIR, `${key}.cjs`);
}

/** A validator for `schema`, the same function `new Ajv(OPTIONS).compile(schema)` would give. */
export function compileSchema(schema: object): ValidateFunction {
  const file = schemaCacheFile(schema);
  try {
    return require(file) as ValidateFunction;
  } catch {
    // not cached yet (or unreadable): compile, and cache for the next run
  }
  if (!ajv) {
    const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
    ajv = new AjvClass({ ...OPTIONS, code: { source: true } });
  }
  const validate = ajv.compile(schema);
  try {
    const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js')).default;
    mkdirSync(CACHE_DIR, { recursive: true });
    // written whole under a private name, then renamed: a concurrent run never reads half a file
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, standaloneCode(ajv, validate));
    try {
      renameSync(temp, file);
    } catch {
      rmSync(temp, { force: true });
    }
  } catch {
    // read-only checkout: validate without a cache
  }
  return validate;
}
