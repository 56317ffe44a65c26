/** One line of the SLO review table: one SLO, or one group of a grouped SLO. */
export interface ReportRow {
  service: string;
  name: string;
  group: string;
  objective: string;
  window: string;
  status: string;
  /** SLI over the SLO window, 0..1. */
  sli?: number;
  budgetRemaining?: number;
  /** Burn rate per window, e.g. { '1h': 2.1 }. */
  burn: Record<string, number | undefined>;
  exhaustionSeconds?: number;
  firing: string[];
}

export interface Report {
  source: string;
  at: string;
  windows: string[];
  rows: ReportRow[];
}

/** Worst first: what a review should talk about first. */
export function sortRows(rows: ReportRow[]): ReportRow[] {
  const rank = (r: ReportRow) => (r.firing.length ? 0 : r.budgetRemaining === undefined ? 2 : 1);
  return [...rows].sort((a, b) => rank(a) - rank(b) || (a.budgetRemaining ?? Infinity) - (b.budgetRemaining ?? Infinity) || `${a.service}/${a.name}`.localeCompare(`${b.service}/${b.name}`));
}

/** One row's word: its own group's firing tiers and budget, the same from either source. */
export function rowStatus(budgetRemaining: number | undefined, firing: boolean): string {
  return budgetRemaining === undefined ? 'no-data' : firing ? 'burning' : budgetRemaining <= 0 ? 'exhausted' : 'ok';
}
