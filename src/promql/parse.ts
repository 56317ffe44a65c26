import { parser } from '@prometheus-io/lezer-promql';

export interface PromqlSyntaxError {
  /** Offset into the expression where parsing failed. */
  offset: number;
  message: string;
}

/** Checks PromQL syntax with the grammar of Prometheus' own editor; undefined when it parses. */
export function checkPromql(expr: string): PromqlSyntaxError | undefined {
  if (expr.trim() === '') return { offset: 0, message: 'empty expression' };
  const tree = parser.parse(expr);
  let offset: number | undefined;
  tree.iterate({
    enter(node) {
      if (offset !== undefined) return false;
      if (node.type.isError) offset = node.from;
      return undefined;
    },
  });
  if (offset === undefined) return undefined;
  const near = expr.slice(Math.max(0, offset - 15), offset + 15).replace(/\s+/g, ' ');
  return { offset, message: `PromQL syntax error at character ${offset + 1}, near "${near}"` };
}
