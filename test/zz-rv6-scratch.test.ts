import { test } from 'vitest';
import { recurringOccurrences } from '../src/model/maintenance.js';
test('scan', () => {
  const zones = Intl.supportedValuesOf('timeZone');
  const from = Date.UTC(2010, 0, 1), to = Date.UTC(2027, 0, 1);
  let bad = 0;
  for (const z of zones) {
    const occ = recurringOccurrences({ weekdays: [], monthDays: [], startMinute: 0, duration: 3600_000 }, z, from, to);
    const days = Math.round((to - from) / 86400000);
    if (Math.abs(occ.length - days) > 2) { console.log(z, occ.length, days); bad++; }
    for (let i = 1; i < occ.length; i++) if (occ[i]!.start <= occ[i-1]!.start) { console.log('order', z, new Date(occ[i]!.start)); bad++; break; }
  }
  console.log('zones', zones.length, 'bad', bad);
  // Feb 31 + weekday
  const t0 = Date.now();
  const o = recurringOccurrences({ weekdays: [7], monthDays: [31], startMinute: 0, duration: 3600_000 }, 'UTC', Date.UTC(2025,1,1), Date.UTC(2025,2,1));
  console.log('feb31', o.length, Date.now() - t0);
}, 600_000);
