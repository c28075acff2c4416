// What the simulated core addon repositories hold per branch: image tags, addons.yaml labels and descriptions,
// and which addons a branch has. Images and names: docs/microk8s-behaviour.md §4; labels §3.1.
// The `1.36` track bundles what `main` holds (no 1.36 branch yet): unknown branches read as `main`.

/** The addon branches the simulator knows, oldest first; `main` is the newest (1.36). */
export const BRANCHES = ['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main']

/** `1.30` → 30; `main` and `1.36` → 36. */
export function branchMinor(branch) {
  return branch === 'main' ? 36 : Number(branch.split('.')[1])
}

/** The addon branch a tracking channel's snap bundles (`latest` tracks are built from `main`). */
export function branchOf(tracking) {
  const track = tracking.split('/')[0]
  return track === 'latest' ? 'main' : track.replace(/-strict$/, '')
}

/** The branch whose contents a track's snap bundles (`1.36` and `latest` bundle `main`). */
export function contentBranch(branch) {
  return BRANCHES.includes(branch) ? branch : 'main'
}

const OLD = ['1.28', '1.29', '1.30', '1.31', '1.32']
export const pick = (branch, table) => {
  for (const [branches, value] of table) if (branches.includes(branch)) return value
  return table[table.length - 1][1]
}

export const IMAGES = {
  coredns: (b) =>
    `coredns/coredns:${pick(b, [
      [OLD, '1.10.1'],
      [['1.33'], '1.12.1'],
      [['1.34'], '1.12.3'],
      [['1.35'], '1.13.1'],
      [['main'], '1.14.3']
    ])}`,
  ingress: (b) =>
    `registry.k8s.io/ingress-nginx/controller:${pick(b, [
      [['1.28', '1.29', '1.30', '1.31'], 'v1.11.5'],
      [['1.32', '1.33', '1.34', '1.35', 'main'], 'v1.13.8']
    ])}`,
  hostpath: (b) =>
    `cdkbot/hostpath-provisioner:${pick(b, [
      [['1.28'], '1.4.2'],
      [['1.29', '1.30', '1.31', '1.32', '1.33'], '1.5.0'],
      [['1.34', '1.35', 'main'], '1.6.0']
    ])}`,
  metricsServer: (b) =>
    `registry.k8s.io/metrics-server/metrics-server:${pick(b, [
      [OLD, 'v0.6.3'],
      [['1.33'], 'v0.7.2'],
      [['1.34', '1.35'], 'v0.8.0'],
      [['main'], 'v0.8.1']
    ])}`,
  metallb: (b, c) =>
    `quay.io/metallb/${c}:${pick(b, [
      [OLD, 'v0.13.3'],
      [['1.33'], 'v0.14.9'],
      [['1.34', '1.35'], 'v0.15.2'],
      [['main'], 'v0.15.3']
    ])}`,
  registry: (b) =>
    `registry:${pick(b, [
      [OLD, '2.8.1'],
      [['1.33', '1.34', '1.35', 'main'], '2.8.3']
    ])}`,
  calico: (m) => (m >= 33 ? 'v3.29.3' : m === 32 ? 'v3.28.1' : 'v3.25.1')
}

