import type { Slo } from '../model/slo.js';
import type { DocContext } from './context.js';
import { NATIVE_API_VERSION } from './native.js';

type Raw = Record<string, any>;

/** A native `kind: Maintenance` document: planned maintenance for a service or some of its SLOs. */
export function isMaintenance(v: unknown): boolean {
  return (v as Raw | null)?.apiVersion === NATIVE_API_VERSION && (v as Raw).kind === 'Maintenance';
}

/** Reads every Maintenance document and attaches its windows to the SLOs it names. */
export function applyMaintenance(docs: DocContext[], slos: Slo[]): void {
  void slos;
  for (const ctx of docs) ctx.error(['kind'], 'Maintenance is not read yet');
}
