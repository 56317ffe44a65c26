import { LineCounter, parseAllDocuments, isNode, type Document, type Node } from 'yaml';
import { checkShape, MAX_YAML_DEPTH, scanTokens, SHAPE_HINT } from './yaml-shape.js';
import type { SpecProblem } from './errors.js';

export type Path = ReadonlyArray<string | number>;

/** One YAML document with its plain value and a way back from a field path to a line. */
export interface SourceDocument {
  file: string;
  index: number;
  value: unknown;
  /** Line and column (1-based) of the node at `path`, or of its nearest existing parent. */
  locate(path: Path): { line: number; column: number };
}

/** Far beyond any real SLO file; a guard against pasting a dump or a generated monster. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Aliases are legal YAML, but billion-laughs expansions are not SLOs. */
const MAX_ALIAS_COUNT = 100;

export function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Parses every document of a file; YAML errors come back as problems with positions. */
export function readYamlDocuments(file: string, text: string): { docs: SourceDocument[]; problems: SpecProblem[] } {
  const problems: SpecProblem[] = [];
  // Size and nesting are checked on the tokens first: the parser is recursive and slow on huge input.
  const refused = scanTokens(text);
  if (refused) {
    problems.push({ file, line: refused.line, column: 1, field: '', message: refused.message, hint: SHAPE_HINT, severity: 'error' });
    return { docs: [], problems };
  }
  const lines = new LineCounter();
  let parsed: Document.Parsed[];
  try {
    // uniqueKeys is checked by checkShape in linear time: the parser's own check is quadratic.
    parsed = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false }) as Document.Parsed[];
  } catch (e) {
    problems.push({ file, line: 1, column: 1, field: '', message: e instanceof RangeError ? `mappings and sequences nest too deeply to parse (the limit is ${MAX_YAML_DEPTH} levels)` : `YAML could not be parsed: ${(e as Error).message}`, hint: SHAPE_HINT, severity: 'error' });
    return { docs: [], problems };
  }
  const all = Array.isArray(parsed) ? parsed : [];
  const docs: SourceDocument[] = [];
  all.forEach((doc: Document.Parsed, index) => {
    if (doc.errors.length === 0 && doc.contents !== null) {
      const bad = checkShape(doc.contents);
      if (bad) {
        const pos = lines.linePos(bad.offset);
        problems.push({ file, line: pos.line, column: pos.col, field: '', message: bad.message, hint: bad.hint, severity: 'error' });
        return;
      }
    }
    for (const err of doc.errors) {
      const pos = lines.linePos(err.pos[0]);
      problems.push({
        file,
        line: pos.line,
        column: pos.col,
        field: '',
        message: `invalid YAML: ${err.message.split('\n')[0]}`,
        hint: 'check indentation, quoting and that every key appears once',
        severity: 'error',
      });
    }
    if (doc.errors.length > 0 || doc.contents === null) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const pos = lines.linePos(doc.contents?.range?.[0] ?? 0);
      problems.push({
        file,
        line: pos.line,
        column: pos.col,
        field: '',
        message: `YAML could not be expanded: ${(e as Error).message}`,
        hint: `use at most ${MAX_ALIAS_COUNT} alias expansions; write repeated blocks out instead of nesting anchors`,
        severity: 'error',
      });
      return;
    }
    const locate = (path: Path) => {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n), true);
        if (isNode(node) && (node as Node).range) {
          const pos = lines.linePos((node as Node).range![0]);
          return { line: pos.line, column: pos.col };
        }
        // A key's position is better than its parent's when the value is a scalar at the end.
        if (n > 0) {
          const parent = doc.getIn(path.slice(0, n - 1), true) as { items?: Array<{ key?: Node }> } | undefined;
          const key = path[n - 1];
          const pair = parent?.items?.find((it) => isNode(it?.key) && (it.key as unknown as { value: unknown }).value === key);
          if (pair?.key?.range) {
            const pos = lines.linePos(pair.key.range[0]);
            return { line: pos.line, column: pos.col };
          }
        }
      }
      return { line: 1, column: 1 };
    };
    docs.push({ file, index, value, locate });
  });
  return { docs, problems };
}
