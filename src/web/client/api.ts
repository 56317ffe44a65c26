/** The engine's JSON API, as the page reads it. */
export interface WindowJson {
  total: number | null;
  bad: number | null;
  errorRatio: number | null;
  sli: number | null;
  burnRate: number | null;
}

export interface GroupJson {
  labels: Record<string, string>;
  windows: Record<string, WindowJson>;
  budgetRemaining: number | null;
  exhaustionSeconds: number | null;
}

export interface AlertJson {
  alertname: string;
  tier: string | null;
  severity: string | null;
  state: 'pending' | 'firing' | 'inactive';
  activeAt: string;
  firedAt: string | null;
  resolvedAt: string | null;
  value: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface TierJson {
  name: string;
  severity: string;
  longWindow: string;
  shortWindow: string;
  factor: number;
  budgetShare: number;
  for: string;
}

export interface SloJson {
  id: string;
  service: string;
  name: string;
  description: string;
  labels: Record<string, string>;
  objective: number;
  objectivePercent: string;
  errorBudget: number;
  window: string;
  /** Set when the budget resets each calendar week, month, quarter or year. */
  calendar: { unit: string; timeZone: string } | null;
  /** Planned maintenance under way (alerts silenced) and the next one within a day. */
  maintenance: {
    active: { name: string; until: string; excludedFromBudget: boolean } | null;
    next: { name: string; start: string; end: string } | null;
  };
  sliKind: string;
  source: 'ingest' | 'query' | 'unavailable';
  reason: string | null;
  status: string;
  stale: boolean;
  lastDataAt: string | null;
  /** Limits the engine applied to this SLO (the cardinality guard): its numbers leave something out. */
  warnings: Array<{ field: string; reason: string }>;
  groups: GroupJson[];
  alerts: AlertJson[];
  tiers: TierJson[];
  links: { dashboard: string; runbook: string | null };
}

export interface SloDetailJson extends SloJson {
  definition: { file: string; line: number; format: string; yaml: string | null; rules: Array<{ record: string; window: string | null; expr: string }> };
}

export interface HistoryJson {
  step: string;
  /** Unix seconds where the SLO window begins; `times` may start later, where data starts. */
  windowStart: number;
  times: number[];
  objective: number;
  groups: Array<{ labels: Record<string, string>; sli: Array<number | null>; budgetRemaining: Array<number | null>; burn: Record<string, Array<number | null>> }>;
}

// Kept for this tab only, so closing it forgets the token.
const TOKEN_KEY = 'slo-engine-read-token';
let declined = false;

/** An engine started with read tokens answers 401: ask once, then send it with every request. */
function askToken(): boolean {
  if (declined) return false;
  const token = window.prompt('This engine needs a read token (kept for this tab only):')?.trim();
  if (!token) {
    declined = true;
    return false;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  return true;
}

async function get<T>(path: string): Promise<T> {
  for (;;) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const res = await fetch(path, { headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      if (askToken()) continue;
      throw new Error(`${path}: 401, this engine needs a read token; reload the page to enter one`);
    }
    if (!res.ok) throw new Error(`${path}: ${res.status} ${(await res.text()).trim()}`);
    return ((await res.json()) as { data: T }).data;
  }
}

export const api = {
  slos: () => get<SloJson[]>('/api/v1/slos'),
  slo: (id: string) => get<SloDetailJson>(`/api/v1/slos/${encodeURIComponent(id)}`),
  history: (id: string) => get<HistoryJson>(`/api/v1/slos/${encodeURIComponent(id)}/history?points=288`),
};
