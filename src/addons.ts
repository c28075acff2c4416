/**
 * The addon catalog (one row per known core addon) and the pure decisions made from it: cycle order and the
 * arguments recovered from the cluster. Adding an addon is adding a row.
 *
 * Facts from ../shared/reference/microk8s-facts.md: dependencies §3.4, disable risks §3.5, enable arguments
 * §3.3, workloads and images per branch §4.
 */

/** Seed ranks: CNI, then DNS, then ingress, then storage, then the rest; unknown addons come last. */
export const RANKS = ['cni', 'dns', 'ingress', 'storage', 'other', 'unknown'] as const
export type Rank = (typeof RANKS)[number]

/**
 * - `cycle`: disabled with the old scripts and enabled with the new ones.
 * - `never`: cycling would lose data or reset the cluster; it keeps running what it runs.
 * - `no-op`: nothing to upgrade by cycling (a bundled binary, API server flags, host configuration).
 */
export type CyclePolicy = 'cycle' | 'never' | 'no-op'

export interface Workload {
  namespace: string
  kind: 'deployment' | 'daemonset' | 'statefulset'
  name: string
}

export interface AddonSpec {
  name: string
  rank: Rank
  /** Addons its enable script enables first (and that must run before it). */
  needs: string[]
  policy: CyclePolicy
  /** Why it is not cycled, for the report. */
  reason?: string
  /** Another addon this one is an alias of (`storage` → hostpath-storage): cycled once, under the real name. */
  aliasOf?: string
  /** Answer to the disable script's prompt (never yes). */
  disableInput?: string
  /**
   * The disable script's expected non-zero exit after a data-keeping answer: hostpath-storage exits 1 after
   * `Storage removed.` when told not to delete the volumes.
   */
  disableKeepsDataExit?: { code: number; marker: string }
  /** Workloads that prove it ready after enable, and whose images are its running version. */
  workloads: Workload[]
  /** Image repositories it ships per addon branch, with the tag (facts §4). */
  shipped?: Record<string, Record<string, string>>
}

const branches = (values: Array<[string[], string]>): Record<string, string> =>
  Object.fromEntries(values.flatMap(([bs, tag]) => bs.map((b) => [b, tag])))

const B28_32 = ['1.28', '1.29', '1.30', '1.31', '1.32']

