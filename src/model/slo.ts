import type { CalendarWindow } from './calendar.js';
import type { Millis } from './duration.js';
import type { MaintenanceWindow } from './maintenance.js';

export type { CalendarWindow, MaintenanceWindow };

/** One label matcher of a vector selector. */
export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** A metric name plus matchers: the structured form that rules render and the engine matches. */
export interface Selector {
  metric: string;
  matchers: Matcher[];
}

/** PromQL written by the user; `{{.window}}` (or `$window`) stands for the range being computed. */
export interface PromqlTemplate {
  promql: string;
}

/** A sum of counters, each term added or subtracted, or raw PromQL returning a per-window value. */
export type CounterExpr =
  | { terms: Array<{ selector: Selector; sign: 1 | -1 }> }
  | PromqlTemplate;

export type CompareOp = '<' | '<=' | '>' | '>=';

export type Sli =
  | {
      kind: 'events';
      /** Exactly one of good and bad is set. */
      good?: CounterExpr;
      bad?: CounterExpr;
      total: CounterExpr;
      groupBy: string[];
    }
  | {
      kind: 'latency';
      /** Histogram name without `_bucket`/`_count`, plus matchers applied to both. */
      histogram: Selector;
      /** Upper bound in seconds; must be a bucket bound for classic histograms. */
      threshold: number;
      native: boolean;
      groupBy: string[];
    }
  | {
      kind: 'boolGauge';
      /** A 0/1 series (`probe_success`) or PromQL evaluating to 0/1 per series. */
      gauge: Selector | PromqlTemplate;
      resolution: Millis;
      groupBy: string[];
    }
  | {
      kind: 'timeslice';
      /** An instant expression, compared to the threshold once per slice. */
      value: Selector | PromqlTemplate;
      op: CompareOp;
      threshold: number;
      slice: Millis;
      groupBy: string[];
    }
  | {
      kind: 'rawErrorRatio';
      /** PromQL returning the error ratio (0..1) over `{{.window}}`. */
      errorRatio: PromqlTemplate;
    };

export type SliKind = Sli['kind'];

export type Severity = 'page' | 'ticket';

/** One multi-window burn-rate alert: fires when both windows burn faster than `factor`. */
export interface AlertTier {
  name: string;
  severity: Severity;
  longWindow: Millis;
  shortWindow: Millis;
  /** Burn-rate threshold: multiple of the error budget ratio. */
  factor: number;
  /** Share of the whole budget spent when the long window first crosses the threshold. */
  budgetShare: number;
  for: Millis;
  /**
   * The value the alert's severity label carries when it is not `severity` itself: Pyrra's
   * `critical`/`warning`, an OpenSLO AlertCondition's own severity, so existing routes keep matching.
   */
  severityLabel?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertPolicy {
  /** Alert name of the burn-rate alerts (all tiers share it, as Sloth and Pyrra do). */
  name: string;
  tiers: AlertTier[];
  /**
   * Alert when the SLI has no data for this long; undefined disables. `severityLabel` as on
   * AlertTier: the label value when it is not the severity itself (Pyrra's `critical`).
   */
  noData?: { for: Millis; severity: Severity; severityLabel?: string };
  /** Alert when the window's budget is spent; undefined disables. */
  budgetExhausted?: { for: Millis; severity: Severity; severityLabel?: string };
  /** A tier pages only when its long window saw at least this many events. */
  minEvents?: number;
  runbookUrl?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type SpecFormat = 'native' | 'sloth' | 'sloth-k8s' | 'sloth-openslo' | 'openslo' | 'pyrra' | 'slo-generator';

/** Where an SLO came from, for messages and for output that mirrors the input (PrometheusRule names). */
export interface SloSource {
  file: string;
  line: number;
  format: SpecFormat;
  /** Kubernetes object name/namespace of the input document, when it had one. */
  k8sName?: string;
  k8sNamespace?: string;
  /**
   * Kubernetes labels of the input object that the PrometheusRule must carry too, so that a
   * prometheus-operator `ruleSelector` that picked up the old tool's rules picks up ours (Pyrra
   * copies its CR's labels the same way).
   */
  k8sLabels?: Record<string, string>;
}

/** Which rule names and identity labels the outputs use. */
export type Convention = 'native' | 'sloth';

export interface CatalogRef {
  name: string;
  params: Record<string, unknown>;
}

export interface Slo {
  /** `<service>-<name>`, unique across the loaded set. */
  id: string;
  service: string;
  name: string;
  description: string;
  /** Added to every generated series. */
  labels: Record<string, string>;
  /** Ratio in (0, 1), e.g. 0.999. */
  objective: number;
  /** The objective as the user wrote it, in percent (`99.9`), for labels and messages. */
  objectivePercent: string;
  /** 1 - objective, computed in decimal so that 99.9 gives exactly 0.001. */
  errorBudget: number;
  /**
   * Rolling window length; for a calendar window its nominal length (week 7d, month 30d,
   * quarter 90d, year 365d), which scales burn-rate factors and budget projections.
   */
  window: Millis;
  /** Set when the budget resets at calendar boundaries in a time zone instead of rolling. */
  calendar?: CalendarWindow;
  /** Planned maintenance: silenced, and left out of the budget where the window says so. */
  maintenance?: MaintenanceWindow[];
  sli: Sli;
  catalog?: CatalogRef;
  alerting: AlertPolicy;
  convention: Convention;
  source: SloSource;
}
