import { closeSync, openSync, writeSync } from 'node:fs';
import type { Sample } from './types.js';

export interface Frame {
  timeMs: number;
  samples: Sample[];
}

type Labels = Readonly<Record<string, string>>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface SeriesPoints {
  labels: string;
  times: number[];
  values: number[];
}

/**
 * Collects frames, then writes them as OpenMetrics text that `promtool tsdb create-blocks-from
 * openmetrics` accepts:
 *   - every metric name is its own family, declared `gauge`. The OpenMetrics parser insists that
 *     a counter's samples end in `_total` and a histogram's in `_bucket/_count/_sum` of the family
 *     name; real names such as `kubelet_evictions` break that, and blocks store no types anyway;
 *   - a family's samples are contiguous (families must not interleave), series by series, each in
 *     time order, with timestamps in seconds;
 *   - the text ends with `# EOF`.
 * Only the points are kept between frames, so hours of history stay small in memory.
 */
export class OpenMetricsBuilder {
  private readonly families = new Map<string, Map<string, SeriesPoints>>();
  private readonly labelText = new WeakMap<Labels, string>();
  private lastTimeMs = -Infinity;

  add(frame: Frame): this {
    if (frame.timeMs < this.lastTimeMs) {
      throw new Error(`OpenMetrics frames must come in time order: ${frame.timeMs} after ${this.lastTimeMs}; sort the frames by timeMs`);
    }
    this.lastTimeMs = frame.timeMs;
    for (const s of frame.samples) {
      let family = this.families.get(s.name);
      if (!family) {
        if (!METRIC_NAME.test(s.name)) throw new Error(`OpenMetrics: invalid metric name ${JSON.stringify(s.name)}; names match ${METRIC_NAME}`);
        family = new Map();
        this.families.set(s.name, family);
      }
      const labels = this.formatLabels(s.labels);
      let series = family.get(labels);
      if (!series) {
        series = { labels, times: [], values: [] };
        family.set(labels, series);
      }
      if (series.times[series.times.length - 1] === frame.timeMs) {
        throw new Error(`OpenMetrics: ${s.name}${labels} appears twice at ${frame.timeMs}; every series may have one sample per frame`);
      }
      series.times.push(frame.timeMs);
      series.values.push(s.value);
    }
    return this;
  }

  /** The text in pieces of whole families, for writing big histories without one giant string. */
  *chunks(): Generator<string> {
    for (const [name, family] of this.families) {
      const lines = [`# TYPE ${name} gauge`];
      for (const s of family.values()) {
        for (let i = 0; i < s.times.length; i++) lines.push(`${name}${s.labels} ${formatValue(s.values[i]!)} ${s.times[i]! / 1000}`);
      }
      yield lines.join('\n') + '\n';
    }
    yield '# EOF\n';
  }

  toString(): string {
    return [...this.chunks()].join('');
  }

  writeFile(path: string): void {
    const fd = openSync(path, 'w');
    try {
      for (const chunk of this.chunks()) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
  }

  private formatLabels(labels: Labels): string {
    let text = this.labelText.get(labels);
    if (text === undefined) {
      text = formatLabels(labels);
      this.labelText.set(labels, text);
    }
    return text;
  }
}

export function toOpenMetrics(frames: Frame[]): string {
  const b = new OpenMetricsBuilder();
  for (const f of [...frames].sort((a, c) => a.timeMs - c.timeMs)) b.add(f);
  return b.toString();
}

/**
 * The Prometheus text format (0.0.4) of one moment, for a /metrics endpoint: untyped samples
 * without timestamps, so the scraper stamps them with the scrape time.
 */
export function toPrometheusText(samples: Sample[]): string {
  const byName = new Map<string, string[]>();
  for (const s of samples) {
    let lines = byName.get(s.name);
    if (!lines) byName.set(s.name, (lines = []));
    lines.push(`${s.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return [...byName.values()].map((lines) => lines.join('\n') + '\n').join('');
}

/** `{a="x",b="y"}` with names sorted and values escaped as both text formats require. */
export function formatLabels(labels: Labels): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return '';
  return `{${names
    .map((n) => {
      if (!LABEL_NAME.test(n) || n.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(n)}; names match ${LABEL_NAME} and may not start with __`);
      return `${n}="${escapeLabelValue(labels[n]!)}"`;
    })
    .join(',')}}`;
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
