import type { DocContext } from '../context.js';
import type { Path } from '../yaml-source.js';

export type Raw = Record<string, any>;

/** Where a field is: its document and its path there. Inline and referenced objects keep their own place. */
export interface Loc {
  ctx: DocContext;
  at: Path;
}

export const KINDS = ['SLO', 'SLI', 'Service', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'] as const;
export type Kind = (typeof KINDS)[number];

/** One OpenSLO object, top-level or written inline inside another. */
export interface OsloObject {
  kind: Kind;
  name: string;
  value: Raw;
  loc: Loc;
  /** Failed its schema check: references to it resolve to nothing, silently. */
  invalid?: boolean;
}

export function field(loc: Loc, ...path: Path): Loc {
  return { ctx: loc.ctx, at: [...loc.at, ...path] };
}

export function error(loc: Loc, message: string, hint?: string): void {
  loc.ctx.error(loc.at, message, hint);
}

export function warn(loc: Loc, message: string, hint?: string): void {
  loc.ctx.warn(loc.at, message, hint);
}

/** file:line of a field, for messages that point at a second place. */
export function where(loc: Loc): string {
  return `${loc.ctx.file}:${loc.ctx.line(loc.at)}`;
}

/** Errors recorded so far, to tell whether a step added any. */
export function errorCount(loc: Loc): number {
  return loc.ctx.problems.filter((p) => p.severity === 'error').length;
}
