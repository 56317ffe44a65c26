/** Label names, as Prometheus accepts them in classic (non-UTF-8) mode. */
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Metric names, including the colons of recording rules. */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Quotes a label value as a PromQL double-quoted string. Every character that could end the
 * string or start an escape is escaped, so a value from a spec can never inject PromQL.
 */
export function quoteLabelValue(value: string): string {
  let out = '"';
  for (const ch of value) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case '"': out += '\\"'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      default: {
        const code = ch.codePointAt(0) ?? 0;
        out += code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
      }
    }
  }
  return `${out}"`;
}

/**
 * `quoteLabelValue` for a query Grafana sends: Grafana replaces `$name`, `${name}` and `[[name]]`
 * anywhere in a query, string literals included, so a label value `$service` from a spec would
 * come back as the dashboard variable's value. `\u0024` and `\u005b` spell the same value to
 * PromQL with nothing Grafana recognises.
 */
export function quoteLabelValueForGrafana(value: string): string {
  return quoteLabelValue(value).replace(/[$[]/g, (c) => (c === '$' ? '\\u0024' : '\\u005b'));
}

/** Escapes text for use as a literal inside an RE2 regular expression. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}
