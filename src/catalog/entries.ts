/**
 * The catalog's data: one entry per core addon, with what changes per addon release in `forms` (inclusive
 * minor ranges; `main` counts as the newest). Adding an addon is adding an entry; a release that changes an
 * addon's form is a new `forms` row.
 *
 * Sources (canonical/microk8s-core-addons, branches 1.28 … 1.35 and main): each addon's enable/disable scripts
 * and manifests (the `namespaces` of observability, minio, mayastor, rook-ceph and nvidia are the ones their
 * addons/NAME/enable or disable name: `NAMESPACE=…`, `--namespace=…`, `create namespace`); docs/addon-catalog.md
 * says per release what changed.
 */
import type { CatalogEntry, Download, Form } from './types.js'

const namespaceObject = (ns: string) => [`Namespace ${ns}`]

/**
 * nvidia (and `gpu`, its alias from 1.29): the enable's options (--gpu-operator-*, --network-operator-*) live only
 * in the Helm release's values, so a cycle enables it with the defaults; from 1.33 its disable also deletes the
 * ClusterPolicy, NVIDIADriver and network-operator CRDs, and every object of them (addons/nvidia/disable).
 */
const NVIDIA_OPTIONS =
  'its enable options (--gpu-operator-*, --network-operator-*) cannot be read back: it would come back with the defaults'
const NVIDIA: Omit<CatalogEntry, 'name'> = {
  rank: 'other',
  needs: ['dns', 'helm3'],
  policy: 'opt-in',
  reason: `${NVIDIA_OPTIONS} (name it in cycle-also to cycle it anyway)`,
  deployment: { kind: 'manifests' },
  workloads: [],
  namespaces: ['gpu-operator-resources', 'nvidia-network-operator'],
  disableDeletes: ['Helm release gpu-operator-resources/gpu-operator']
}
const NVIDIA_CRDS_FORM: Form = {
  from: 33,
  reason:
    `${NVIDIA_OPTIONS}, and its disable deletes the ClusterPolicy, NVIDIADriver and network-operator CRDs and every ` +
    'object of them (name it in cycle-also to cycle it anyway)',
  disableDeletes: [
    'CustomResourceDefinition clusterpolicies.nvidia.com',
    'CustomResourceDefinition nvidiadrivers.nvidia.com',
    'CustomResourceDefinition *.mellanox.com'
  ]
}

/** A chart repository the 1.33+ enables name in their `REPO="…"` line (its address is read from the script). */
const HELM_REPO = (what: string): Download => ({ what, find: '^REPO="([^"]+)"' })
const GATEWAY_API_MANIFEST: Download = {
  what: 'the Gateway API CRDs (standard-install.yaml of a gateway-api release)',
  find: 'apply -f "([^"]*gateway-api[^"]*standard-install\\.yaml)"'
}

