import type { FaultSet } from './faults.js';

export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** One exporter of one cluster: it moves its counters one step and reports its current series. */
export interface Exporter {
  step(seconds: number, faults: FaultSet): void;
  collect(out: Sample[]): void;
}

