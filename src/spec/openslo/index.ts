import type { Slo } from '../../model/slo.js';
import type { DocContext } from '../context.js';

type Raw = Record<string, any>;

/** Any OpenSLO v1 document (SLO, SLI, Service, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget). */
export function isOpenSloV1(v: unknown): boolean {
  return (v as Raw | null)?.apiVersion === 'openslo/v1';
}

/** Every OpenSLO v1 document of the loaded set at once, so references resolve across files. */
export function readOpenSloV1(docs: DocContext[]): Slo[] {
  for (const ctx of docs) ctx.error(['apiVersion'], 'openslo/v1 is not read yet');
  return [];
}
