import { describe, expect, it } from 'vitest';
import { BucketRing, WIDTH, type WindowSum } from '../src/engine/ring.js';
import { mulberry32 } from '../src/simulator/random.js';

const RES = 5 * 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A 30d ring, as an SLO with a 30d window gets. */
const SIZE = (30 * DAY) / RES + 2;
const T0 = Date.UTC(2026, 2, 1);

const goodKind = (t: number, n: number) => Math.max(t - n, 0);
const badKind = (_t: number, n: number) => Math.max(n, 0);

/** The straightforward sum: every bucket the ring holds with end in (to - span, to], oldest first. */
function reference(ring: BucketRing, to: number, span: number, badOf: (t: number, n: number) => number): WindowSum {
  const out = { total: 0, bad: 0, samples: 0 };
  const n = Math.min(Math.round(span / RES), ring.size);
  for (const b of ring.entries()) {
    if (b.end > to || b.end <= to - n * RES) continue;
    out.total += b.total;
    out.bad += badOf(b.total, b.num);
    out.samples += b.samples;
  }
  return out;
}

function close(actual: number, expected: number, what: string): void {
  // Exact zeros stay exact zeros: a window without bad events must not show 1e-13 of them.
  if (expected === 0) expect(actual, what).toBe(0);
  else expect(Math.abs(actual - expected) / Math.abs(expected), `${what}: ${actual} against ${expected}`).toBeLessThanOrEqual(1e-12);
}

function expectSums(ring: BucketRing, to: number, spans: number[], badOf: (t: number, n: number) => number, exact = false): void {
  const many = ring.sums(to, spans, badOf);
  spans.forEach((span, k) => {
    const want = reference(ring, to, span, badOf);
    for (const got of [many[k]!, ring.sum(to, span, badOf)]) {
      if (exact) expect(got).toEqual(want);
      else {
        close(got.total, want.total, `total of ${span / RES} buckets to ${to}`);
        close(got.bad, want.bad, `bad of ${span / RES} buckets to ${to}`);
        expect(got.samples).toBe(want.samples);
      }
    }
  });
}

/** Windows of the default tiers at 30d, a calendar period's span, and spans longer than the ring. */
function spansAt(to: number, rand: () => number): number[] {
  const periodStart = Date.UTC(2026, 2, 1) - HOUR; // a local midnight, not a UTC one
  const period = Math.max(0, Math.floor(to / RES) * RES - periodStart);
  return [RES, 30 * 60_000, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY, 30 * DAY, period, Math.ceil(rand() * SIZE * 1.2) * RES, 40 * DAY];
}

function fill(ring: BucketRing, from: number, to: number, rand: () => number, value: () => [number, number]): void {
  for (let end = from; end <= to; end += RES) {
    if (rand() < 0.05) continue; // a gap: no sample in that bucket
    const [total, num] = value();
    ring.add(end, total, num, 1 + Math.floor(rand() * 10));
  }
}

