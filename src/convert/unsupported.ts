import type { Slo } from '../model/slo.js';
import { covers, modelDiff } from './model-diff.js';

/** One feature a target cannot hold: the model fields it changes, and the sentence users read. */
export interface Loss {
  slo: string;
  fields: string[];
  message: string;
}

/** Collects losses while a writer works; `lose` words them all the same way. */
export class Losses {
  readonly items: Loss[] = [];

  lose(slo: Pick<Slo, 'id'>, fields: string[], feature: string, why: string): void {
    this.items.push({ slo: slo.id, fields, message: `${slo.id}: ${feature}: ${why}` });
  }

  /**
   * The safety net: every field that reads back differently and no loss explains is reported
   * too, so `unsupported` never misses a change, whatever the input format held.
   */
  verify(originals: readonly Slo[], reread: ReadonlyMap<string, Slo>, target: string, problems: readonly string[] = []): void {
    for (const slo of originals) {
      const back = reread.get(slo.id);
      if (!back) {
        this.lose(slo, ['(all)'], 'the SLO', `the ${target} output does not read back as this SLO${problems.length ? `: ${problems.join('; ')}` : ''}`);
        continue;
      }
      const explained = this.items.filter((l) => l.slo === slo.id).flatMap((l) => l.fields);
      const left = modelDiff(slo, back).filter((p) => !explained.some((f) => covers(f, p)));
      if (left.length) {
        this.lose(slo, left, left.join(', '), `the ${target} format cannot hold ${left.length === 1 ? 'this value' : 'these values'} exactly; they read back differently`);
      }
    }
  }

  get messages(): string[] {
    return this.items.map((l) => l.message);
  }
}
