/**
 * Image tags each addon branch ships, per image repository (canonical/microk8s-core-addons manifests per
 * branch). Used for the report's "target ships" column.
 */
const branches = (values: Array<[string[], string]>): Record<string, string> =>
  Object.fromEntries(values.flatMap(([bs, tag]) => bs.map((b) => [b, tag])))

const B28_32 = ['1.28', '1.29', '1.30', '1.31', '1.32']

export const SHIPPED: Record<string, Record<string, Record<string, string>>> = {
  dns: {
    'coredns/coredns': branches([
      [B28_32, '1.10.1'],
      [['1.33'], '1.12.1'],
      [['1.34'], '1.12.3'],
      [['1.35'], '1.13.1'],
      [['main'], '1.14.3']
    ])
  },
  ingress: {
    'registry.k8s.io/ingress-nginx/controller': branches([
      [['1.28', '1.29', '1.30', '1.31'], 'v1.11.5'],
      [['1.32', '1.33', '1.34'], 'v1.13.8']
    ])
  },
  'hostpath-storage': {
    'cdkbot/hostpath-provisioner': branches([
      [['1.28'], '1.4.2'],
      [['1.29', '1.30', '1.31', '1.32', '1.33'], '1.5.0'],
      [['1.34', '1.35', 'main'], '1.6.0']
    ])
  },
  'metrics-server': {
    'registry.k8s.io/metrics-server/metrics-server': branches([
      [B28_32, 'v0.6.3'],
      [['1.33'], 'v0.7.2'],
      [['1.34', '1.35'], 'v0.8.0'],
      [['main'], 'v0.8.1']
    ])
  },
  dashboard: { 'kubernetesui/dashboard': branches([[B28_32, 'v2.7.0']]) },
  metallb: {
    'quay.io/metallb/controller': branches([
      [B28_32, 'v0.13.3'],
      [['1.33'], 'v0.14.9'],
      [['1.34', '1.35'], 'v0.15.2'],
      [['main'], 'v0.15.3']
    ])
  },
  registry: {
    registry: branches([
      [B28_32, '2.8.1'],
      [['1.33', '1.34', '1.35', 'main'], '2.8.3']
    ])
  }
}

/** What the target's addon repository would install, per image repository, where the catalog knows it. */
export function shippedImages(name: string, branch: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [image, tags] of Object.entries(SHIPPED[name] ?? {})) {
    if (tags[branch]) out[image] = tags[branch]
  }
  return out
}
