/** Prometheus's alert lifecycle: pending until `for` has passed, firing, then inactive (resolved). */
export type AlertStateName = 'pending' | 'firing' | 'inactive';

export interface ActiveAlert {
  key: string;
  /** Id of the SLO the alert belongs to. */
  slo: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: AlertStateName;
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  value: number;
}

/** Resolved alerts stay known this long, so that their resolution is re-sent like Prometheus does. */
const KEEP_RESOLVED = 15 * 60_000;

/** Where an alert's annotations come from: its templates, expanded for a value only when read. */
export interface AnnotationSource {
  annotationsAt(value: number): Record<string, string>;
}

export interface Condition {
  key: string;
  slo: string;
  labels: Record<string, string>;
  /** The annotations this condition's alert has at `value` (see LiveAlert). */
  source: AnnotationSource;
  value: number;
  forMs: number;
}

/**
 * An alert the engine steps. Its annotations are expanded from its templates at its current
 * value only when something reads them (the API, /metrics, the store, the notifier): most
 * firing alerts' burn rates move at every evaluation, and expanding every alert's templates
 * each time cost more than the rest of the evaluation. Read, `annotations` is the same record
 * an eager expansion at the evaluation would have made (a new object once the value changed), and
 * it is an own enumerable property where an eager one was, so JSON and copies are unchanged.
 */
class LiveAlert implements ActiveAlert {
  declare key: string;
  declare slo: string;
  declare labels: Record<string, string>;
  declare annotations: Record<string, string>;
  declare state: AlertStateName;
  declare activeAt: number;
  declare value: number;
  declare firedAt?: number;
  declare resolvedAt?: number;
  #source: AnnotationSource | undefined;
  #fixed: Record<string, string> = {};
  /** The last `stepAlerts` call that had a condition for this alert (see there); private, so never in its JSON. */
  #steppedIn = 0;

  /** One getter for every alert, so that all alerts keep one shape. */
  static readonly #annotations: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: LiveAlert) {
      return this.#source ? this.#source.annotationsAt(this.value) : this.#fixed;
    },
    set(this: LiveAlert, fixed: Record<string, string>) {
      this.#source = undefined;
      this.#fixed = fixed;
    },
  };

  /** `from`'s fields in the order an alert always had them (JSON is compared with the store's). */
  constructor(from: Omit<ActiveAlert, 'annotations'>, source: AnnotationSource) {
    this.key = from.key;
    this.slo = from.slo;
    this.labels = from.labels;
    Object.defineProperty(this, 'annotations', LiveAlert.#annotations);
    this.#source = source;
    this.state = from.state;
    this.activeAt = from.activeAt;
    this.value = from.value;
    if (from.firedAt !== undefined) this.firedAt = from.firedAt;
    if (from.resolvedAt !== undefined) this.resolvedAt = from.resolvedAt;
  }

  follow(source: AnnotationSource): void {
    this.#source = source;
  }

  markStepped(call: number): void {
    this.#steppedIn = call;
  }

  static steppedIn(a: ActiveAlert, call: number): boolean {
    return a instanceof LiveAlert && a.#steppedIn === call;
  }
}

/**
 * Numbers `stepAlerts` calls: an alert marked with the current call's number had a condition in
 * it. A mark on the alert, rather than a set of the keys seen, which at every evaluation was
 * built anew with every firing alert's key (thousands of them with 10,000 SLOs).
 */
let stepCalls = 0;

/**
 * Moves every alert one evaluation forward. Keys of alerts whose lifecycle changed (created,
 * pending to firing, resolved, other labels) go into `changed` (when given), so that the caller
 * stores only those; dropped alerts are simply gone from `alerts`. A new value alone is not a
 * change worth storing: like Prometheus, which restores only when an alert became active, the
 * engine recomputes value and annotations at its first evaluation after a restart, and writing
 * every firing alert each time its burn rate moves cost more than the whole evaluation.
 */
export function stepAlerts(alerts: Map<string, ActiveAlert>, conditions: readonly Condition[], now: number, changed?: Set<string>): void {
  const call = ++stepCalls;
  for (const c of conditions) {
    let a = alerts.get(c.key);
    if (!a || a.state === 'inactive') {
      a = new LiveAlert({ key: c.key, slo: c.slo, labels: c.labels, state: 'pending', activeAt: now, value: c.value }, c.source);
      alerts.set(c.key, a);
      changed?.add(c.key);
    } else {
      if (a.labels !== c.labels) changed?.add(c.key);
      // Restored from the store as plain JSON: from now on its annotations follow its templates too.
      if (!(a instanceof LiveAlert)) alerts.set(c.key, (a = new LiveAlert(a, c.source)));
      else a.follow(c.source);
    }
    // Every alert with a condition is a LiveAlert by now (made or converted above).
    (a as LiveAlert).markStepped(call);
    a.value = c.value;
    a.labels = c.labels;
    if (a.state === 'pending' && now - a.activeAt >= c.forMs) {
      a.state = 'firing';
      a.firedAt = now;
      changed?.add(c.key);
    }
  }
  // forEach rather than for-of over entries, which made a [key, alert] pair per alert.
  alerts.forEach((a, key) => {
    if (LiveAlert.steppedIn(a, call)) return;
    if (a.state === 'pending') alerts.delete(key);
    else if (a.state === 'firing') {
      a.state = 'inactive';
      a.resolvedAt = now;
      changed?.add(key);
    } else if (a.resolvedAt !== undefined && now - a.resolvedAt > KEEP_RESOLVED) alerts.delete(key);
  });
}
