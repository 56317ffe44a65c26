import { BadPayload } from './errors.js';
import { scanMetricName } from './metric-name.js';
import { Reader } from './protobuf.js';
import { DEFAULT_LIMITS, readSample } from './sample.js';
import type { DecodedSeries, DecodeOptions, DecodeResult } from './series.js';

export type { DecodedSeries, DecodeOptions, DecodeResult } from './series.js';


/**
 * `prometheus.WriteRequest` (remote-write 1.0): field 1 repeated TimeSeries { 1 Label{1 name,
 * 2 value}, 2 Sample{1 double value, 2 int64 timestamp}, 3 exemplars, 4 histograms }. Metadata
 * (field 3), exemplars and native histograms are skipped. Labels come before samples in every
 * encoder we know, so a series of an unwanted metric is skipped at its first label.
 */
export function decodeWriteRequestV1(body: Uint8Array, opts: DecodeOptions = {}): DecodeResult {
  const limits = { ...DEFAULT_LIMITS, ...opts };
  const r = new Reader(body);
  const series: DecodedSeries[] = [];
  let skipped = 0;
  let samples = 0;
  let seen = 0;
  while (!r.done) {
    const key = r.varint();
    if (key >>> 3 !== 1 || (key & 7) !== 2) {
      r.skip(key & 7);
      continue;
    }
    if (++seen > limits.maxSeries) throw new BadPayload(`remote-write: more than ${limits.maxSeries} series in one request; send smaller batches (queue_config.max_samples_per_send)`, 413);
    const [start, end] = r.bytes();
    let keep = opts.keep;
    if (keep) {
      // Most series are of metrics no SLI reads: decide from the name's bytes, decode nothing else.
      const name = scanMetricName(body, start, end, limits.maxLabelsPerSeries, limits.maxLabelLength);
      if (name !== undefined) {
        if (!keep(name)) {
          skipped++;
          continue;
        }
        keep = undefined;
      }
    }
    const s = decodeSeries(r.sub(start, end), limits, keep);
    if (s) {
      series.push(s);
      samples += s.samples.length;
    } else skipped++;
  }
  return { series, skipped, samples };
}

function decodeSeries(r: Reader, limits: typeof DEFAULT_LIMITS, keep?: (name: string) => boolean): DecodedSeries | undefined {
  const labels: Record<string, string> = {};
  const out: DecodedSeries = { labels, samples: [] };
  let count = 0;
  while (!r.done) {
    const key = r.varint();
    const field = key >>> 3;
    if (field === 1 && (key & 7) === 2) {
      if (++count > limits.maxLabelsPerSeries) throw new BadPayload(`remote-write: a series has more than ${limits.maxLabelsPerSeries} labels`);
      const [s, e] = r.bytes();
      const l = r.sub(s, e);
      let name = '';
      let value = '';
      while (!l.done) {
        const k = l.varint();
        if (k === 0x0a) name = l.string();
        else if (k === 0x12) value = l.string();
        else l.skip(k & 7);
      }
      if (name.length > limits.maxLabelLength || value.length > limits.maxLabelLength) {
        throw new BadPayload(`remote-write: label ${name.slice(0, 64)} is longer than ${limits.maxLabelLength} characters`);
      }
      if (name === '__name__' && keep && !keep(value)) return undefined;
      labels[name] = value;
    } else if (field === 2 && (key & 7) === 2) out.samples.push(readSample(r));
    else r.skip(key & 7);
  }
  // A series of an unwanted metric already returned at its __name__ label.
  if (!('__name__' in labels)) throw new BadPayload('remote-write: a series has no __name__ label');
  return out;
}
