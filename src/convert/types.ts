import type { Slo } from '../model/slo.js';

/** What a writer produced: YAML text, plus every feature of the input it could not express. */
export interface ConvertOutput {
  yaml: string;
  /** One sentence per lost feature, naming the SLO, the feature and why the target format cannot hold it. */
  unsupported: string[];
}

/**
 * `all`: every SLO of the run, when `slos` is only the part going to one of several output files
 * (names that must be unique across files are chosen from all of them).
 */
export type SloWriter = (slos: readonly Slo[], all?: readonly Slo[]) => ConvertOutput;
