import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { mutate, mutationsArb } from './mutate.js';

/**
 * Spec texts for the loader properties: the project's own SLOs and the shared fixtures (read in
 * place), mutated line by line and byte by byte, plus YAML bombs.
 */

const ROOT = new URL('../../', import.meta.url).pathname;
const DIRS = [join(ROOT, 'slos'), ...['sloth', 'openslo', 'pyrra', 'slo-generator', 'kubernetes-mixin'].map((d) => join(ROOT, '../shared/fixtures', d))];

export interface SpecText {
  file: string;
  text: string;
}

let corpus: SpecText[] | undefined;

/** Every YAML spec and fixture, read once. */
export function specCorpus(): SpecText[] {
  corpus ??= DIRS.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') })),
  );
  return corpus;
}

const yamlScalar = fc.oneof(
  fc.constantFrom('', '~', 'null', 'true', '-1', '0', '1e309', '.nan', '99.999', '"', "'", '[', '{', '&a', '*a', '*nope', '!!binary x', '!!js/function', '- ', ': ', '|', '>-', '%YAML 1.1', '---', '...', '28d', '0s', '-5m', '1y', 'P30D'),
  fc.string({ maxLength: 20 }),
  fc.double().map(String),
);

const lineEdit = fc.record({
  kind: fc.constantFrom('delete', 'duplicate', 'swap', 'indent', 'dedent', 'value', 'insert'),
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  scalar: yamlScalar,
});

function editLines(text: string, edits: ReadonlyArray<{ kind: string; at: number; scalar: string }>): string {
  const lines = text.split('\n');
  for (const { kind, at: f, scalar } of edits) {
    const at = Math.floor(f * lines.length);
    const line = lines[at] ?? '';
    if (kind === 'delete') lines.splice(at, 1);
    else if (kind === 'duplicate') lines.splice(at, 0, line);
    else if (kind === 'swap' && at + 1 < lines.length) [lines[at], lines[at + 1]] = [lines[at + 1]!, line];
    else if (kind === 'indent') lines[at] = `  ${line}`;
    else if (kind === 'dedent') lines[at] = line.replace(/^ {1,2}/, '');
    else if (kind === 'value') lines[at] = line.includes(':') ? `${line.slice(0, line.indexOf(':') + 1)} ${scalar}` : `${line}${scalar}`;
    else lines.splice(at, 0, scalar);
  }
  return lines.join('\n');
}

/** A valid spec, then mutated: by lines (structure) or by bytes (lexing). */
export const mutatedSpecArb = fc
  .record({
    pick: fc.nat(),
    lines: fc.array(lineEdit, { minLength: 1, maxLength: 5 }),
    bytes: fc.option(mutationsArb, { freq: 3 }),
  })
  .map(({ pick, lines, bytes }) => {
    const all = specCorpus();
    const base = all[pick % all.length]!;
    let text = editLines(base.text, lines);
    if (bytes) text = new TextDecoder().decode(mutate(new TextEncoder().encode(text), bytes));
    return { file: `fuzz/${base.file}`, text };
  });

/** Arbitrary text, weighted towards YAML's punctuation. */
export const randomSpecArb = fc
  .array(fc.oneof(fc.constantFrom('\n', '  ', '- ', ': ', '[', ']', '{', '}', ',', '&a ', '*a', '!', '#', '"', "'", '|', '>', '---\n', 'apiVersion: ', 'kind: SLO', 'spec:', 'objective: '), fc.string({ maxLength: 8 })), { maxLength: 60 })
  .map((parts) => ({ file: 'fuzz/random.yaml', text: parts.join('') }));

/** YAML bombs and monsters, each of which must be refused quickly with a clear error. */
export const bombArb = fc.oneof(
  // Billion laughs: each level refers to the previous one `width` times.
  fc.record({ levels: fc.integer({ min: 4, max: 12 }), width: fc.integer({ min: 4, max: 12 }) }).map(({ levels, width }) => {
    const lines = ['l0: &l0 ["lol", "lol", "lol", "lol"]'];
    for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(', ')}]`);
    return { kind: 'aliases', text: lines.join('\n') };
  }),
  fc.integer({ min: 65, max: 200_000 }).map((depth) => ({ kind: 'flow depth', text: `spec: ${'['.repeat(depth)}${']'.repeat(depth)}` })),
  fc.integer({ min: 65, max: 200_000 }).map((depth) => ({ kind: 'flow depth', text: `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}` })),
  fc.integer({ min: 65, max: 2_800 }).map((depth) => ({ kind: 'block depth', text: Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}a:`).join('\n') })),
  fc.integer({ min: 130_000, max: 600_000 }).map((n) => ({ kind: 'size', text: Array.from({ length: n }, (_, i) => `k${i}: v`).join('\n') })),
  fc.integer({ min: 260_000, max: 1_500_000 }).map((n) => ({ kind: 'size', text: `x: [${Array(n).fill('1').join(',')}]` })),
  fc.integer({ min: 4_200_000, max: 6_000_000 }).map((n) => ({ kind: 'size', text: `a: ${'x'.repeat(n)}` })),
);
