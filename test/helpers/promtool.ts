import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The real promtool from Debian's prometheus package; the test command installs it. */
export const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

export interface PromtoolResult {
  ok: boolean;
  output: string;
}

export function promtool(args: string[], cwd?: string): PromtoolResult {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8', cwd, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

export function scratchDir(prefix = 'slo-test-'): string {
  const base = join(process.cwd(), '.tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix));
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}