export const CATALOG: readonly AddonSpec[] = [
  {
    name: 'kube-ovn',
    rank: 'cni',
    needs: ['ha-cluster'],
    policy: 'never',
    reason: 'its enable removes Calico and its disable does not restore it: the node would be left without a CNI',
    workloads: [{ namespace: 'kube-system', kind: 'deployment', name: 'kube-ovn-controller' }]
  },
  {
    name: 'dns',
    rank: 'dns',
    needs: [],
    policy: 'cycle',
    workloads: [{ namespace: 'kube-system', kind: 'deployment', name: 'coredns' }],
    shipped: {
      'coredns/coredns': branches([
        [B28_32, '1.10.1'],
        [['1.33'], '1.12.1'],
        [['1.34'], '1.12.3'],
        [['1.35'], '1.13.1'],
        [['main'], '1.14.3']
      ])
    }
  },
  {
    name: 'ingress',
    rank: 'ingress',
    needs: [],
    policy: 'cycle',
    workloads: [{ namespace: 'ingress', kind: 'daemonset', name: 'nginx-ingress-microk8s-controller' }],
    shipped: {
      'registry.k8s.io/ingress-nginx/controller': branches([
        [['1.28', '1.29', '1.30', '1.31'], 'v1.11.5'],
        [['1.32', '1.33', '1.34'], 'v1.13.8']
      ])
    }
  },
  {
    name: 'hostpath-storage',
    rank: 'storage',
    needs: [],
    policy: 'cycle',
    // "Remove PVC storage at …/default-storage ? (Y/N):" — `N` keeps every volume (facts §3.5).
    disableInput: 'N\n',
    disableKeepsDataExit: { code: 1, marker: 'Storage removed.' },
    workloads: [{ namespace: 'kube-system', kind: 'deployment', name: 'hostpath-provisioner' }],
    shipped: {
      'cdkbot/hostpath-provisioner': branches([
        [['1.28'], '1.4.2'],
        [['1.29', '1.30', '1.31', '1.32', '1.33'], '1.5.0'],
        [['1.34', '1.35', 'main'], '1.6.0']
      ])
    }
  },
  {
    name: 'storage',
    rank: 'storage',
    needs: [],
    policy: 'cycle',
    aliasOf: 'hostpath-storage',
    workloads: []
  },
  {
    name: 'metrics-server',
    rank: 'other',
    needs: [],
    policy: 'cycle',
    workloads: [{ namespace: 'kube-system', kind: 'deployment', name: 'metrics-server' }],
    shipped: {
      'registry.k8s.io/metrics-server/metrics-server': branches([
        [B28_32, 'v0.6.3'],
        [['1.33'], 'v0.7.2'],
        [['1.34', '1.35'], 'v0.8.0'],
        [['main'], 'v0.8.1']
      ])
    }
  },
  {
    name: 'dashboard',
    rank: 'other',
    needs: ['metrics-server'],
    policy: 'cycle',
    workloads: [
      { namespace: 'kube-system', kind: 'deployment', name: 'kubernetes-dashboard' },
      { namespace: 'kube-system', kind: 'deployment', name: 'dashboard-metrics-scraper' }
    ],
    shipped: { 'kubernetesui/dashboard': branches([[B28_32, 'v2.7.0']]) }
  },
  {
    name: 'metallb',
    rank: 'other',
    needs: [],
    policy: 'cycle',
    workloads: [
      { namespace: 'metallb-system', kind: 'deployment', name: 'controller' },
      { namespace: 'metallb-system', kind: 'daemonset', name: 'speaker' }
    ],
    shipped: {
      'quay.io/metallb/controller': branches([
        [B28_32, 'v0.13.3'],
        [['1.33'], 'v0.14.9'],
        [['1.34', '1.35'], 'v0.15.2'],
        [['main'], 'v0.15.3']
      ])
    }
  },
  {
    name: 'registry',
    rank: 'other',
    needs: ['hostpath-storage'],
    policy: 'never',
    reason: 'its disable deletes namespace container-registry and PVC registry-claim, with every pushed image',
    workloads: [{ namespace: 'container-registry', kind: 'deployment', name: 'registry' }],
    shipped: {
      registry: branches([
        [B28_32, '2.8.1'],
        [['1.33', '1.34', '1.35', 'main'], '2.8.3']
      ])
    }
  },
  {
    name: 'cert-manager',
    rank: 'other',
    needs: ['dns'],
    policy: 'never',
    reason: 'its disable deletes the cert-manager CRDs and with them every Certificate, Issuer and ClusterIssuer',
    workloads: [{ namespace: 'cert-manager', kind: 'deployment', name: 'cert-manager' }]
  },
  {
    name: 'observability',
    rank: 'other',
    needs: ['dns', 'helm3', 'hostpath-storage'],
    policy: 'never',
    reason: 'its disable uninstalls the Prometheus, Loki and Tempo releases and deletes their volumes',
    workloads: []
  },
  {
    name: 'prometheus',
    rank: 'other',
    needs: ['observability'],
    policy: 'never',
    reason: 'an alias of observability, whose disable deletes its data',
    workloads: []
  },
  {
    name: 'minio',
    rank: 'other',
    needs: ['dns', 'helm3', 'hostpath-storage'],
    policy: 'never',
    reason: 'its disable deletes the tenant and its volumes (canonical/microk8s#5135)',
    workloads: []
  },
  {
    name: 'mayastor',
    rank: 'other',
    needs: ['dns', 'helm3'],
    policy: 'never',
    reason: 'its disable removes every DiskPool and the data on it',
    workloads: []
  },
  {
    name: 'rook-ceph',
    rank: 'other',
    needs: [],
    policy: 'never',
    reason: 'its disable deletes the CephClusters and their data',
    workloads: []
  },
  {
    name: 'ha-cluster',
    rank: 'other',
    needs: [],
    policy: 'never',
    reason: 'enabled on every install; its disable resets the datastore (the cluster is wiped)',
    workloads: []
  },
  {
    name: 'community',
    rank: 'other',
    needs: [],
    policy: 'never',
    reason: 'its disable removes the community repository, and every community addon with it',
    workloads: []
  },
  {
    name: 'helm',
    rank: 'other',
    needs: [],
    policy: 'no-op',
    reason: 'the helm binary bundled in the snap; it changes with the snap and Helm releases are cluster data',
    workloads: []
  },
  {
    name: 'helm3',
    rank: 'other',
    needs: [],
    policy: 'no-op',
    reason: 'the helm binary bundled in the snap; it changes with the snap and Helm releases are cluster data',
    workloads: []
  },
  {
    name: 'rbac',
    rank: 'other',
    needs: [],
    policy: 'no-op',
    reason: 'only API server flags; its disable deletes the bootstrap roles and restarts the API server',
    workloads: []
  },
  {
    name: 'host-access',
    rank: 'other',
    needs: [],
    policy: 'no-op',
    reason: 'host network configuration; no workload to upgrade',
    workloads: []
  },
  {
    name: 'cis-hardening',
    rank: 'other',
    needs: ['rbac'],
    policy: 'no-op',
    reason: 'service arguments and file permissions; no workload to upgrade',
    workloads: []
  },
  {
    name: 'nvidia',
    rank: 'other',
    needs: ['dns', 'helm3'],
    policy: 'cycle',
    workloads: []
  },
  {
    name: 'gpu',
    rank: 'other',
    needs: ['dns', 'helm3'],
    policy: 'cycle',
    aliasOf: 'nvidia',
    workloads: []
  }
]

