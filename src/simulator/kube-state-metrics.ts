import type { FaultSet } from './faults.js';
import type { Cluster, Deployment } from './inventory.js';
import { shuffled, streamFor } from './random.js';
import type { Exporter, Sample } from './types.js';

type Labels = Readonly<Record<string, string>>;

const STATUSES = ['true', 'false', 'unknown'] as const;

/**
 * kube-state-metrics of one cluster (`job="kube-state-metrics"`): kube_pod_info per pod, and per
 * deployment kube_deployment_spec_replicas and kube_deployment_status_condition. As KSM does, a
 * condition has one series per status (true/false/unknown) carrying the condition's reason, with
 * 1 on the current status and 0 on the others.
 *
 * Stuck deployments are the first round(share x tenant deployments) of a seeded order of the
 * tenant deployments, so a larger share sticks a superset of the same deployments. The order is
 * the same in every cluster (a bad release gets stuck everywhere it rolls out): the deployment
 * SLO's `max by (namespace, deployment)` merges a deployment's clusters, and independent choices
 * per cluster would stick more namespace/deployment pairs than the share says.
 */
export function kubeStateMetrics(seed: number, cluster: Cluster): Exporter {
  const ksmPod = cluster.pods.find((p) => p.createdByName.startsWith('kube-state-metrics'));
  const base = { cluster: cluster.name, job: 'kube-state-metrics', instance: `${ksmPod?.ip ?? `10.${cluster.octet}.0.3`}:8080` };
  const podInfo: Labels[] = cluster.pods.map((p) => ({
    ...base,
    namespace: p.namespace,
    pod: p.name,
    uid: p.uid,
    host_ip: p.node.ip,
    pod_ip: p.ip,
    node: p.node.name,
    created_by_kind: p.createdByKind,
    created_by_name: p.createdByName,
    ...(p.priorityClass ? { priority_class: p.priorityClass } : {}),
    host_network: 'false',
  }));
  const deployments = cluster.deployments.map((d) => new DeploymentSeries(d, base));
  const tenant = deployments.filter((d) => d.deployment.tenant);
  const order = shuffled(streamFor(seed, 'ksm/stuck-order'), tenant.map((d) => `${d.deployment.namespace}/${d.deployment.name}`));
  const stuckOrder = order.map((key) => tenant.find((d) => `${d.deployment.namespace}/${d.deployment.name}` === key)!);
  let stuck = new Set<DeploymentSeries>();
  return {
    step(_seconds: number, f: FaultSet) {
      stuck = new Set(stuckOrder.slice(0, Math.round(f.stuckDeployments * stuckOrder.length)));
    },
    collect(out: Sample[]) {
      for (const labels of podInfo) out.push({ name: 'kube_pod_info', labels, value: 1 });
      for (const d of deployments) d.collect(out, stuck.has(d));
    },
  };
}

class DeploymentSeries {
  private readonly replicas: Labels;
  private readonly available: Labels[];
  private readonly progressing: Labels[];
  private readonly stuck: Labels[];

  constructor(
    readonly deployment: Deployment,
    base: Labels,
  ) {
    const own = { ...base, namespace: deployment.namespace, deployment: deployment.name };
    const condition = (condition: string, reason: string) => STATUSES.map((status) => ({ ...own, condition, status, reason }));
    this.replicas = own;
    this.available = condition('Available', 'MinimumReplicasAvailable');
    this.progressing = condition('Progressing', 'NewReplicaSetAvailable');
    this.stuck = condition('Progressing', 'ProgressDeadlineExceeded');
  }

  collect(out: Sample[], stuck: boolean): void {
    out.push({ name: 'kube_deployment_spec_replicas', labels: this.replicas, value: this.deployment.replicas });
    // A stuck rollout keeps the old ReplicaSet serving: still Available, no longer Progressing.
    this.available.forEach((labels, i) => out.push({ name: 'kube_deployment_status_condition', labels, value: i === 0 ? 1 : 0 }));
    const progressing = stuck ? this.stuck : this.progressing;
    const current = stuck ? 1 : 0;
    progressing.forEach((labels, i) => out.push({ name: 'kube_deployment_status_condition', labels, value: i === current ? 1 : 0 }));
  }
}
