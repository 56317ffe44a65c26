import { hex, shuffled, streamFor, type Random } from './random.js';

/**
 * The static shape of one simulated cluster: nodes, namespaces, deployments and their pods. It
 * never changes while the platform runs (an evicted pod is replaced under the same name), so
 * gauges such as kube_pod_info stay put and only the fault knobs move the SLIs.
 */
export interface Node {
  name: string;
  ip: string;
  instanceType: string;
  cpuCores: number;
  memoryGiB: number;
  /** OpenCost prices: dollars per vCPU-hour and per GiB-hour. */
  cpuHourly: number;
  ramHourly: number;
}

export interface Deployment {
  namespace: string;
  name: string;
  replicas: number;
  /** Tenant workloads (shop-*, team-*) are the ones the deployment SLO watches. */
  tenant: boolean;
}

export interface Pod {
  namespace: string;
  name: string;
  uid: string;
  ip: string;
  node: Node;
  container: string;
  createdByKind: 'ReplicaSet' | 'DaemonSet';
  createdByName: string;
  priorityClass: string;
  /** OpenCost allocation: max(request, usage), here the request. */
  cpuCores: number;
  memoryBytes: number;
}

export interface Cluster {
  name: string;
  /** Second octet of every address in the cluster, so addresses differ between clusters. */
  octet: number;
  region: string;
  nodes: Node[];
  deployments: Deployment[];
  pods: Pod[];
}

type Workload = [name: string, replicas: number, cpuCores: number, memoryMiB: number];

const WORKLOADS: Record<string, Workload[]> = {
  'shop-web': [['frontend', 6, 0.5, 512], ['cart', 4, 0.25, 256], ['checkout', 4, 0.5, 512]],
  'shop-api': [['catalog-api', 6, 0.5, 1024], ['orders-api', 4, 0.5, 512], ['payments-api', 3, 0.25, 256], ['search-api', 4, 1, 2048]],
  'team-a': [['ingest', 8, 0.5, 1024], ['worker', 24, 0.25, 512], ['scheduler', 1, 0.1, 128], ['reports', 2, 0.5, 1024], ['notifier', 2, 0.1, 128]],
  'team-b': [['ml-serving', 4, 2, 4096], ['feature-store', 3, 1, 2048], ['batch-runner', 6, 0.5, 1024], ['dashboards', 2, 0.25, 512]],
  'kube-system': [['coredns', 2, 0.1, 70], ['metrics-server', 1, 0.1, 200], ['cluster-autoscaler', 1, 0.1, 300], ['ebs-csi-controller', 2, 0.1, 128]],
  monitoring: [['prometheus', 2, 1, 4096], ['kube-state-metrics', 1, 0.1, 128], ['opencost', 1, 0.1, 256], ['grafana', 1, 0.25, 256]],
};

/** One pod of each per node, in kube-system. */
const DAEMONSETS: Workload[] = [['kube-proxy', 1, 0.1, 128], ['aws-node', 1, 0.05, 64], ['node-exporter', 1, 0.05, 64]];

/** On-demand prices split into CPU and RAM the way OpenCost does. */
const NODE_TYPES = [
  { instanceType: 'm5.4xlarge', cpuCores: 16, memoryGiB: 64, cpuHourly: 0.031611, ramHourly: 0.004237 },
  { instanceType: 'r5.4xlarge', cpuCores: 16, memoryGiB: 128, cpuHourly: 0.031611, ramHourly: 0.003358 },
];
const NODES_PER_CLUSTER = 4;
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];

/** Kubernetes' alphabet for generated name suffixes (no vowels, no look-alike digits). */
const K8S_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export const MIB = 1024 * 1024;

/**
 * Pod startups per cluster per second (rollouts, jobs, autoscaling); the scheduler places as many
 * and the apiserver creates as many. Ten a minute keeps a 10% slow share visible in 5m windows.
 */
export const POD_STARTS_PER_SECOND = 10 / 60;

export function isTenantNamespace(namespace: string): boolean {
  return /^(shop|team)-/.test(namespace);
}

export function buildCluster(seed: number, name: string, index: number): Cluster {
  const rng = streamFor(seed, `inventory/${name}`);
  const octet = 16 + index;
  const nodes: Node[] = Array.from({ length: NODES_PER_CLUSTER }, (_, i) => ({
    name: `${name}-node-${i + 1}`,
    ip: `10.${octet}.0.${11 + i}`,
    ...NODE_TYPES[i % NODE_TYPES.length]!,
  }));
  const deployments: Deployment[] = [];
  const pods: Pod[] = [];
  let podIp = 0;
  const place = shuffledNodes(rng, nodes);
  const addPod = (namespace: string, w: Workload, podName: string, node: Node, kind: Pod['createdByKind'], owner: string) => {
    podIp++;
    pods.push({
      namespace,
      name: podName,
      uid: uuid(rng),
      ip: `10.${octet}.${1 + Math.floor(podIp / 250)}.${1 + (podIp % 250)}`,
      node,
      container: w[0],
      createdByKind: kind,
      createdByName: owner,
      priorityClass: namespace === 'kube-system' ? 'system-cluster-critical' : '',
      cpuCores: w[2],
      memoryBytes: w[3] * MIB,
    });
  };
  for (const [namespace, workloads] of Object.entries(WORKLOADS)) {
    for (const w of workloads) {
      const [deployment, replicas] = w;
      deployments.push({ namespace, name: deployment, replicas, tenant: isTenantNamespace(namespace) });
      const replicaSet = `${deployment}-${suffix(rng, 10)}`;
      for (let r = 0; r < replicas; r++) addPod(namespace, w, `${replicaSet}-${suffix(rng, 5)}`, place(), 'ReplicaSet', replicaSet);
    }
  }
  for (const w of DAEMONSETS) {
    for (const node of nodes) addPod('kube-system', w, `${w[0]}-${suffix(rng, 5)}`, node, 'DaemonSet', w[0]);
  }
  return { name, octet, region: REGIONS[index % REGIONS.length]!, nodes, deployments, pods };
}

/** Round robin over the nodes in a seeded order, so pods spread evenly but not by name. */
function shuffledNodes(rng: Random, nodes: Node[]): () => Node {
  const order = shuffled(rng, nodes);
  let i = 0;
  return () => order[i++ % order.length]!;
}

function suffix(rng: Random, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += K8S_ALPHABET[Math.floor(rng() * K8S_ALPHABET.length)];
  return s;
}

function uuid(rng: Random): string {
  const h = hex(rng, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[Math.floor(rng() * 4)]}${h.slice(17, 20)}-${h.slice(20)}`;
}

/** Dollars per hour a pod costs at its node's list prices. */
export function podHourlyCost(pod: Pod): number {
  return pod.cpuCores * pod.node.cpuHourly + (pod.memoryBytes / (1024 * MIB)) * pod.node.ramHourly;
}
