import { BadPayload } from './errors.js';
import { setLabel } from './label-set.js';
import { scanMetricName } from './metric-name.js';
import { Reader } from './protobuf.js';
import { DEFAULT_LIMITS, readSample } from './sample.js';
import { cachedLabels, remember, slotOf, useLimits } from './series-cache.js';
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
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const r = new Reader(body, 0, body.length, view);
  useLimits(limits.maxLabelsPerSeries, limits.maxLabelLength);
  // Scratch readers for the series that take the cached path and their samples.
  const seriesReader = new Reader(body, 0, 0, view);
  const sampleReader = new Reader(body, 0, 0, view);
  const series: DecodedSeries[] = [];
  let skipped = 0;
  let samples = 0;
  let seen = 0;
  while (!r.done) {
    const key = r.key();
    if (key >>> 3 !== 1 || (key & 7) !== 2) {
      r.skip(key & 7);
      continue;
    }
    if (++seen > limits.maxSeries) throw new BadPayload(`remote-write: more than ${limits.maxSeries} series in one request (the engine's --max-series-per-request); send smaller batches (queue_config.max_samples_per_send)`, 413);
    const start = r.field();
    const end = r.pos;
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
    // Past the name check (or with no filter) the labels decode the same whoever asks, so a
    // series sent before takes its labels from the cache and only its samples are read.
    const labelsEnd = keep ? -1 : labelSectionEnd(body, start, end);
    const slot = labelsEnd < 0 ? -1 : slotOf(body, view, start, labelsEnd);
    const cached = slot < 0 ? undefined : cachedLabels(slot, view, start, labelsEnd);
    const s = (cached && decodeSamples(seriesReader.over(labelsEnd, end), sampleReader, cached)) || decodeSeries(r.sub(start, end), limits, keep);
    if (s && !cached && slot >= 0 && labelCount === sectionCount) remember(slot, body, start, labelsEnd, s.labels);
    if (s) {
      series.push(s);
      samples += s.samples.length;
    } else skipped++;
  }
  return { series, skipped, samples };
}

/** Label fields in the section `labelSectionEnd` found last, and labels `decodeSeries` decoded last. */
let sectionCount = 0;
let labelCount = 0;

/**
 * Where the leading label fields (tag 0x0a, as every encoder writes them) of a series end; -1 when
 * a length is malformed or runs past the series, which the full decoder then reports.
 */
function labelSectionEnd(buf: Uint8Array, start: number, end: number): number {
  let pos = start;
  let count = 0;
  while (pos < end && buf[pos] === 0x0a) {
    let n = 0;
    let p = pos + 1;
    for (let shift = 0; ; shift += 7) {
      if (p >= end || shift > 21) return -1;
      const b = buf[p++]!;
      n |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    pos = p + n;
    if (pos > end) return -1;
    count++;
  }
  sectionCount = count;
  return pos;
}

/**
 * The rest of a series whose label section was decoded before: its samples, every other field
 * skipped as `decodeSeries` skips it. Undefined when a label follows the section (the cached
 * labels would not be all of them): the caller decodes the series in full.
 */
function decodeSamples(r: Reader, scratch: Reader, labels: Readonly<Record<string, string>>): DecodedSeries | undefined {
  const out: DecodedSeries = { labels: labels as Record<string, string>, samples: [] };
  while (!r.done) {
    const key = r.key();
    const field = key >>> 3;
    if (field === 1 && (key & 7) === 2) return undefined;
    if (field === 2 && (key & 7) === 2) out.samples.push(readSample(r, scratch));
    else r.skip(key & 7);
  }
  return out;
}

function decodeSeries(r: Reader, limits: typeof DEFAULT_LIMITS, keep?: (name: string) => boolean): DecodedSeries | undefined {
  const labels: Record<string, string> = {};
  const out: DecodedSeries = { labels, samples: [] };
  let count = 0;
  labelCount = 0;
  while (!r.done) {
    const key = r.key();
    const field = key >>> 3;
    if (field === 1 && (key & 7) === 2) {
      labelCount = count + 1;
      if (++count > limits.maxLabelsPerSeries) throw new BadPayload(`remote-write: a series has more than ${limits.maxLabelsPerSeries} labels (the engine's --max-labels-per-series); drop labels with relabelling`);
      const [s, e] = r.bytes();
      const l = r.sub(s, e);
      let name = '';
      let value = '';
      while (!l.done) {
        const k = l.key();
        if (k === 0x0a) name = l.string();
        else if (k === 0x12) value = l.string();
        else l.skip(k & 7);
      }
      if (name.length > limits.maxLabelLength || value.length > limits.maxLabelLength) {
        throw new BadPayload(`remote-write: label ${name.slice(0, 64)} is longer than ${limits.maxLabelLength} characters (the engine's --max-label-length)`);
      }
      if (name === '__name__' && keep && !keep(value)) return undefined;
      setLabel(labels, name, value);
    } else if (field === 2 && (key & 7) === 2) out.samples.push(readSample(r));
    else r.skip(key & 7);
  }
  // A series of an unwanted metric already returned at its __name__ label.
  if (!('__name__' in labels)) throw new BadPayload('remote-write: a series has no __name__ label');
  return out;
}
