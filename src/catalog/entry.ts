import type { Sli } from '../model/slo.js';
import type { Params } from './params.js';

/** A platform SLI the user references by name; it knows the real metric names and their pitfalls. */
export interface CatalogEntry {
  name: string;
  summary: string;
  /** Parameters with their defaults, for the README and for "unknown parameter" hints. */
  params: Record<string, string>;
  build(p: Params): { sli: Sli; description: string };
}
