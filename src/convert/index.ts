import { toNative } from './to-native.js';
import { toOpenSlo } from './to-openslo.js';
import { toSloth } from './to-sloth.js';
import type { SloWriter } from './types.js';

export type { ConvertOutput, SloWriter } from './types.js';

export const TARGETS = ['native', 'openslo', 'sloth'] as const;
export type Target = (typeof TARGETS)[number];

const WRITERS: Record<Target, SloWriter> = { native: toNative, openslo: toOpenSlo, sloth: toSloth };

export function writerFor(target: Target): SloWriter {
  return WRITERS[target];
}
