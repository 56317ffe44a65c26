import { stringify } from 'yaml';

/** Deterministic multi-document YAML: no line folding (PromQL stays on one line), `---` between documents. */
export function yamlDocs(header: string, docs: ReadonlyArray<{ comment?: string; value: unknown }>): string {
  const body = docs.map((d) => `${d.comment ? `${d.comment.split('\n').map((l) => `# ${l}`).join('\n')}\n` : ''}${stringify(d.value, { lineWidth: 0, minContentWidth: 0 })}`);
  return `# ${header}\n${body.join('---\n')}`;
}
