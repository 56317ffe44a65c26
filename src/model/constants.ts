import { MINUTE, DAY } from './duration.js';

/**
 * Every count-based window is a sum of non-overlapping base windows, so the raw series are read
 * over this range only, once per evaluation.
 */
export const BASE_WINDOW = 5 * MINUTE;
export const DEFAULT_SLO_WINDOW = 30 * DAY;
export const DEFAULT_RESOLUTION = MINUTE;
export const DEFAULT_ALERT_NAME = 'ErrorBudgetBurn';
export const DEFAULT_NO_DATA_FOR = 10 * MINUTE;
export const DEFAULT_BUDGET_EXHAUSTED_FOR = 5 * MINUTE;
