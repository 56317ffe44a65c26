import { BadPayload } from './errors.js';
import { setLabel } from './label-set.js';
import { Reader } from './protobuf.js';
import { DEFAULT_LIMITS, readSample } from './sample.js';
import type { DecodedSeries, DecodeOptions, DecodeResult } from './series.js';

/** What a v2 receiver must report back in the `X-Prometheus-Remote-Write-*-Written` headers. */
export interface DecodeResultV2 extends DecodeResult {
  histograms: number;
  exemplars: number;
  /** Samples of series no SLI selects: accepted and dropped on purpose, so they count as written. */
  skippedSamples: number;
}

const DEFAULTS = { ...DEFAULT_LIMITS, maxSymbols: 1_000_000 };

/**
 * `io.prometheus.write.v2.Request`: field 4 the symbol table (`symbols[0]` must be ""), field 5
 * repeated TimeSeries { 1 labels_refs (name, value index pairs), 2 samples, 3 histograms,
 * 4 exemplars, 5 metadata }. Native histograms are counted (for the Written headers) but not
 * decoded: no SLI kind reads them from the wire yet.
 */
export function decodeWriteRequestV2(body: Uint8Array, opts: DecodeOptions = {}): DecodeResultV2 {
  const limits = { ...DEFAULTS, ...opts };
  // Symbols may follow the series in the byte stream: read them first, keep series bounds.
  const symbols: string[] = [];
  const seriesBounds: Array<[number, number]> = [];
  const r = new Reader(body);
  while (!r.done) {
    const key = r.key();
    if (key === 0x22) {
      if (symbols.length >= limits.maxSymbols) throw new BadPayload(`remote-write 2.0: more than ${limits.maxSymbols} symbols`, 413);
      const s = r.string();
      if (s.length > limits.maxLabelLength) throw new BadPayload(`remote-write 2.0: a symbol is longer than ${limits.maxLabelLength} characters (the engine's --max-label-length)`);
      symbols.push(s);
    } else if (key === 0x2a) {
      if (seriesBounds.length >= limits.maxSeries) throw new BadPayload(`remote-write 2.0: more than ${limits.maxSeries} series in one request (the engine's --max-series-per-request); send smaller batches`, 413);
      seriesBounds.push(r.bytes());
    } else r.skip(key & 7);
  }
  if (seriesBounds.length && symbols[0] !== '') throw new BadPayload('remote-write 2.0: symbols[0] must be the empty string');
  const out: DecodeResultV2 = { series: [], skipped: 0, samples: 0, histograms: 0, exemplars: 0, skippedSamples: 0 };
  for (const [s, e] of seriesBounds) {
    const series = decodeSeries(r.sub(s, e), symbols, limits, opts.keep, out);
    if (series) {
      out.series.push(series);
      out.samples += series.samples.length;
    } else out.skipped++;
  }
  return out;
}

function decodeSeries(
  r: Reader,
  symbols: string[],
  limits: typeof DEFAULTS,
  keep: ((name: string) => boolean) | undefined,
  counts: DecodeResultV2,
): DecodedSeries | undefined {
  const refs: number[] = [];
  const samples: DecodedSeries['samples'] = [];
  let histograms = 0;
  let exemplars = 0;
  while (!r.done) {
    const key = r.key();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1 && wire === 2) {
      const [s, e] = r.bytes();
      const packed = r.sub(s, e);
      while (!packed.done) refs.push(packed.varint());
    } else if (field === 1 && wire === 0) refs.push(r.varint());
    else if (field === 2 && wire === 2) samples.push(readSample(r));
    else if (field === 3 && wire === 2) {
      r.bytes();
      histograms++;
    } else if (field === 4 && wire === 2) {
      r.bytes();
      exemplars++;
    } else r.skip(wire);
  }
  if (refs.length % 2) throw new BadPayload('remote-write 2.0: labels_refs must hold name/value pairs (an even count)');
  if (refs.length / 2 > limits.maxLabelsPerSeries) throw new BadPayload(`remote-write 2.0: a series has more than ${limits.maxLabelsPerSeries} labels (the engine's --max-labels-per-series); drop labels with relabelling`);
  // The refs are checked and the name found first: a series no SLI selects (most of them) never
  // builds its labels object. The checks and their order are those of building it.
  let metric: string | undefined;
  for (let i = 0; i < refs.length; i += 2) {
    const name = symbols[refs[i]!];
    const value = symbols[refs[i + 1]!];
    if (name === undefined || value === undefined) throw new BadPayload(`remote-write 2.0: a label refers to symbol ${Math.max(refs[i]!, refs[i + 1]!)}, past the ${symbols.length} symbols sent`);
    if (name === '__name__') metric = value;
  }
  if (metric === undefined) throw new BadPayload('remote-write 2.0: a series has no __name__ label');
  if (samples.length && histograms) throw new BadPayload(`remote-write 2.0: series ${metric} carries both samples and histograms; send them as two series`);
  // Histograms and exemplars count as written whether or not an SLI reads them.
  counts.histograms += histograms;
  counts.exemplars += exemplars;
  if (keep && !keep(metric)) {
    counts.skippedSamples += samples.length;
    return undefined;
  }
  const labels: Record<string, string> = {};
  for (let i = 0; i < refs.length; i += 2) setLabel(labels, symbols[refs[i]!]!, symbols[refs[i + 1]!]!);
  return { labels, samples };
}
