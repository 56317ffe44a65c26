/**
 * Prometheus expands alerting rules' label values and annotations as Go templates. Text that is
 * data, not a template (a label value from a spec, a runbook URL), is written so that expanding it
 * gives it back unchanged: each `{{` becomes an action printing `{{`. Otherwise `{{ $labels.x }}`
 * in a label would be replaced by another label's value, and `{{ oops` would make Prometheus
 * refuse the whole rule file.
 */
export function literalTemplateText(text: string): string {
  return text.includes('{{') ? text.replace(/\{\{/g, '{{ "{{" }}') : text;
}

/** `literalTemplateText` over a label set; the same object back when nothing needed it. */
export function literalTemplateValues(map: Record<string, string>): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const k of Object.keys(map)) {
    const v = map[k]!;
    if (!v.includes('{{')) continue;
    out ??= { ...map };
    out[k] = literalTemplateText(v);
  }
  return out ?? map;
}

/** The actions the engine expands too (src/engine/template.ts): the same text in both places. */
const SUPPORTED = /^(?:\$labels\.[A-Za-z_][A-Za-z0-9_]*|\$value|printf\s+"%\.\d+f"\s+\$value|"\{\{")$/;
const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/y;

/**
 * An annotation as a template Prometheus and the engine expand alike: the actions both know
 * (`$labels.x`, `$value`, `printf "%.2f" $value`) stay actions; any other `{{`, an unclosed
 * one included, is printed as written, as the engine shows it. A typo in one annotation can then
 * never make Prometheus refuse the rule file.
 */
export function annotationTemplate(text: string): string {
  if (!text.includes('{{')) return text;
  let out = '';
  let at = 0;
  for (let i = text.indexOf('{{'); i !== -1; i = text.indexOf('{{', at)) {
    out += text.slice(at, i);
    ACTION.lastIndex = i;
    const m = ACTION.exec(text);
    if (m && SUPPORTED.test(m[1]!)) {
      out += m[0];
      at = i + m[0].length;
    } else {
      out += '{{ "{{" }}';
      at = i + 2;
    }
  }
  return out + text.slice(at);
}

/** `annotationTemplate` over an annotation set; the same object back when nothing changed. */
export function annotationTemplates(map: Record<string, string>): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const k of Object.keys(map)) {
    const v = map[k]!;
    const safe = annotationTemplate(v);
    if (safe === v) continue;
    out ??= { ...map };
    out[k] = safe;
  }
  return out ?? map;
}
