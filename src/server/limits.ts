import { DEFAULT_LIMITS } from '../ingest/sample.js';

/** Request limits; each has a flag of `slo serve` and a message that names it. */
export interface ServerLimits {
  maxBodyBytes: number;
  maxDecodedBytes: number;
  maxSeriesPerRequest: number;
  maxLabelsPerSeries: number;
  maxLabelLength: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxBodyBytes: 16 << 20,
  maxDecodedBytes: 64 << 20,
  maxSeriesPerRequest: DEFAULT_LIMITS.maxSeries,
  maxLabelsPerSeries: DEFAULT_LIMITS.maxLabelsPerSeries,
  maxLabelLength: DEFAULT_LIMITS.maxLabelLength,
};