export const ENTRIES: readonly CatalogEntry[] = [
  {
    name: 'kube-ovn',
    rank: 'cni',
    needs: ['ha-cluster'],
    policy: 'never',
    reason: 'its enable removes Calico and its disable does not restore it: the node would be left without a CNI',
    deployment: { kind: 'manifests' },
    workloads: [{ namespace: 'kube-system', kind: 'deployment', name: 'kube-ovn-controller' }]
  },
  {
    name: 'dns',
    rank: 'dns',
    needs: [],
    policy: 'cycle',
    deployment: { kind: 'manifests' },
    workloads: [{ namespace: 'kube-system', kind: 'deployment', name: 'coredns' }],
    // Also its Deployment, Service kube-dns and RBAC, and it removes the kubelet's --cluster-dns and
    // --cluster-domain (addons/dns/disable, the same on every branch): the enable sets them again from its arguments.
    disableDeletes: ['ConfigMap kube-system/coredns', 'Service kube-system/kube-dns'],
    arguments: 'dns',
    // From 1.33 the enable takes the cluster domain as its third argument (addons/dns/enable).
    forms: [{ from: 33, arguments: 'dns-domain' }]
  },
  {
    name: 'ingress',
    rank: 'ingress',
    needs: [],
    policy: 'cycle',
    deployment: { kind: 'manifests' },
    workloads: [{ namespace: 'ingress', kind: 'daemonset', name: 'nginx-ingress-microk8s-controller' }],
    disableDeletes: [
      ...namespaceObject('ingress'),
      'ConfigMap ingress/nginx-load-balancer-microk8s-conf',
      'ConfigMap ingress/nginx-ingress-tcp-microk8s-conf',
      'ConfigMap ingress/nginx-ingress-udp-microk8s-conf',
      'IngressClass public',
      'IngressClass nginx'
    ],
    arguments: 'ingress-nginx',
    forms: [
      {
        // 1.35: Traefik from its Helm chart, as a DaemonSet in `ingress`; IngressClasses `public` and `nginx`
        // kept for existing Ingresses; the default certificate is a TLSStore (addons/ingress/tlsstore.tmpl.yaml).
        from: 35,
        deployment: { kind: 'helm', namespace: 'ingress', release: 'traefik' },
        workloads: [{ namespace: 'ingress', kind: 'daemonset', name: 'traefik' }],
        disableDeletes: [
          ...namespaceObject('ingress'),
          'IngressClass public',
          'IngressClass nginx',
          'IngressClass traefik',
          'CustomResourceDefinition *.traefik.io',
          'CustomResourceDefinition *.gateway.networking.k8s.io'
        ],
        arguments: 'ingress-traefik',
        // `helm repo add traefik "$REPO"`, then `kubectl apply -f` Gateway API's standard-install.yaml from its release.
        downloads: [HELM_REPO('the Traefik Helm chart repository'), GATEWAY_API_MANIFEST]
      }
    ]
  },
  {
    name: 'hostpath-storage',
    rank: 'storage',
    needs: [],
    policy: 'cycle',
    // "Remove PVC storage at …/default-storage ? (Y/N):" — `N` keeps every volume.
    disableInput: 'N\n',
    disableKeepsDataExit: { code: 1, marker: 'Storage removed.' },
    deployment: { kind: 'manifests' },
    workloads: [{ namespace: 'kube-system', kind: 'deployment', name: 'hostpath-provisioner' }],
    disableDeletes: ['StorageClass microk8s-hostpath'],
    arguments: 'hostpath-storage',
    // `--default-class` arrived in 1.29.
    forms: [{ to: 28, arguments: 'hostpath-storage-1.28' }]
  },
  {
    name: 'storage',
    rank: 'storage',
    needs: [],
    policy: 'cycle',
    aliasOf: 'hostpath-storage',
    deployment: { kind: 'manifests' },
    workloads: []
  },
  {
    name: 'metrics-server',
    rank: 'other',
    needs: [],
    policy: 'cycle',
    deployment: { kind: 'manifests' },
    workloads: [{ namespace: 'kube-system', kind: 'deployment', name: 'metrics-server' }]
  },
  {
    name: 'dashboard',
    rank: 'other',
    needs: ['metrics-server'],
    policy: 'cycle',
    deployment: { kind: 'manifests' },
    workloads: [
      { namespace: 'kube-system', kind: 'deployment', name: 'kubernetes-dashboard' },
      { namespace: 'kube-system', kind: 'deployment', name: 'dashboard-metrics-scraper' }
    ],
    forms: [
      {
        // 1.33: the kubernetes-dashboard Helm chart (7.x) in its own namespace.
        from: 33,
        to: 35,
        needs: ['metrics-server', 'helm3'],
        deployment: { kind: 'helm', namespace: 'kubernetes-dashboard', release: 'kubernetes-dashboard' },
        workloads: [
          { namespace: 'kubernetes-dashboard', kind: 'deployment', name: 'kubernetes-dashboard-api' },
          { namespace: 'kubernetes-dashboard', kind: 'deployment', name: 'kubernetes-dashboard-web' }
        ],
        disableDeletes: namespaceObject('kubernetes-dashboard'),
        downloads: [HELM_REPO('the dashboard Helm chart repository')]
      },
      // main (1.36) has no dashboard addon.
      { from: 36, available: false }
    ]
  },
  {
    name: 'metallb',
    rank: 'other',
    needs: [],
    policy: 'cycle',
    deployment: { kind: 'manifests' },
    workloads: [
      { namespace: 'metallb-system', kind: 'deployment', name: 'controller' },
      { namespace: 'metallb-system', kind: 'daemonset', name: 'speaker' }
    ],
    disableDeletes: [...namespaceObject('metallb-system'), 'CustomResourceDefinition *.metallb.io'],
    arguments: 'metallb',
    // IPv6 ranges from 1.31 (core-addons #282); 1.28–1.30 check each range against IPv4 patterns only.
    forms: [{ to: 30, arguments: 'metallb-ipv4' }]
  },
  {
    name: 'registry',
    rank: 'other',
    needs: ['hostpath-storage'],
    policy: 'never',
    reason: 'its disable deletes namespace container-registry and PVC registry-claim, with every pushed image',
    deployment: { kind: 'manifests' },
    workloads: [{ namespace: 'container-registry', kind: 'deployment', name: 'registry' }],
    disableDeletes: [
      ...namespaceObject('container-registry'),
      'PersistentVolumeClaim container-registry/registry-claim'
    ]
  },
  {
    name: 'cert-manager',
    rank: 'other',
    needs: ['dns'],
    policy: 'never',
    reason: 'its disable deletes the cert-manager CRDs and with them every Certificate, Issuer and ClusterIssuer',
    deployment: { kind: 'manifests' },
    workloads: [{ namespace: 'cert-manager', kind: 'deployment', name: 'cert-manager' }],
    disableDeletes: ['CustomResourceDefinition *.cert-manager.io'],
    forms: [
      {
        from: 33,
        needs: ['dns', 'helm3'],
        deployment: { kind: 'helm', namespace: 'cert-manager', release: 'cert-manager' },
        downloads: [HELM_REPO('the cert-manager Helm chart repository')]
      }
    ]
  },
  {
    name: 'observability',
    rank: 'other',
    needs: ['dns', 'helm3', 'hostpath-storage'],
    policy: 'never',
    reason: 'its disable uninstalls the Prometheus, Loki and Tempo releases and deletes their volumes',
    deployment: { kind: 'manifests' },
    workloads: [],
    namespaces: ['observability']
  },
  {
    name: 'prometheus',
    rank: 'other',
    needs: ['observability'],
    policy: 'never',
    reason: 'an alias of observability, whose disable deletes its data',
    deployment: { kind: 'manifests' },
    workloads: [],
    namespaces: ['observability']
  },
  {
    name: 'minio',
    rank: 'other',
    needs: ['dns', 'helm3', 'hostpath-storage'],
    policy: 'never',
    reason: 'its disable deletes the tenant and its volumes (canonical/microk8s#5135)',
    deployment: { kind: 'manifests' },
    workloads: [],
    namespaces: ['minio-operator']
  },
  {
    name: 'mayastor',
    rank: 'other',
    needs: ['dns', 'helm3'],
    policy: 'never',
    reason: 'its disable removes every DiskPool and the data on it',
    deployment: { kind: 'manifests' },
    workloads: [],
    namespaces: ['mayastor']
  },
  {
    name: 'rook-ceph',
    rank: 'other',
    needs: [],
    policy: 'never',
    reason: 'its disable deletes the CephClusters and their data',
    deployment: { kind: 'manifests' },
    workloads: [],
    namespaces: ['rook-ceph']
  },
  {
    name: 'ha-cluster',
    rank: 'other',
    needs: [],
    policy: 'never',
    reason: 'enabled on every install; its disable resets the datastore (the cluster is wiped)',
    deployment: { kind: 'manifests' },
    workloads: []
  },
  {
    name: 'community',
    rank: 'other',
    needs: [],
    policy: 'never',
    reason: 'its disable removes the community repository, and every community addon with it',
    deployment: { kind: 'manifests' },
    workloads: []
  },
  ...['helm', 'helm3'].map((name): CatalogEntry => ({
    name,
    rank: 'other',
    needs: [],
    policy: 'no-op',
    reason: 'the helm binary bundled in the snap; it changes with the snap and Helm releases are cluster data',
    deployment: { kind: 'manifests' },
    workloads: []
  })),
  {
    name: 'rbac',
    rank: 'other',
    needs: [],
    policy: 'no-op',
    reason: 'only API server flags; its disable deletes the bootstrap roles and restarts the API server',
    deployment: { kind: 'manifests' },
    workloads: []
  },
  {
    name: 'host-access',
    rank: 'other',
    needs: [],
    policy: 'no-op',
    reason: 'host network configuration; no workload to upgrade',
    deployment: { kind: 'manifests' },
    workloads: []
  },
  {
    name: 'cis-hardening',
    rank: 'other',
    needs: ['rbac'],
    policy: 'no-op',
    reason: 'service arguments and file permissions; no workload to upgrade',
    deployment: { kind: 'manifests' },
    workloads: []
  },
  {
    name: 'nvidia',
    ...NVIDIA,
    // 1.28 has only `gpu`; `nvidia` arrived in 1.29.
    forms: [{ to: 28, available: false }, NVIDIA_CRDS_FORM]
  },
  {
    name: 'gpu',
    ...NVIDIA,
    aliasOf: 'nvidia',
    forms: [{ to: 28, aliasOf: undefined }, NVIDIA_CRDS_FORM]
  }
]
