import type { SpecProblem } from './errors.js';
import { pathText, type Path, type SourceDocument } from './yaml-source.js';

/** Collects the problems of one document, each tied to the line of the field it is about. */
export class DocContext {
  constructor(
    readonly doc: SourceDocument,
    readonly problems: SpecProblem[],
  ) {}

  get file(): string {
    return this.doc.file;
  }

  error(path: Path, message: string, hint?: string): void {
    this.add('error', path, message, hint);
  }

  warn(path: Path, message: string, hint?: string): void {
    this.add('warning', path, message, hint);
  }

  line(path: Path): number {
    return this.doc.locate(path).line;
  }

  get failed(): boolean {
    return this.problems.some((p) => p.severity === 'error' && p.file === this.doc.file);
  }

  private add(severity: SpecProblem['severity'], path: Path, message: string, hint?: string): void {
    const pos = this.doc.locate(path);
    this.problems.push({ file: this.doc.file, line: pos.line, column: pos.column, field: pathText(path), message, hint, severity });
  }
}
