import fc from 'fast-check';

/**
 * Byte-level mutations of a valid body, the kind a flaky proxy, a buggy client or an attacker
 * produces. Each is a pure function of its parameters, so fast-check can shrink a failing chain
 * of mutations down to the one that matters.
 */
export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'delete'; at: number; length: number }
  /** A length or key that lies: a varint written over the bytes at `at` (huge, 0 or just past the end). */
  | { kind: 'varint'; at: number; value: number };

/** Varints that lie in the ways that break decoders: 0, off by one, 2^31, 2^32, 4 GiB and 2^53. */
const LYING_VALUES = [0, 1, 127, 128, 0x3fff, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, 2 ** 35, Number.MAX_SAFE_INTEGER];

/** `at` is a fraction of the body's length, so one mutation means the same on any body. */
const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

export const mutationArb: fc.Arbitrary<{ mutation: Mutation['kind']; at: number; rest: number[] }> = fc.record({
  mutation: fc.constantFrom<Mutation['kind']>('flip', 'truncate', 'insert', 'duplicate', 'delete', 'varint'),
  at: position,
  rest: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 12 }),
});

/** One to four mutations applied in order. */
export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 4 });

function varintBytes(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

export function mutate(body: Uint8Array, mutations: ReadonlyArray<{ mutation: Mutation['kind']; at: number; rest: number[] }>): Uint8Array {
  let b = Array.from(body);
  for (const { mutation, at: fraction, rest } of mutations) {
    const at = Math.floor(fraction * (b.length + 1));
    const r0 = rest[0]!;
    switch (mutation) {
      case 'flip':
        if (b.length) b[at % b.length]! ^= 1 << (r0 % 8);
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'insert':
        b.splice(at, 0, ...rest);
        break;
      case 'duplicate':
        b.splice(at, 0, ...b.slice(at, at + 1 + (r0 % 64)));
        break;
      case 'delete':
        b.splice(at, 1 + (r0 % 16));
        break;
      case 'varint': {
        const lie = r0 % 2 ? LYING_VALUES[r0 % LYING_VALUES.length]! : b.length - at + (r0 % 5) - 2;
        const bytes = varintBytes(Math.max(0, lie));
        b.splice(at, bytes.length, ...bytes);
        break;
      }
    }
  }
  return Uint8Array.from(b);
}
