// CustomResourceDefinitions as the API server holds them: the CRDs the simulated addons install per branch, the
// resource names a CRD serves (plural, singular, kind, short names, `plural.group`, `plural.version.group`), the
// version kubectl prefers, and what deleting a CRD does (every object of its kind goes, in every namespace).
//
// Upstream facts (docs/addon-state.md, "Sources"): canonical/microk8s-core-addons `addons/metallb/crd.yaml` per
// branch (MetalLB v0.13.3 on 1.28–1.32, v0.14.9 on 1.33, v0.15.x on 1.34+); kubernetes-sigs/gateway-api
// `config/crd/standard/` at v1.4.0 and v1.5.1 (the release asset `standard-install.yaml` is those files);
// traefik/traefik-helm-chart `traefik/crds/` at v37.4.0 and v39.0.8 (the same kinds, all `v1alpha1`).
import { makeObject } from './objects.mjs'

/** The API groups of the simulated CRDs: an object of one of them needs its CRD installed to be applied. */
export const CUSTOM_GROUPS = ['metallb.io', 'gateway.networking.k8s.io', 'traefik.io', 'hub.traefik.io']

/** `[kind, plural, scope, versions]`; `*` marks the storage version; a version in `()` is listed but not served. */
const crd = (group, [kind, plural, scope, versions]) => ({ group, kind, plural, scope, versions })

const METALLB_COMMON = [
  ['IPAddressPool', 'ipaddresspools', 'Namespaced', ['v1beta1*']],
  ['L2Advertisement', 'l2advertisements', 'Namespaced', ['v1beta1*']],
  ['BGPPeer', 'bgppeers', 'Namespaced', ['v1beta1', 'v1beta2*']],
  ['BGPAdvertisement', 'bgpadvertisements', 'Namespaced', ['v1beta1*']],
  ['BFDProfile', 'bfdprofiles', 'Namespaced', ['v1beta1*']],
  ['Community', 'communities', 'Namespaced', ['v1beta1*']]
]
const ADDRESS_POOL = ['AddressPool', 'addresspools', 'Namespaced', ['v1alpha1', 'v1beta1*']]
const L2_STATUS = ['ServiceL2Status', 'servicel2statuses', 'Namespaced', ['v1beta1*']]
const BGP_STATUS = ['ServiceBGPStatus', 'servicebgpstatuses', 'Namespaced', ['v1beta1*']]

/** The CRDs of a branch's `addons/metallb/crd.yaml` (what its enable applies and its disable deletes). */
export function metallbCrds(minor) {
  const rows = [
    ...METALLB_COMMON,
    ...(minor <= 32 ? [ADDRESS_POOL] : [L2_STATUS]),
    ...(minor >= 34 ? [BGP_STATUS] : [])
  ]
  return rows.map((r) => crd('metallb.io', r))
}

const GATEWAY_V1_4 = [
  ['GatewayClass', 'gatewayclasses', 'Cluster', ['v1*', 'v1beta1']],
  ['Gateway', 'gateways', 'Namespaced', ['v1*', 'v1beta1']],
  ['HTTPRoute', 'httproutes', 'Namespaced', ['v1*', 'v1beta1']],
  ['GRPCRoute', 'grpcroutes', 'Namespaced', ['v1*']],
  ['ReferenceGrant', 'referencegrants', 'Namespaced', ['v1beta1*']],
  ['BackendTLSPolicy', 'backendtlspolicies', 'Namespaced', ['v1*', '(v1alpha3)']]
]
const GATEWAY_V1_5 = [
  ...GATEWAY_V1_4.filter(([kind]) => kind !== 'ReferenceGrant'),
  ['ReferenceGrant', 'referencegrants', 'Namespaced', ['v1', 'v1beta1*']],
  ['ListenerSet', 'listenersets', 'Namespaced', ['v1*']],
  ['TLSRoute', 'tlsroutes', 'Namespaced', ['v1*', '(v1alpha2)', '(v1alpha3)']]
]

/** The CRDs of Gateway API's `standard-install.yaml` at a release tag. */
export function gatewayApiCrds(tag) {
  return (tag === 'v1.4.0' ? GATEWAY_V1_4 : GATEWAY_V1_5).map((r) => crd('gateway.networking.k8s.io', r))
}

