/**
 * Custom resources an addon's disable deletes by deleting their CRDs, the pure part: which CRDs go per addon
 * release, what the CRDs say about their kinds (scope, the version to read), which kinds and versions the enabling
 * release installs again, the order objects are put back in, and the check that names them.
 *
 * Sources (docs/addon-state.md): canonical/microk8s-core-addons branches 1.35 and main, `addons/ingress/disable`
 * (identical): `kubectl delete -f` Gateway API v1.4.0's standard-install.yaml, then every CRD whose name matches
 * `grep "traefik.io"` (an unanchored regex: hub.traefik.io too); `addons/ingress/enable`: 1.35 installs the Traefik
 * chart 37.4.0 with its crds/ (traefik.io, hub.traefik.io, Gateway API v1.4.0) and applies Gateway API v1.4.0; main
 * applies Gateway API v1.5.1 and the chart's (39.0.8) traefik.io CRDs only. Served versions:
 * kubernetes-sigs/gateway-api `config/crd/standard/` at v1.4.0 and v1.5.1; traefik/traefik-helm-chart
 * `traefik/crds/` (every kind `v1alpha1`).
 */
import type { DataCheck } from '../report/model.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KubeObject = any

/** A kind a CRD defines, at the version it is read and put back at. */
export interface CustomKind {
  /** The CRD's name, `plural.group`. */
  crd: string
  group: string
  kind: string
  plural: string
  /** The storage version when it is served, else the first served one. */
  version: string
  namespaced: boolean
}

/** `plural.version.group`: the kind at exactly that version, as kubectl takes it. */
export const resourceOf = (k: CustomKind) => `${k.plural}.${k.version}.${k.group}`

/** A CRD as `kubectl get customresourcedefinitions -o json` gives it → its kind, or why it cannot be read. */
export function kindOfCrd(crd: KubeObject): CustomKind | { crd: string; problem: string } {
  const name = String(crd?.metadata?.name ?? '?')
  const spec = crd?.spec ?? {}
  const versions: Array<{ name: string; served?: boolean; storage?: boolean }> = spec.versions ?? []
  const served = versions.filter((v) => v.served)
  const version = (served.find((v) => v.storage) ?? served[0])?.name
  if (!spec.group || !spec.names?.kind || !spec.names?.plural)
    return { crd: name, problem: 'its CRD names no group, kind or plural' }
  if (!version) return { crd: name, problem: `its CRD serves no version of ${spec.names.kind}` }
  return {
    crd: name,
    group: spec.group,
    kind: spec.names.kind,
    plural: spec.names.plural,
    version,
    namespaced: spec.scope !== 'Cluster'
  }
}

/** The six CRDs of Gateway API v1.4.0's standard-install.yaml, which the 1.35+ disable deletes by name. */
const GATEWAY_V1_4 = [
  'gatewayclasses',
  'gateways',
  'httproutes',
  'grpcroutes',
  'referencegrants',
  'backendtlspolicies'
].map((p) => `${p}.gateway.networking.k8s.io`)

export interface CrdDeletion {
  addon: string
  /** Addon-repository releases (Kubernetes minors) whose disable deletes these CRDs, inclusive. */
  minors: [number, number]
  /** For the report: what the objects are. */
  what: string
  deletes: (crdName: string) => boolean
}

export const CRD_DELETIONS: readonly CrdDeletion[] = [
  {
    addon: 'ingress',
    minors: [35, 99],
    what: 'Gateway API and Traefik objects',
    // grep "traefik.io": `.` is any character, and nothing anchors it.
    deletes: (name) => GATEWAY_V1_4.includes(name) || /traefik.io/.test(name)
  }
]

export function crdDeletion(addon: string, minor: number): CrdDeletion | undefined {
  return CRD_DELETIONS.find((d) => d.addon === addon && minor >= d.minors[0] && minor <= d.minors[1])
}

const TRAEFIK_KINDS = [
  'IngressRoute',
  'IngressRouteTCP',
  'IngressRouteUDP',
  'Middleware',
  'MiddlewareTCP',
  'ServersTransport',
  'ServersTransportTCP',
  'TLSOption',
  'TLSStore',
  'TraefikService'
]
const HUB_KINDS = [
  'AccessControlPolicy',
  'AIService',
  'API',
  'APIAuth',
  'APIBundle',
  'APICatalogItem',
  'APIPlan',
  'APIPortal',
  'APIPortalAuth',
  'APIRateLimit',
  'APIVersion',
  'ManagedApplication',
  'ManagedSubscription'
]
const GATEWAY_SERVED_V1_4: Record<string, string[]> = {
  GatewayClass: ['v1', 'v1beta1'],
  Gateway: ['v1', 'v1beta1'],
  HTTPRoute: ['v1', 'v1beta1'],
  GRPCRoute: ['v1'],
  ReferenceGrant: ['v1beta1'],
  BackendTLSPolicy: ['v1']
}
const GATEWAY_SERVED_V1_5: Record<string, string[]> = {
  ...GATEWAY_SERVED_V1_4,
  ReferenceGrant: ['v1', 'v1beta1'],
  ListenerSet: ['v1'],
  TLSRoute: ['v1']
}

