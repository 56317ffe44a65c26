/** One decoded series: labels (including `__name__`) and its float samples. */
export interface DecodedSeries {
  labels: Record<string, string>;
  samples: Array<{ value: number; timestampMs: number }>;
  /**
   * OTLP delta temporality: each value is the increase since the previous point, not a running
   * total. Remote-write series never set it.
   */
  delta?: boolean;
}

export interface DecodeOptions {
  /** Series whose metric name this rejects are skipped without decoding their samples. */
  keep?: (metricName: string) => boolean;
  maxSeries?: number;
  maxLabelsPerSeries?: number;
  maxLabelLength?: number;
}

export interface DecodeResult {
  series: DecodedSeries[];
  /** Series skipped because no SLI selects their metric. */
  skipped: number;
  samples: number;
}
