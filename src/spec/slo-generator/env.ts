import type { DocContext } from '../context.js';
import type { Path } from '../yaml-source.js';

/** slo-generator's placeholder syntax: `${NAME}` with a word-character name. */
const PLACEHOLDER = /\$\{(\w+)\}/g;

/**
 * Replaces `${NAME}` with the environment variable, as slo-generator does when it reads a config.
 * An unset variable is an error here (slo-generator fails on it too), named with the field.
 */
export function substituteEnv(ctx: DocContext, at: Path, text: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const missing = new Set<string>();
  const out = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = env[name];
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    return value;
  });
  if (missing.size === 0) return out;
  const names = [...missing];
  ctx.error(at, `environment variable${names.length > 1 ? 's' : ''} ${names.map((n) => `\${${n}}`).join(', ')} ${names.length > 1 ? 'are' : 'is'} not set`,
    `set ${names.join(', ')} before running slo, as slo-generator needs ${names.length > 1 ? 'them' : 'it'} too (e.g. ${names[0]}=my-project ./bin/slo validate ...)`);
  return undefined;
}
