import type { Slo } from '../model/slo.js';
import type { DocContext } from './context.js';

type Raw = Record<string, any>;

export function isPyrra(v: unknown): boolean {
  return (v as Raw | null)?.apiVersion === 'pyrra.dev/v1alpha1';
}

export function readPyrra(ctx: DocContext): Slo[] {
  ctx.error(['apiVersion'], 'Pyrra is not read yet');
  return [];
}