describe('window sums from hour and day blocks', () => {
  it('agree with the bucket-by-bucket sum over random data, at every kind of window edge', () => {
    const rand = mulberry32(7);
    const ring = new BucketRing(RES, SIZE);
    const newest = T0 + 30 * DAY;
    fill(ring, T0, newest, rand, () => {
      const total = rand() * 1000;
      return [total, rand() < 0.3 ? total : total * rand()];
    });
    // Edges on and off hour and day boundaries, at and beyond the newest bucket, near the oldest.
    const edges = [newest, newest - RES, newest - HOUR, newest - DAY, newest - 7 * RES, newest + 2 * HOUR, T0 + 5 * RES, T0 + 3 * DAY + 11 * RES];
    for (let k = 0; k < 20; k++) edges.push(T0 + Math.floor(rand() * (SIZE + 40)) * RES);
    for (const to of edges) {
      expectSums(ring, to, spansAt(to, rand), goodKind);
      expectSums(ring, to, spansAt(to, rand).reverse(), goodKind);
    }
  });

  it('keep integer counts bit-exact and windows without bad events at exactly zero', () => {
    const rand = mulberry32(11);
    const ring = new BucketRing(RES, SIZE);
    const newest = T0 + 30 * DAY;
    // Only the first day has bad events; later windows must read exactly 0, not a residue.
    let end = T0;
    fill(ring, T0, newest, rand, () => {
      end += RES;
      return [Math.floor(rand() * 5000), end < T0 + DAY ? Math.floor(rand() * 50) : 0];
    });
    for (const to of [newest, newest - 13 * RES, newest - 5 * DAY]) {
      expectSums(ring, to, spansAt(to, rand), badKind, true);
      expect(ring.sums(to, [6 * HOUR, 3 * DAY], badKind).map((s) => s.bad)).toEqual([0, 0]);
    }
  });

  it('see late samples, replaced buckets and buckets evicted by the ring wrapping', () => {
    const rand = mulberry32(23);
    const ring = new BucketRing(RES, SIZE);
    let newest = T0 + 30 * DAY;
    const value = (): [number, number] => {
      const total = rand() * 100;
      return [total, total * rand()];
    };
    fill(ring, T0, newest, rand, value);
    expectSums(ring, newest, spansAt(newest, rand), goodKind);
    for (let round = 0; round < 30; round++) {
      const r = rand();
      if (r < 0.4) {
        // Late data into a bucket a block already summed (or into a gap).
        const end = newest - Math.floor(rand() * (SIZE - 2)) * RES;
        ring.add(end, rand() * 100, rand() * 10, 1);
      } else if (r < 0.6) {
        // A bucket read again from a query API, replacing what was there, zeros included.
        const end = newest - Math.floor(rand() * (SIZE - 2)) * RES;
        ring.set(end, rand() < 0.5 ? 0 : rand() * 100, 0, 1);
      } else {
        // The stream moves on: new buckets evict the oldest ones the blocks had summed.
        const steps = 1 + Math.floor(rand() * 40);
        fill(ring, newest + RES, newest + steps * RES, rand, value);
        newest += steps * RES;
      }
      for (const to of [newest, newest - RES, newest - Math.floor(rand() * SIZE) * RES]) expectSums(ring, to, spansAt(to, rand), goodKind);
    }
  });

  it('follow the edge as it moves one bucket at a time across hour and day edges, with late data into cached runs', () => {
    const rand = mulberry32(31);
    const ring = new BucketRing(RES, SIZE);
    let newest = T0 + 30 * DAY - 3 * HOUR - 5 * RES;
    fill(ring, T0, newest, rand, () => [Math.floor(rand() * 1000), Math.floor(rand() * 20)]);
    // Every step a new bucket (evicting the oldest), so the runs of whole hours and days move along.
    const spans = [RES, 30 * 60_000, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY, 30 * DAY];
    for (let step = 0; step < 60; step++) {
      newest += RES;
      ring.add(newest, Math.floor(rand() * 1000), Math.floor(rand() * 20), 1);
      // Now and then late data lands inside a run some window has cached.
      if (step % 7 === 3) ring.add(newest - Math.floor(rand() * (SIZE - 2)) * RES, 5, 1, 1);
      if (step % 5 === 0) expectSums(ring, newest, spans, badKind, true);
      else ring.sums(newest, spans, badKind);
    }
  });

  it('see late samples in the partial hours at both ends of each window, and evictions just behind its tail', () => {
    const rand = mulberry32(47);
    const ring = new BucketRing(RES, SIZE);
    let newest = T0 + 30 * DAY - HOUR;
    fill(ring, T0, newest, rand, () => [Math.floor(rand() * 1000), Math.floor(rand() * 20)]);
    const spans = [RES, HOUR, 6 * HOUR, DAY, 30 * DAY];
    for (let step = 0; step < 30; step++) {
      newest += RES;
      ring.add(newest, Math.floor(rand() * 1000), Math.floor(rand() * 20), 1);
      ring.sums(newest, spans, badKind);
      // Just inside a window's oldest bucket, or just past the edge of the shorter window before it.
      const span = spans[1 + (step % 4)]!;
      const late = step % 2 === 0 ? newest - span + RES * (1 + Math.floor(rand() * 11)) : newest - spans[step % 4]! - RES * Math.floor(rand() * 11);
      ring.add(late, 7, 3, 1);
      expectSums(ring, newest, spans, badKind, true);
    }
  });

  it('follow the stream writing into the newest bucket and the next one between reads at the same edge', () => {
    const rand = mulberry32(53);
    const ring = new BucketRing(RES, SIZE);
    let newest = T0 + 30 * DAY - 2 * HOUR;
    fill(ring, T0, newest, rand, () => [Math.floor(rand() * 1000), Math.floor(rand() * 20)]);
    const spans = [RES, 30 * 60_000, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY, 30 * DAY];
    for (let step = 0; step < 40; step++) {
      newest += RES;
      ring.add(newest, Math.floor(rand() * 1000), Math.floor(rand() * 20), 1);
      ring.sums(newest, spans, badKind);
      // More samples for the bucket just read (the head of every window's newest hour), then the
      // first ones of the bucket after it, which no window ending at `newest` holds.
      ring.add(newest, 3, 1, 1);
      expectSums(ring, newest, spans, badKind, true);
      ring.add(newest + RES, 5, 2, 1);
      expectSums(ring, newest, spans, badKind, true);
      expectSums(ring, newest + RES, spans, badKind, true);
      newest += RES;
    }
  });

  it('keep a growing calendar period and windows longer than the ring exact while the edge crosses hours and a day', () => {
    const rand = mulberry32(59);
    const ring = new BucketRing(RES, SIZE);
    let newest = T0 + 30 * DAY - 2 * HOUR;
    fill(ring, T0, newest, rand, () => [Math.floor(rand() * 1000), Math.floor(rand() * 20)]);
    // The period started at a local midnight, not at a UTC hour or day edge: its tail is mid-hour.
    const periodStart = T0 + 20 * DAY - 7 * RES;
    for (let step = 0; step < 300; step++) {
      newest += RES;
      ring.add(newest, Math.floor(rand() * 1000), Math.floor(rand() * 20), 1);
      const spans = [RES, 30 * 60_000, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY, 30 * DAY, newest - periodStart, 40 * DAY];
      if (step % 3 === 0) expectSums(ring, newest, spans, badKind, true);
      else ring.sums(newest, spans, badKind);
    }
  });

  it('drop every sum computed when told the arrays were written directly', () => {
    const ring = new BucketRing(RES, SIZE);
    const newest = T0 + 3 * DAY;
    for (let end = T0; end <= newest; end += RES) ring.add(end, 10, 1, 1);
    expect(ring.sum(newest, 3 * DAY, badKind).bad).toBe(864);
    // A bulk load writes the arrays without add or set, then says so.
    for (let at = 2; at < ring.data.length; at += WIDTH) ring.data[at] = 2; // every bucket's num
    ring.invalidate();
    expectSums(ring, newest, [HOUR, DAY, 3 * DAY], badKind, true);
    expect(ring.sum(newest, 3 * DAY, badKind).bad).toBe(2 * 864);
  });
});