const BY_NAME = new Map(CATALOG.map((a) => [a.name, a]))

/** The catalog row for an addon, or a generic row for unknown/community addons. */
export function addonSpec(name: string): AddonSpec {
  return BY_NAME.get(name) ?? { name, rank: 'unknown', needs: [], policy: 'cycle', workloads: [] }
}

export function isKnownAddon(name: string): boolean {
  return BY_NAME.has(name)
}

/**
 * The Calico the snap bundles per branch (facts §3.6). Calico is not an addon and a refresh only replaces
 * Calico 3.21, so a cluster installed at 1.28 keeps v3.25.1 on later tracks: the report says so.
 */
export function bundledCalico(branch: string): string | undefined {
  const table: Record<string, string> = {
    '1.28': 'v3.25.1',
    '1.29': 'v3.25.1',
    '1.30': 'v3.25.1',
    '1.31': 'v3.25.1',
    '1.32': 'v3.28.1'
  }
  return table[branch] ?? (/^1\.3[3-9]$|^main$/.test(branch) ? 'v3.29.3' : undefined)
}

/** The addon branch a Kubernetes minor's snap ships (`latest` builds bundle `main`, facts §6). */
export function addonBranch(minor: number | undefined): string {
  return minor === undefined ? 'main' : `1.${minor}`
}

/** What the target's addon repository would install, per image repository, where the catalog knows it. */
export function shippedImages(name: string, branch: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [image, tags] of Object.entries(addonSpec(name).shipped ?? {})) {
    if (tags[branch]) out[image] = tags[branch]
  }
  return out
}

export class DependencyCycleError extends Error {}

/**
 * Enable order for a set of addons: dependencies first (a topological sort of `needs` restricted to the set),
 * ties broken by seed rank, then by their position in `seed` (the order they were found). Disable order is
 * the reverse. A dependency cycle is an error naming it.
 */
