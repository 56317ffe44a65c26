import type { Slo } from '../model/slo.js';
import { annotationTemplates, literalTemplateValues } from './go-template.js';
import { ruleGroupsFor } from './rule-groups.js';
import type { Rule, RuleGroup, RenderOptions } from './types.js';
import { GENERATED_HEADER, sorted, toYaml } from './yaml-out.js';

function ruleObject(r: Rule, sort: (m: Record<string, string>) => Record<string, string>): Record<string, unknown> {
  if ('record' in r) return { record: r.record, expr: r.expr, labels: sort(r.labels) };
  // Alerting rules' labels are templates to Prometheus, and ours are data (the engine never expands them).
  return { alert: r.alert, expr: r.expr, ...(r.for ? { for: r.for } : {}), labels: literalTemplateValues(sort(r.labels)), annotations: annotationTemplates(sort(r.annotations)) };
}

export function groupObjects(groups: RuleGroup[]): Array<Record<string, unknown>> {
  // Rules of one window share their label object: sort it once for all of them.
  const done = new Map<Record<string, string>, Record<string, string>>();
  const sort = (m: Record<string, string>) => {
    let s = done.get(m);
    if (!s) done.set(m, (s = sorted(m)));
    return s;
  };
  return groups.map((g) => ({ name: g.name, ...(g.interval ? { interval: g.interval } : {}), rules: g.rules.map((r) => ruleObject(r, sort)) }));
}

/** A plain Prometheus rule file for one SLO, as `rule_files:` loads it. */
export function ruleFile(slo: Slo, opts: RenderOptions, version: string): string {
  return GENERATED_HEADER + toYaml({ groups: groupObjects(ruleGroupsFor(slo, opts, version)) });
}

/** The same groups as a prometheus-operator PrometheusRule manifest. */
export function prometheusRuleManifest(slo: Slo, opts: RenderOptions, version: string): string {
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: `slo-${slo.id}`.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 253),
      ...(slo.source.k8sNamespace ? { namespace: slo.source.k8sNamespace } : {}),
      labels: sorted({ ...slo.source.k8sLabels, 'app.kubernetes.io/component': 'SLO', 'app.kubernetes.io/managed-by': 'slo-engine' }),
    },
    spec: { groups: groupObjects(ruleGroupsFor(slo, opts, version)) },
  };
  return GENERATED_HEADER + toYaml(manifest);
}
