import { test } from 'vitest';
import { recurringOccurrences, parseLocalInstant } from '../src/model/maintenance.js';
test('scan', () => {
  const f = (z: string, y: number, m: number, d: number, min: number) => recurringOccurrences({ weekdays: [], monthDays: [], startMinute: min, duration: 3600_000 }, z, Date.UTC(y, m, d - 1), Date.UTC(y, m, d + 2)).map((o) => new Date(o.start).toISOString());
  console.log('berlin spring 02:30', f('Europe/Berlin', 2025, 2, 30, 150));
  console.log('berlin autumn 02:30', f('Europe/Berlin', 2025, 9, 26, 150));
  console.log('santiago midnight', f('America/Santiago', 2025, 8, 7, 0));
  console.log('lord howe 02:15', f('Australia/Lord_Howe', 2025, 9, 5, 135));
  console.log(new Date(parseLocalInstant('2025-03-30T02:30', 'Europe/Berlin')!).toISOString(), new Date(parseLocalInstant('2025-10-26T02:30', 'Europe/Berlin')!).toISOString());
});
