import type { FaultSet } from './faults.js';
import type { Cluster } from './inventory.js';
import { hex, streamFor } from './random.js';
import type { Exporter, Sample } from './types.js';

type Labels = Readonly<Record<string, string>>;

/**
 * OpenCost of one cluster (`job="opencost"`): node prices (node_cpu_hourly_cost per vCPU-hour,
 * node_ram_hourly_cost per GiB-hour, node_total_hourly_cost) and per-container allocations
 * (container_cpu_allocation in cores, container_memory_allocation_bytes). costPerRequestFactor
 * multiplies the prices, which scales every namespace's cost, and so its cost per request, by it.
 */
export function opencost(seed: number, cluster: Cluster): Exporter {
  const rng = streamFor(seed, `opencost/${cluster.name}`);
  const ocPod = cluster.pods.find((p) => p.createdByName.startsWith('opencost'));
  const base = { cluster: cluster.name, job: 'opencost', instance: `${ocPod?.ip ?? `10.${cluster.octet}.0.4`}:9003` };
  const nodes = cluster.nodes.map((node) => ({
    node,
    labels: {
      ...base,
      node: node.name,
      instance_type: node.instanceType,
      region: cluster.region,
      provider_id: `aws:///${cluster.region}a/i-0${hex(rng, 16)}`,
      arch: 'amd64',
    } as Labels,
  }));
  const containers = cluster.pods.map((pod) => ({
    pod,
    labels: { ...base, namespace: pod.namespace, pod: pod.name, container: pod.container, node: pod.node.name } as Labels,
  }));
  let factor = 1;
  return {
    step(_seconds: number, f: FaultSet) {
      factor = f.costPerRequestFactor;
    },
    collect(out: Sample[]) {
      for (const { node, labels } of nodes) {
        const cpu = node.cpuHourly * factor;
        const ram = node.ramHourly * factor;
        out.push({ name: 'node_cpu_hourly_cost', labels, value: cpu });
        out.push({ name: 'node_ram_hourly_cost', labels, value: ram });
        out.push({ name: 'node_total_hourly_cost', labels, value: cpu * node.cpuCores + ram * node.memoryGiB });
      }
      for (const { pod, labels } of containers) {
        out.push({ name: 'container_cpu_allocation', labels, value: pod.cpuCores });
        out.push({ name: 'container_memory_allocation_bytes', labels, value: pod.memoryBytes });
      }
    },
  };
}
