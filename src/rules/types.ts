export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

/** Settings that are not part of any SLO: where links point. */
export interface RenderOptions {
  grafanaUrl: string;
  /** Extra labels added to every series and alert (Sloth's --extra-labels). */
  extraLabels: Record<string, string>;
}

export const DEFAULT_RENDER_OPTIONS: RenderOptions = { grafanaUrl: 'http://localhost:3000', extraLabels: {} };
