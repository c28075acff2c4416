// What each simulated core addon deploys, per addon-repository branch, and how `status` sees it.
// Images and names: docs/microk8s-behaviour.md §4; labels §3.1; check_status §3.1; scripts §3.2–3.5.
import { makeObject } from './objects.mjs'

const OLD = ['1.28', '1.29', '1.30', '1.31', '1.32']
const pick = (branch, table) => {
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
      [['1.35', 'main'], '7.14.0']
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

export function coreAddonNames(branch) {
  return Object.keys(DESCRIPTIONS).filter((n) => !(n === 'nvidia' && branch === '1.28'))
}

export function labelOf(name, branch) {
  return LABELS[name] ? LABELS[name](branch) : ''
}

/** The Corefile template of addons/dns/coredns.yaml (identical on 1.28 … main). */
export function corefile(nameservers) {
  return `.:53 {
    errors
    health {
      lameduck 5s
    }
    ready
    log . {
      class error
    }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . ${nameservers}
    cache 30
    loop
    reload
    loadbalance
}
`
}

const workload = (kind, ns, name, container, image, extra = {}) =>
  makeObject(kind === 'deployment' ? 'Deployment' : kind === 'daemonset' ? 'DaemonSet' : 'StatefulSet', {
    namespace: ns,
    name,
    spec: {
      template: { spec: { containers: [{ name: container, image, ...(extra.args ? { args: extra.args } : {}) }] } }
    }
  })

/**
 * The objects an enable script creates for an addon with the given arguments on a branch. Returns
 * { objects, out: [lines], error?: {code, lines} }.
 */
export function enableManifest(name, branch, args, flags = []) {
  switch (name) {
    case 'dns': {
      let servers = '/etc/resolv.conf'
      const out = ['Enabling DNS']
      if (args && args !== '/etc/resolv.conf') {
        const list = args.split(',').filter(Boolean)
        for (const ns of list) {
          if (!/^[0-9a-fA-F.:]+$/.test(ns))
            return {
              error: { code: 1, lines: [...out, `Your input value (${ns}) is not a valid and reachable IP address`] }
            }
        }
        servers = list.join(' ')
        out.push(`Will use  ${servers} as upstream nameservers`)
      } else {
        out.push('Using host configuration from /run/systemd/resolve/resolv.conf')
      }
      out.push(
        'Applying manifest',
        'serviceaccount/coredns created',
        'configmap/coredns created',
        'deployment.apps/coredns created',
        'service/kube-dns created'
      )
      out.push(
        'clusterrole.rbac.authorization.k8s.io/coredns created',
        'clusterrolebinding.rbac.authorization.k8s.io/coredns created'
      )
      out.push('CoreDNS service deployed with IP address 10.152.183.10', 'Restarting kubelet', 'DNS is enabled')
      return {
        out,
        objects: [
          makeObject('ConfigMap', {
            namespace: 'kube-system',
            name: 'coredns',
            labels: { 'k8s-app': 'kube-dns' },
            data: { Corefile: corefile(servers) }
          }),
          workload('deployment', 'kube-system', 'coredns', 'coredns', IMAGES.coredns(branch)),
          makeObject('Service', { namespace: 'kube-system', name: 'kube-dns' })
        ]
      }
    }
    case 'ingress': {
      const extra = []
      if (args) {
        for (const kv of args.split(',')) {
          const [k, v] = kv.split('=')
          if (k !== 'default-ssl-certificate')
            return { error: { code: 1, lines: ['Enabling Ingress', `Unknown argument '${k}'.`] } }
          extra.push(`--default-ssl-certificate=${v}`)
        }
      }
      return {
        out: [
          'Enabling Ingress',
          'ingressclass.networking.k8s.io/public created',
          'ingressclass.networking.k8s.io/nginx created',
          'namespace/ingress created',
          'daemonset.apps/nginx-ingress-microk8s-controller created',
          'Ingress is enabled'
        ],
        objects: [
          makeObject('Namespace', { name: 'ingress' }),
          makeObject('IngressClass', { name: 'public' }),
          makeObject('IngressClass', { name: 'nginx' }),
          makeObject('ConfigMap', { namespace: 'ingress', name: 'nginx-load-balancer-microk8s-conf', data: {} }),
          makeObject('ConfigMap', { namespace: 'ingress', name: 'nginx-ingress-tcp-microk8s-conf', data: {} }),
          makeObject('ConfigMap', { namespace: 'ingress', name: 'nginx-ingress-udp-microk8s-conf', data: {} }),
          workload(
            'daemonset',
            'ingress',
            'nginx-ingress-microk8s-controller',
            'nginx-ingress-microk8s',
            IMAGES.ingress(branch),
            {
              args: [
                '/nginx-ingress-controller',
                '--configmap=$(POD_NAMESPACE)/nginx-load-balancer-microk8s-conf',
                ...extra
              ]
            }
          )
        ]
      }
    }
    case 'hostpath-storage': {
      // Unix-style options parsed with getopt (core-addons addons/hostpath-storage/enable): --reclaim-policy on
      // every branch, --default-class from 1.29.
      const options = hostpathOptions(branch, flags)
      if (options.error) return { error: { code: 1, lines: options.error } }
      return {
        out: [
          'Infer repository core for addon hostpath-storage',
          'Enabling default storage class.',
          'WARNING: Hostpath storage is not suitable for production environments.',
          'deployment.apps/hostpath-provisioner created',
          'storageclass.storage.k8s.io/microk8s-hostpath created',
          'Storage will be available soon.'
        ],
        objects: [
          workload(
            'deployment',
            'kube-system',
            'hostpath-provisioner',
            'hostpath-provisioner',
            IMAGES.hostpath(branch)
          ),
          makeObject('StorageClass', {
            name: 'microk8s-hostpath',
            annotations:
              branch === '1.28' ? undefined : { 'storageclass.kubernetes.io/is-default-class': options.defaultClass },
            extra: {
              provisioner: 'microk8s.io/hostpath',
              reclaimPolicy: options.reclaimPolicy,
              volumeBindingMode: 'WaitForFirstConsumer'
            }
          })
        ]
      }
    }
    case 'metrics-server':
      return {
        out: ['Enabling Metrics-Server', 'deployment.apps/metrics-server created', 'Metrics-Server is enabled'],
        objects: [
          workload('deployment', 'kube-system', 'metrics-server', 'metrics-server', IMAGES.metricsServer(branch))
        ]
      }
    case 'dashboard':
      return {
        needs: ['metrics-server'],
        out: [
          'Enabling Kubernetes Dashboard',
          'Applying manifest',
          'deployment.apps/kubernetes-dashboard created',
          'deployment.apps/dashboard-metrics-scraper created'
        ],
        objects: [
          workload(
            'deployment',
            'kube-system',
            'kubernetes-dashboard',
            'kubernetes-dashboard',
            'kubernetesui/dashboard:v2.7.0'
          ),
          workload(
            'deployment',
            'kube-system',
            'dashboard-metrics-scraper',
            'dashboard-metrics-scraper',
            'kubernetesui/metrics-scraper:v1.0.8'
          )
        ]
      }
    case 'metallb': {
      if (!args)
        return {
          prompt:
            "Enter each IP address range delimited by comma (e.g. '10.64.140.43-10.64.140.49,192.168.0.105-192.168.0.111'): "
        }
      return {
        out: [
          'Enabling MetalLB',
          `Applying Metallb manifest`,
          'namespace/metallb-system created',
          'MetalLB is enabled'
        ],
        objects: [
          makeObject('Namespace', { name: 'metallb-system' }),
          workload('deployment', 'metallb-system', 'controller', 'controller', IMAGES.metallb(branch, 'controller')),
          workload('daemonset', 'metallb-system', 'speaker', 'speaker', IMAGES.metallb(branch, 'speaker')),
          makeObject('IPAddressPool', {
            namespace: 'metallb-system',
            name: 'default-addresspool',
            apiVersion: 'metallb.io/v1beta1',
            extra: { spec: { addresses: args.split(',') } }
          })
        ]
      }
    }
    case 'registry':
      return {
        needs: ['hostpath-storage'],
        out: [
          'Infer repository core for addon registry',
          'The registry will be created with the size of 20Gi.',
          'namespace/container-registry created',
          'persistentvolumeclaim/registry-claim created',
          'deployment.apps/registry created',
          'The registry is enabled'
        ],
        objects: [
          makeObject('Namespace', { name: 'container-registry' }),
          makeObject('PersistentVolumeClaim', {
            namespace: 'container-registry',
            name: 'registry-claim',
            extra: { spec: { storageClassName: 'microk8s-hostpath' }, status: { phase: 'Bound' } }
          }),
          workload('deployment', 'container-registry', 'registry', 'registry', IMAGES.registry(branch))
        ]
      }
    case 'helm':
    case 'helm3':
      return { out: ['Addon core/helm3 is already enabled'], objects: [] }
    case 'rbac':
      return {
        out: ['Enabling RBAC', 'Reconfiguring apiserver', 'Restarting apiserver', 'RBAC is enabled'],
        objects: [],
        flag: true
      }
    default:
      return { out: [`Enabling ${name}`, `${name} is enabled`], objects: [], flag: true }
  }
}

/** getopt over `--reclaim-policy[=]X`, `-r X`, and (1.29+) `--default-class[=]X`, `-d X`, with the script's checks. */
function hostpathOptions(branch, flags) {
  const long = branch === '1.28' ? ['reclaim-policy'] : ['reclaim-policy', 'default-class']
  const short = { r: 'reclaim-policy', ...(branch === '1.28' ? {} : { d: 'default-class' }) }
  const values = { 'reclaim-policy': 'Delete', 'default-class': 'true' }
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(f) ?? /^-([a-z])$/.exec(f)
    const key = m && (f.startsWith('--') ? m[1] : short[m[1]])
    if (!key || !long.includes(key)) return { error: [`getopt: unrecognized option '${f}'`] }
    values[key] = m[2] ?? flags[++i]
  }
  if (!['Delete', 'Retain'].includes(values['reclaim-policy']))
    return { error: ['', 'Please check submitted arguments.'] }
  if (!['true', 'false'].includes(values['default-class'])) return { error: ['', 'Please check submitted arguments.'] }
  return { reclaimPolicy: values['reclaim-policy'], defaultClass: values['default-class'] }
}
