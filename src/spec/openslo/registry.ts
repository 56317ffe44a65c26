import { show } from '../errors.js';
import { error, warn, where, type Kind, type Loc, type OsloObject } from './objects.js';

/** Top-level objects of the loaded set by kind and name; inline objects are scoped to their parent and not listed. */
export class Registry {
  private readonly byKind = new Map<Kind, Map<string, OsloObject>>();

  /** False when the name is taken (reported). */
  add(obj: OsloObject): boolean {
    let names = this.byKind.get(obj.kind);
    if (!names) this.byKind.set(obj.kind, (names = new Map()));
    const first = names.get(obj.name);
    if (first) {
      error({ ctx: obj.loc.ctx, at: ['metadata', 'name'] }, `duplicate ${obj.kind} ${show(obj.name)}: already defined at ${where({ ctx: first.loc.ctx, at: ['metadata', 'name'] })}`,
        `give each ${obj.kind} its own metadata.name`);
      return false;
    }
    names.set(obj.name, obj);
    return true;
  }

  names(kind: Kind): string[] {
    return [...(this.byKind.get(kind)?.keys() ?? [])].sort();
  }

  /** The object a reference names; an unknown name is reported with the names that exist. */
  resolve(kind: Kind, name: string, ref: Loc, severity: 'error' | 'warning' = 'error'): OsloObject | undefined {
    const found = this.byKind.get(kind)?.get(name);
    // An invalid object has its own errors already.
    if (found) return found.invalid ? undefined : found;
    const known = this.names(kind);
    const message = `no ${kind} named ${show(name)}${known.length ? `; known: ${known.join(', ')}` : `: the loaded files define no ${kind}`}`;
    const hint = `define it in a document with kind: ${kind} and metadata.name: ${name}, load the file that does, or fix the name`;
    (severity === 'error' ? error : warn)(ref, message, hint);
    return undefined;
  }
}
