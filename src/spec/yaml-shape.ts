import { isAlias, isMap, isScalar, isSeq, Lexer, type Node } from 'yaml';

/**
 * Guards in front of the YAML parser. Real SLO files are a few hundred lines nested a dozen
 * levels; the parser (npm `yaml`) recurses once per nesting level and its duplicate-key check is
 * quadratic in the keys of a map, so a hostile or generated file could overflow the stack or spin
 * for minutes. These checks are linear and iterative, and refuse such files with a clear message.
 */

/** Far beyond any real SLO file (a 300-SLO file has about 60 000 tokens). */
export const MAX_YAML_TOKENS = 250_000;
/** Nesting levels of mappings and sequences; SLO formats use about ten. */
export const MAX_YAML_DEPTH = 64;

export const SHAPE_HINT = `keep a spec file under ${MAX_YAML_TOKENS} YAML tokens and ${MAX_YAML_DEPTH} levels of nesting; split big files and flatten deep structures`;

/** Lexer control tokens (document start, flow end, scalar marker, BOM) are not source text. */
const CONTROL = /^[\x00-\x1f\ufeff]$/;

/** A refusal from the token scan: too many tokens or flow collections nested too deep. */
export function scanTokens(text: string): { line: number; message: string } | undefined {
  let tokens = 0;
  let depth = 0;
  let offset = 0;
  const lineAt = (o: number) => {
    let line = 1;
    for (let i = text.indexOf('\n'); i >= 0 && i < o; i = text.indexOf('\n', i + 1)) line++;
    return line;
  };
  for (const token of new Lexer().lex(text)) {
    if (++tokens > MAX_YAML_TOKENS) return { line: lineAt(offset), message: `the file has more than ${MAX_YAML_TOKENS} YAML tokens` };
    if (token === '[' || token === '{') {
      if (++depth > MAX_YAML_DEPTH) return { line: lineAt(offset), message: `flow collections ([...] or {...}) nest more than ${MAX_YAML_DEPTH} levels deep` };
    } else if (token === ']' || token === '}') depth = Math.max(0, depth - 1);
    if (!CONTROL.test(token)) offset += token.length;
  }
  return undefined;
}

/**
 * Walks a parsed document without recursion: refuses nesting deeper than MAX_YAML_DEPTH (block
 * indentation, which the token scan does not see), a key that appears twice in one mapping, and a
 * key that is a list or a mapping.
 */
export function checkShape(root: unknown): { offset: number; message: string; hint: string } | undefined {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (isAlias(node) || isScalar(node) || !node) continue;
    const offset = (node as Node).range?.[0] ?? 0;
    if (depth >= MAX_YAML_DEPTH) return { offset, message: `mappings and sequences nest more than ${MAX_YAML_DEPTH} levels deep`, hint: SHAPE_HINT };
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        // No SLO format has list or mapping keys; JavaScript objects would turn them into strings.
        if (isMap(key) || isSeq(key)) return { offset: key.range?.[0] ?? offset, message: 'a mapping key is itself a list or mapping', hint: 'use plain strings as keys (check for a stray "? " or a key written as [..] or {..})' };
        // Scalars compare as the parser compares them (value and type); complex keys never clash here.
        const id = isScalar(key) ? `${typeof key.value}:${String(key.value)}` : `@${seen.size}`;
        if (seen.has(id)) {
          const at = (key as Node).range?.[0] ?? offset;
          return { offset: at, message: `invalid YAML: Map keys must be unique (${JSON.stringify(String((key as { value: unknown }).value).slice(0, 64))} appears twice)`, hint: 'check indentation, quoting and that every key appears once' };
        }
        seen.add(id);
        stack.push([pair.key, depth + 1], [pair.value, depth + 1]);
      }
    } else if (isSeq(node)) for (const item of node.items) stack.push([item, depth + 1]);
  }
  return undefined;
}
