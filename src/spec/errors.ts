/** One problem in an SLO file: where it is, which field, what was wrong and how to fix it. */
export interface SpecProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the field (`spec.objective`), or '' for the document itself. */
  field: string;
  message: string;
  hint?: string;
  severity: 'error' | 'warning';
}

export function formatProblem(p: SpecProblem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  const field = p.field ? ` ${p.field}:` : '';
  const hint = p.hint ? `\n    fix: ${p.hint}` : '';
  return `${where}: ${p.severity}:${field} ${p.message}${hint}`;
}

/** Thrown by the loaders; carries every problem found, not just the first. */
export class SpecErrors extends Error {
  constructor(readonly problems: SpecProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/** Shows a value in a message without flooding the terminal. */
export function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