/** `group/kind` → the versions served once the addon's enable at a release has run (its own CRDs only). */
export function servedAfterEnable(addon: string, minor: number): Map<string, string[]> {
  const served = new Map<string, string[]>()
  if (addon !== 'ingress' || minor < 35) return served
  const gateway = minor >= 36 ? GATEWAY_SERVED_V1_5 : GATEWAY_SERVED_V1_4
  for (const [kind, versions] of Object.entries(gateway)) served.set(`gateway.networking.k8s.io/${kind}`, versions)
  for (const kind of TRAEFIK_KINDS) served.set(`traefik.io/${kind}`, ['v1alpha1'])
  // Only 1.35 installs the chart's crds/ directory, hub.traefik.io included; main applies traefik.io_* alone.
  if (minor < 36) for (const kind of HUB_KINDS) served.set(`hub.traefik.io/${kind}`, ['v1alpha1'])
  return served
}

/** Objects the addon's own Helm release made (the Traefik chart's GatewayClass, Gateway, dashboard IngressRoute). */
export function madeByAddonRelease(o: KubeObject, release: { namespace: string; name: string }): boolean {
  const a = o?.metadata?.annotations ?? {}
  return a['meta.helm.sh/release-name'] === release.name && a['meta.helm.sh/release-namespace'] === release.namespace
}

/**
 * The order objects are put back in: what others refer to first. Secrets and ConfigMaps; GatewayClass, then
 * Gateway, then ListenerSet, then routes, ReferenceGrants and policies; Traefik's Middlewares, TLSOptions,
 * TLSStores and ServersTransports, then TraefikServices, then IngressRoutes; MetalLB's pools, BFD profiles and
 * communities, then BGP peers, then advertisements. Anything else after those it is not known to refer to.
 */
const RANK: Record<string, number> = {
  Secret: 0,
  ConfigMap: 0,
  GatewayClass: 1,
  IPAddressPool: 1,
  AddressPool: 1,
  BFDProfile: 1,
  Community: 1,
  Gateway: 2,
  Middleware: 2,
  MiddlewareTCP: 2,
  TLSOption: 2,
  TLSStore: 2,
  ServersTransport: 2,
  ServersTransportTCP: 2,
  BGPPeer: 2,
  ListenerSet: 3,
  TraefikService: 3,
  L2Advertisement: 3,
  BGPAdvertisement: 3
}
export const restoreRank = (kind: string) => RANK[kind] ?? 4

/** A stable sort of objects into restore order. */
export function inRestoreOrder(objects: KubeObject[]): KubeObject[] {
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => restoreRank(a.o.kind) - restoreRank(b.o.kind) || a.i - b.i)
    .map(({ o }) => o)
}

const groupOf = (apiVersion: unknown) =>
  String(apiVersion ?? '').includes('/') ? String(apiVersion).split('/')[0] : ''
const versionOf = (apiVersion: unknown) => String(apiVersion ?? '').split('/')[1] ?? ''

/**
 * Why captured objects could not be put back by the enabling release (its enable does not install their kind,
 * or not at the version they were read at), naming each kind and how many; undefined when all can.
 */
export function notServedAfter(addon: string, enableMinor: number, objects: KubeObject[]): string | undefined {
  const served = servedAfterEnable(addon, enableMinor)
  const missing = new Map<string, number>()
  for (const o of objects) {
    const versions = served.get(`${groupOf(o.apiVersion)}/${o.kind}`)
    if (versions?.includes(versionOf(o.apiVersion))) continue
    const key = `${o.kind} (${o.apiVersion})`
    missing.set(key, (missing.get(key) ?? 0) + 1)
  }
  if (missing.size === 0) return undefined
  return [...missing].map(([k, n]) => `${n} ${k}`).join(', ')
}

export const refOf = (o: KubeObject) =>
  `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`

/** At most `limit` objects by name, then how many more. */
export function nameObjects(objects: KubeObject[], limit = 12): string {
  if (objects.length === 0) return 'none'
  const names = objects.slice(0, limit).map(refOf)
  return objects.length > limit ? `${names.join(', ')} and ${objects.length - limit} more` : names.join(', ')
}

/** Each captured custom resource present again with the same content, every one named; what is missing named. */
export function checkCustomResources(
  name: string,
  captured: KubeObject[],
  after: KubeObject[] | undefined,
  content: (o: KubeObject) => string
): DataCheck {
  if (after === undefined)
    return {
      name,
      before: nameObjects(captured),
      after: 'not read',
      ok: false,
      checked: false,
      detail: 'could not be read'
    }
  const found = (c: KubeObject) => after.find((o) => refOf(o) === refOf(c))
  const kept = captured.filter((c) => found(c) && content(found(c)) === content(c))
  const lost = captured.filter((c) => !kept.includes(c))
  return {
    name,
    before: nameObjects(captured),
    after: nameObjects(kept),
    ok: lost.length === 0,
    checked: true,
    ...(lost.length ? { detail: `missing or changed: ${lost.map(refOf).join(', ')}` } : {})
  }
}
