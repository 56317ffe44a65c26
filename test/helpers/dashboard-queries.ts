import { parser } from '@prometheus-io/lezer-promql';

/** The parts of Grafana's dashboard JSON the tests read. */
export interface Target {
  expr: string;
  refId: string;
  instant?: boolean;
  format?: string;
  interval?: string;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  timeFrom?: string;
  targets?: Target[];
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown }; overrides?: unknown[] };
  gridPos: { x: number; y: number; w: number; h: number };
}

export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: string; current?: { value?: string } }> };
  annotations: { list: Array<{ name: string; expr?: string }> };
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  panelId: number;
  expr: string;
  instant: boolean;
  /** The panel's own time range (`timeFrom`), e.g. `30d`, when it overrides the dashboard's. */
  timeFrom?: string;
}

/** Every query a dashboard runs: panel targets and annotation queries. */
export function queriesOf(d: Dashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const p of d.panels) {
    for (const t of p.targets ?? []) {
      out.push({ dashboard: d.uid, panel: `${p.title} [${t.refId}]`, panelId: p.id, expr: t.expr, instant: t.instant === true, ...(p.timeFrom ? { timeFrom: p.timeFrom } : {}) });
    }
  }
  for (const a of d.annotations.list) {
    if (a.expr) out.push({ dashboard: d.uid, panel: `annotation ${a.name}`, panelId: 0, expr: a.expr, instant: false });
  }
  return out;
}

export interface VariableValue {
  values: string[];
  /** Multi-value or "All": Grafana's Prometheus datasource then writes a regex alternation. */
  multi: boolean;
}

/** The values Grafana would substitute with every option of every custom variable selected. */
export function variableValues(d: Dashboard): Record<string, VariableValue> {
  const out: Record<string, VariableValue> = {};
  for (const v of d.templating.list as Array<{ name: string; type: string; query?: string; multi?: boolean; includeAll?: boolean }>) {
    if (v.type === 'custom' && v.query) out[v.name] = { values: v.query.split(','), multi: v.multi === true || v.includeAll === true };
  }
  return out;
}

/** What Grafana's Prometheus datasource does to one value of a multi-value variable (prometheusSpecialRegexEscape). */
function specialRegexEscape(v: string): string {
  return v.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

/** And to a single-value variable (prometheusRegexEscape): only backslashes and quotes. */
function plainEscape(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
}

/**
 * Substitutes Grafana's variables as its Prometheus datasource does: a single-value variable as
 * is (backslashes and quotes escaped), a multi-value one as `(a|b)` with regex characters
 * escaped for a PromQL string, `$__rate_interval` and `$__interval` as durations. An unknown
 * variable or format throws: it would reach Prometheus verbatim.
 */
export function interpolate(expr: string, vars: Record<string, VariableValue>, intervals = { rate: '4m', interval: '1m' }): string {
  return expr.replace(/\$\{([A-Za-z0-9_]+)(?::([a-z]+))?\}|\$([A-Za-z0-9_]+)/g, (whole, braced: string, fmt: string, bare: string) => {
    const name = braced ?? bare;
    // label_replace's `$1`: Grafana leaves names that are no variable as they are.
    if (/^\d+$/.test(name)) return whole;
    if (name === '__rate_interval') return intervals.rate;
    if (name === '__interval') return intervals.interval;
    if (name === '__range') return '1h';
    const v = vars[name];
    if (!v) throw new Error(`unknown Grafana variable ${whole} in: ${expr}`);
    if (fmt) throw new Error(`unsupported variable format ${whole}: use the plain variable, the datasource escapes it`);
    if (!v.multi) return plainEscape(v.values[0]!);
    const escaped = v.values.map(specialRegexEscape);
    return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
  });
}

/** Metric names a query reads: selector names and `__name__` equality matchers. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const tree = parser.parse(expr);
  tree.iterate({
    enter(n) {
      if (n.name === 'VectorSelector') {
        const text = expr.slice(n.from, n.to);
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(text);
        if (m) names.add(m[1]!);
        const byName = /__name__\s*=\s*"([^"]+)"/.exec(text);
        if (byName) names.add(byName[1]!);
      }
      return undefined;
    },
  });
  return [...names];
}
