import { durationText } from './durations.js';
import type { Slo } from '../model/slo.js';
import { NATIVE_API_VERSION } from '../spec/native.js';
import { nativeAlerting } from './native-alerting.js';
import { maintenanceDocs } from './native-maintenance.js';
import { nativeSli } from './native-sli.js';
import { rereadNative } from './reread.js';
import type { ConvertOutput, SloWriter } from './types.js';
import { Losses } from './unsupported.js';
import { yamlDocs } from './yaml-docs.js';

type Raw = Record<string, unknown>;

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function byId(a: Slo, b: Slo): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function nativeDoc(slo: Slo, losses: Losses): Raw {
  for (const [what, value] of [['service', slo.service], ['name', slo.name]] as const) {
    if (!NAME.test(value)) losses.lose(slo, [what, 'id'], what, `${JSON.stringify(value)} is not a valid native name (letters, digits, "-", "_", ".")`);
  }
  if (slo.alerting.runbookUrl && !/^https?:\/\//.test(slo.alerting.runbookUrl)) {
    losses.lose(slo, ['alerting.runbookUrl'], 'runbook URL', 'native runbook URLs must start with http:// or https://');
  }
  const ns = slo.source.k8sNamespace;
  const metadata: Raw = { name: slo.name, ...(ns ? { namespace: ns } : {}), ...(Object.keys(slo.labels).length ? { labels: slo.labels } : {}) };
  const spec: Raw = {
    service: slo.service,
    ...(slo.description ? { description: slo.description } : {}),
    objective: Number(slo.objectivePercent),
    ...(slo.calendar ? { calendar: { unit: slo.calendar.unit, timeZone: slo.calendar.timeZone } } : { window: durationText(slo.window) }),
    ...(slo.alerting.runbookUrl ? { runbookUrl: slo.alerting.runbookUrl } : {}),
    sli: nativeSli(slo, losses),
    alerting: nativeAlerting(slo, losses),
  };
  if (slo.convention !== 'native') {
    losses.lose(slo, ['convention'], 'identity labels',
      `native specs generate slo_id/slo_service/slo_name labels and severity, not Sloth's sloth_id/sloth_service/sloth_slo and sloth_severity; dashboards and alert routes keyed on them must change`);
  }
  return { apiVersion: NATIVE_API_VERSION, kind: 'SLO', metadata, spec };
}

/** Native `slo.caas.dev/v1` documents, one per SLO, in id order. */
export const toNative: SloWriter = (slos): ConvertOutput => {
  const losses = new Losses();
  const sorted = [...slos].sort(byId);
  const docs = sorted.map((slo) => ({ comment: `from ${slo.source.file} (${slo.source.format})`, value: nativeDoc(slo, losses) }));
  const maintenance = maintenanceDocs(sorted).map((value) => ({ comment: 'planned maintenance of the SLOs above', value }));
  const yaml = yamlDocs('Converted by slo-engine (slo convert --to native).', [...docs, ...maintenance]);
  const back = rereadNative(yaml);
  losses.verify(sorted, back.slos, 'native', back.problems);
  return { yaml, unsupported: losses.messages };
};
