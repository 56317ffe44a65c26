import type { Slo } from '../model/slo.js';

/** What a writer produced: YAML text, plus every feature of the input it could not express. */
export interface ConvertOutput {
  yaml: string;
  /** One sentence per lost feature, naming the SLO, the feature and why the target format cannot hold it. */
  unsupported: string[];
}

export type SloWriter = (slos: readonly Slo[]) => ConvertOutput;