export function addonOrder(names: readonly string[], specOf: (name: string) => AddonSpec = addonSpec): string[] {
  const set = new Set(names)
  const position = new Map(names.map((n, i) => [n, i]))
  const key = (n: string) => [RANKS.indexOf(specOf(n).rank), position.get(n) ?? 0] as const
  const before = (a: string, b: string) => {
    const [ra, pa] = key(a)
    const [rb, pb] = key(b)
    return ra !== rb ? ra - rb : pa - pb
  }
  const deps = new Map(names.map((n) => [n, specOf(n).needs.filter((d) => set.has(d) && d !== n)]))
  const order: string[] = []
  const done = new Set<string>()
  while (order.length < names.length) {
    const ready = names.filter((n) => !done.has(n) && deps.get(n)!.every((d) => done.has(d)))
    if (ready.length === 0) {
      throw new DependencyCycleError(
        `addon dependency cycle: ${findCycle(
          names.filter((n) => !done.has(n)),
          deps
        ).join(' -> ')}`
      )
    }
    const next = ready.sort(before)[0]
    order.push(next)
    done.add(next)
  }
  return order
}

function findCycle(remaining: string[], deps: Map<string, string[]>): string[] {
  const path: string[] = []
  let node = remaining[0]
  while (!path.includes(node)) {
    path.push(node)
    node = deps.get(node)!.find((d) => remaining.includes(d))!
  }
  return [...path.slice(path.indexOf(node)), node]
}

// ---------------------------------------------------------------------------------------------------------
// Arguments recovered from the cluster, so that a cycled addon comes back configured as it was.

/**
 * DNS upstreams from a Corefile's `forward . a b` line, as the `dns:a,b` argument. A file target
 * (`/etc/resolv.conf`) is what a plain enable produces, so it gives no argument.
 */
export function dnsUpstreams(corefile: string): string | undefined {
  const m = /^\s*forward\s+\.\s+([^{}\n]+?)\s*(?:\{|$)/m.exec(corefile)
  if (!m) return undefined
  const targets = m[1].split(/\s+/).filter(Boolean)
  if (targets.length === 0 || targets.some((t) => !/^[0-9a-fA-F.:]+$/.test(t))) return undefined
  return targets.join(',')
}

/**
 * The Corefile the dns addon writes (core-addons `addons/dns/coredns.yaml`, identical on 1.28 … main), with
 * `$NAMESERVERS` standing for the upstreams. A Corefile that differs from it by more than the upstreams was
 * customised by the user.
 */
export const DEFAULT_COREFILE = `.:53 {
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
    forward . $NAMESERVERS
    cache 30
    loop
    reload
    loadbalance
}
`

const normaliseCorefile = (text: string) =>
  text
    .replace(/^(\s*forward\s+\.)[^{\n]*/m, '$1 $NAMESERVERS')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n')

/** True when the Corefile has edits beyond the upstream servers (which the `dns:` argument carries). */
export function isCorefileCustomised(corefile: string): boolean {
  return normaliseCorefile(corefile) !== normaliseCorefile(DEFAULT_COREFILE)
}

/** MetalLB ranges from its IPAddressPool objects, as the `metallb:a-b,c-d` argument. */
export function metallbRanges(pools: Array<{ spec?: { addresses?: string[] } }>): string | undefined {
  const ranges = pools.flatMap((p) => p.spec?.addresses ?? [])
  return ranges.length ? ranges.join(',') : undefined
}

/** `default-ssl-certificate=ns/name` from the ingress controller's container arguments. */
export function ingressArgs(daemonset: any): string | undefined {
  const args: string[] = daemonset?.spec?.template?.spec?.containers?.flatMap((c: any) => c.args ?? []) ?? []
  const cert = args.find((a) => a.startsWith('--default-ssl-certificate='))
  return cert ? `default-ssl-certificate=${cert.split('=')[1]}` : undefined
}
