import type { Slo } from '../model/slo.js';
import { burnRateAlerts, guardAlerts } from './alerts.js';
import { metaRecordingRules, sliRecordingRules } from './recording.js';
import { SLI_INTERVAL_TEXT } from './tiles.js';
import type { RenderOptions, RuleGroup } from './types.js';

/** Group names: Sloth's for Sloth input so that existing tooling recognises them. */
function groupNames(slo: Slo) {
  const p = slo.convention === 'sloth' ? 'sloth-slo' : 'slo';
  return { sli: `${p}-sli-recordings-${slo.id}`, meta: `${p}-meta-recordings-${slo.id}`, alerts: `${p}-alerts-${slo.id}` };
}

/**
 * The three rule groups of an SLO. The SLI group is evaluated every minute, a divisor of the
 * base window, so that the base windows tile the longer ones exactly; its aligned copies of the
 * base (tiles.ts) rely on that interval to keep exactly one evaluation per base window.
 */
export function ruleGroupsFor(slo: Slo, opts: RenderOptions, version: string): RuleGroup[] {
  const names = groupNames(slo);
  const groups: RuleGroup[] = [
    { name: names.sli, interval: SLI_INTERVAL_TEXT, rules: sliRecordingRules(slo, opts) },
    { name: names.meta, rules: metaRecordingRules(slo, opts, version) },
  ];
  const alerts = [...burnRateAlerts(slo, opts), ...guardAlerts(slo, opts)];
  if (alerts.length) groups.push({ name: names.alerts, rules: alerts });
  return groups;
}