const TRAEFIK_KINDS = [
  ['IngressRoute', 'ingressroutes'],
  ['IngressRouteTCP', 'ingressroutetcps'],
  ['IngressRouteUDP', 'ingressrouteudps'],
  ['Middleware', 'middlewares'],
  ['MiddlewareTCP', 'middlewaretcps'],
  ['ServersTransport', 'serverstransports'],
  ['ServersTransportTCP', 'serverstransporttcps'],
  ['TLSOption', 'tlsoptions'],
  ['TLSStore', 'tlsstores'],
  ['TraefikService', 'traefikservices']
]
const HUB_KINDS = [
  ['AccessControlPolicy', 'accesscontrolpolicies', 'Cluster'],
  ['AIService', 'aiservices'],
  ['API', 'apis'],
  ['APIAuth', 'apiauths'],
  ['APIBundle', 'apibundles'],
  ['APICatalogItem', 'apicatalogitems'],
  ['APIPlan', 'apiplans'],
  ['APIPortal', 'apiportals'],
  ['APIPortalAuth', 'apiportalauths'],
  ['APIRateLimit', 'apiratelimits'],
  ['APIVersion', 'apiversions'],
  ['ManagedApplication', 'managedapplications'],
  ['ManagedSubscription', 'managedsubscriptions']
]

/** The Traefik chart's own CRDs (`traefik/crds/traefik.io_*.yaml`), and with `hub` its `hub.traefik.io_*.yaml`. */
export function traefikCrds({ hub }) {
  const rows = (group, kinds) =>
    kinds.map(([kind, plural, scope = 'Namespaced']) => crd(group, [kind, plural, scope, ['v1alpha1*']]))
  return [...rows('traefik.io', TRAEFIK_KINDS), ...(hub ? rows('hub.traefik.io', HUB_KINDS) : [])]
}

/** A CustomResourceDefinition object from a row. */
export function makeCrd({ group, kind, plural, scope, versions }) {
  return makeObject('CustomResourceDefinition', {
    name: `${plural}.${group}`,
    spec: {
      group,
      scope,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: versions.map((v) => {
        const name = v.replace(/[*()]/g, '')
        return { name, served: !v.startsWith('('), storage: v.endsWith('*') }
      })
    }
  })
}

export const crdsOf = (objects) => objects.filter((o) => o.kind === 'CustomResourceDefinition')

const groupOf = (apiVersion) => (String(apiVersion ?? '').includes('/') ? apiVersion.split('/')[0] : '')

/** Whether an object is of the kind a CRD defines. */
export function definedBy(obj, c) {
  return obj.kind === c.spec.names.kind && groupOf(obj.apiVersion) === c.spec.group
}

/** Kubernetes version priority (v1 > v1beta2 > v1beta1 > v1alpha1 > other): kubectl prefers the first served. */
function priority(name) {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(name)
  if (!m) return [3, 0, 0]
  return [m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2, -Number(m[1]), -Number(m[3] ?? 0)]
}
export function preferredVersion(c) {
  const served = c.spec.versions.filter((v) => v.served).map((v) => v.name)
  return served.sort((a, b) => {
    const [x, y] = [priority(a), priority(b)]
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
  })[0]
}

/**
 * A resource word as kubectl resolves it against the installed CRDs: plural, singular, kind (any case), short
 * names, `plural.group`, or `plural.version.group` (that version must be served). Returns { crd, version } or
 * undefined (no such resource type).
 */
export function resolveCustomResource(objects, word) {
  const lower = word.toLowerCase()
  for (const c of crdsOf(objects)) {
    const { group, names } = c.spec
    const bare = [names.plural, names.singular, names.kind.toLowerCase(), ...(names.shortNames ?? [])]
    if (bare.includes(lower) || lower === `${names.plural}.${group}`) return { crd: c, version: preferredVersion(c) }
    for (const v of c.spec.versions)
      if (lower === `${names.plural}.${v.name}.${group}`) return v.served ? { crd: c, version: v.name } : undefined
  }
  return undefined
}

/** The CRD that defines an object's group and kind, and whether the object's version is served; undefined if none. */
export function crdForObject(objects, obj) {
  const c = crdsOf(objects).find((x) => definedBy(obj, x))
  if (!c) return undefined
  const version = String(obj.apiVersion).split('/')[1]
  return { crd: c, served: c.spec.versions.some((v) => v.name === version && v.served) }
}
