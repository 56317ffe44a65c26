import { toNative } from './to-native.js';
import { toSloth } from './to-sloth.js';
import type { SloWriter } from './types.js';

export type { ConvertOutput, SloWriter } from './types.js';

export const TARGETS = ['native', 'openslo', 'sloth'] as const;
export type Target = (typeof TARGETS)[number];

/** Module of the OpenSLO writer, written on its own; loaded by name so this module builds without it. */
const OPENSLO_WRITER = './to-openslo.js';

export async function writerFor(target: Target): Promise<SloWriter> {
  if (target === 'native') return toNative;
  if (target === 'sloth') return toSloth;
  const mod = (await import(OPENSLO_WRITER).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ERR_MODULE_NOT_FOUND') return {};
    throw e;
  })) as { toOpenSlo?: SloWriter };
  if (!mod.toOpenSlo) throw new Error('this build has no OpenSLO writer (src/convert/to-openslo.ts); convert to native or sloth');
  return mod.toOpenSlo;
}
