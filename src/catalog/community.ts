/**
 * The community addon repository's addons (canonical/microk8s-community-addons, branches 1.28 … main): known by
 * name only, so that a name in the inputs can be told from a typo. The catalog does not describe them.
 */
import { releaseMinor } from './lookup.js'
import type { Release } from './types.js'

const COMMUNITY_1_28 = [
  'argocd',
  'cilium',
  'dashboard-ingress',
  'easyhaproxy',
  'fluentd',
  'gopaddle',
  'inaccel',
  'istio',
  'jaeger',
  'kata',
  'keda',
  'knative',
  'kubearmor',
  'kwasm',
  'linkerd',
  'microcks',
  'multus',
  'nfs',
  'ondat',
  'openebs',
  'openfaas',
  'osm-edge',
  'parking',
  'portainer',
  'shifu',
  'sosivio',
  'traefik',
  'trivy'
]
/** Added on later branches (1.30 lists these besides the 1.28 ones, without ondat). */
const ADDED_1_30 = ['cloudnative-pg', 'falco', 'ngrok', 'stunner']

export function communityAddons(release: Release): string[] {
  const minor = releaseMinor(release) ?? 99
  return minor >= 30 ? [...COMMUNITY_1_28.filter((n) => n !== 'ondat'), ...ADDED_1_30] : COMMUNITY_1_28
}
