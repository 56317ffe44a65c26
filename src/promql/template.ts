import type { PromqlTemplate } from '../model/slo.js';

const WINDOW_RE = /\{\{\s*\.window\s*\}\}/g;

export function hasWindowPlaceholder(promql: string): boolean {
  return new RegExp(WINDOW_RE.source).test(promql);
}

/** Renders `{{.window}}` with a PromQL duration. */
export function renderTemplate(t: PromqlTemplate, window: string): string {
  return t.promql.replace(WINDOW_RE, window).trim();
}

export function isTemplate(x: unknown): x is PromqlTemplate {
  return typeof x === 'object' && x !== null && 'promql' in x;
}