/** addons.yaml `version` labels per branch (microk8s-behaviour.md §3.1) — what `status` prints, often stale. */
const LABELS = {
  dns: (b) =>
    pick(b, [
      [OLD, '1.10.1'],
      [['1.33'], '1.12.1'],
      [['1.34'], '1.12.3'],
      [['1.35', 'main'], '1.13.1']
    ]),
  ingress: (b) =>
    pick(b, [
      [OLD, '1.8.0'],
      [['1.33'], '1.12.1'],
      [['1.34'], '1.13.1'],
      [['1.35', 'main'], '3.6.2']
    ]),
  'hostpath-storage': (b) =>
    pick(b, [
      [[...OLD, '1.33'], '1.4.2'],
      [['1.34', '1.35', 'main'], '1.5.0']
    ]),
  storage: (b) =>
    pick(b, [
      [[...OLD, '1.33'], '1.4.0'],
      [['1.34', '1.35', 'main'], '1.5.0']
    ]),
  'metrics-server': (b) =>
    pick(b, [
      [OLD, '0.6.3'],
      [['1.33'], '0.7.2'],
      [['1.34', '1.35', 'main'], '0.8.0']
    ]),
  dashboard: (b) =>
    pick(b, [
      [OLD, '2.6.0'],
      [['1.33'], '7.11.1'],
      [['1.34'], '7.13.0'],
      [['1.35'], '7.14.0']
    ]),
  metallb: (b) =>
    pick(b, [
      [OLD, '0.13.3'],
      [['1.33'], '0.14.9'],
      [['1.34', '1.35', 'main'], '0.15.2']
    ]),
  registry: (b) =>
    pick(b, [
      [OLD, '2.8.1'],
      [['1.33', '1.34', '1.35', 'main'], '2.8.3']
    ]),
  helm: (b) =>
    pick(b, [
      [[...OLD, '1.33'], '3.9.1'],
      [['1.34', '1.35', 'main'], '3.18.6']
    ]),
  helm3: (b) =>
    pick(b, [
      [[...OLD, '1.33'], '3.9.1'],
      [['1.34', '1.35', 'main'], '3.18.6']
    ]),
  'ha-cluster': () => '0.1.0',
  'cert-manager': (b) =>
    pick(b, [
      [OLD, '1.8.0'],
      [['1.33'], '1.17.1'],
      [['1.34'], '1.18.2'],
      [['1.35', 'main'], '1.19.1']
    ]),
  rbac: () => '',
  community: () => '',
  'host-access': () => '1.0.0',
  'cis-hardening': () => '1.0.0',
  'kube-ovn': () => '1.10.0-alpha1',
  mayastor: () => '2.0.0-microk8s-1',
  minio: () => '4.5.1',
  observability: () => '0.57.0',
  prometheus: () => 'v0.8.0',
  'rook-ceph': () => '1.11.9',
  gpu: () => '22.9.1',
  nvidia: () => 'gpu=22.9.1/network=23.7.0/microk8s-1'
}

export const DESCRIPTIONS = {
  'cert-manager': 'Cloud native certificate management',
  'cis-hardening': 'Apply CIS K8s hardening',
  community: 'The community addons repository',
  dashboard: 'The Kubernetes dashboard',
  dns: 'CoreDNS',
  gpu: 'Alias to nvidia add-on',
  'ha-cluster': 'Configure high availability on the current node',
  helm: 'Helm - the package manager for Kubernetes',
  helm3: 'Helm 3 - the package manager for Kubernetes',
  'host-access': 'Allow Pods connecting to Host services smoothly',
  'hostpath-storage': 'Storage class; allocates storage from host directory',
  ingress: 'Ingress controller for external access',
  'kube-ovn': 'An advanced network fabric for Kubernetes',
  mayastor: 'OpenEBS MayaStor',
  metallb: 'Loadbalancer for your Kubernetes cluster',
  'metrics-server': 'K8s Metrics Server for API access to service metrics',
  minio: 'MinIO object storage',
  nvidia: 'NVIDIA hardware (GPU and network) support',
  observability: 'A lightweight observability stack for logs, traces and metrics',
  prometheus: 'Prometheus operator for monitoring and logging',
  rbac: 'Role-Based Access Control for authorisation',
  registry: 'Private image registry exposed on localhost:32000',
  'rook-ceph': 'Distributed Ceph storage using Rook',
  storage: 'Alias to hostpath-storage add-on, deprecated'
}

/** The core addons a branch has: nvidia from 1.29, no dashboard on main (1.36). */
export function coreAddonNames(branch) {
  return Object.keys(DESCRIPTIONS).filter(
    (n) => !(n === 'nvidia' && branch === '1.28') && !(n === 'dashboard' && branchMinor(branch) >= 36)
  )
}

export function labelOf(name, branch) {
  return LABELS[name] ? LABELS[name](branch) : ''
}
