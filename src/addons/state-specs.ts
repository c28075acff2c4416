/**
 * What an addon's disable deletes besides the addon itself, and how it is put back: the pure part. Which objects
 * to capture per addon and addon-repository release, the enable arguments read from them, the objects as they
 * are re-applied (server fields removed), and the checks that prove they came back.
 *
 * Sources (canonical/microk8s-core-addons, branches 1.28–1.35): addons/ingress/disable deletes ingress.yaml,
 * namespace `ingress` included, so every object in it goes (1.28–1.34, the nginx form; from 1.35 it deletes the
 * namespace too, and CRDs: custom-resources.ts); addons/metallb/disable deletes its branch's crd.yaml (every
 * pool, advertisement, BGP peer, BFD profile and community with them, and the legacy AddressPools on 1.28–1.32)
 * and namespace metallb-system;
 * addons/hostpath-storage/disable deletes StorageClass microk8s-hostpath, whose reclaim policy and default-class
 * annotation the enable sets from `--reclaim-policy` (all branches) and `--default-class` (1.29+); addons/dns/disable
 * deletes ConfigMap coredns. See docs/addon-state.md.
 */
import type { DataCheck } from '../report/model.js'
import { ingressArgs, plainItems, traefikIngressArgs } from '../catalog/index.js'
import { type DnsSettings, recoverDns } from './dns-settings.js'
import type { CustomKind } from './custom-resources.js'

export interface ObjectQuery {
  /** The kubectl resource (group-qualified where a CRD defines it). */
  resource: string
  namespace: string
  /** Only these names (the ConfigMaps the addon ships); every object of the resource when absent. */
  names?: string[]
  /** Defined by the addon's own CRDs: "no such resource type" means there is nothing to capture. */
  crd?: boolean
  /** Objects that are the user's (not ones the API server or the addon makes for itself). */
  keep?: (o: KubeObject) => boolean
  /**
   * Releases whose CRDs define the kind, inclusive, when not every release's do: captured only when the disabling
   * release has it, and put back only when the enabling release has it too.
   */
  minors?: [number, number]
}

export interface StateSpec {
  addon: string
  /** Addon-repository releases (Kubernetes minors) whose disable deletes these objects, inclusive. */
  minors: [number, number]
  /** For the report: what the objects are. */
  what: string
  objects: ObjectQuery[]
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = any

/** Secrets the user keeps, not service-account tokens (made by the API server) or Helm release records. */
const userSecret = (o: KubeObject) =>
  o.type !== 'kubernetes.io/service-account-token' && o.type !== 'helm.sh/release.v1'

export const INGRESS_CONFIGMAPS = [
  'nginx-load-balancer-microk8s-conf',
  'nginx-ingress-tcp-microk8s-conf',
  'nginx-ingress-udp-microk8s-conf'
]

/** The configuration kinds of MetalLB's crd.yaml (not ServiceL2Status/ServiceBGPStatus, which its speakers write). */
export const METALLB_RESOURCES: ReadonlyArray<{ resource: string; minors?: [number, number] }> = [
  { resource: 'ipaddresspools.metallb.io' },
  { resource: 'l2advertisements.metallb.io' },
  { resource: 'bgppeers.metallb.io' },
  { resource: 'bgpadvertisements.metallb.io' },
  { resource: 'bfdprofiles.metallb.io' },
  { resource: 'communities.metallb.io' },
  // MetalLB v0.13.3 (1.28–1.32) still defines the legacy AddressPool; v0.14.9 (1.33) dropped it.
  { resource: 'addresspools.metallb.io', minors: [28, 32] }
]

export const STATE_SPECS: readonly StateSpec[] = [
  {
    addon: 'ingress',
    minors: [28, 34],
    what: 'ingress ConfigMaps and Secrets',
    objects: [
      { resource: 'configmaps', namespace: 'ingress', names: INGRESS_CONFIGMAPS },
      { resource: 'secrets', namespace: 'ingress', keep: userSecret }
    ]
  },
  {
    // 1.35+ (Traefik): the disable deletes namespace ingress too; a TLS Secret kept there goes with it.
    addon: 'ingress',
    minors: [35, 99],
    what: 'ingress Secrets',
    objects: [{ resource: 'secrets', namespace: 'ingress', keep: userSecret }]
  },
  {
    addon: 'metallb',
    minors: [28, 99],
    what: 'MetalLB pools, advertisements, BGP peers, BFD profiles and communities',
    objects: METALLB_RESOURCES.map((r) => ({ ...r, namespace: 'metallb-system', crd: true }))
  }
]

const within = (minor: number, range?: [number, number]) => !range || (minor >= range[0] && minor <= range[1])

/** The specs that apply to an addon disabled with a release's scripts (their queries for that release). */
export function stateSpecs(addon: string, minor: number): StateSpec[] {
  return STATE_SPECS.filter((s) => s.addon === addon && within(minor, s.minors)).map((s) => ({
    ...s,
    objects: s.objects.filter((q) => within(minor, q.minors))
  }))
}

/** Everything captured before the first disable: the persisted part of a cycle, restored after each enable. */
export interface CapturedState {
  /** Per addon, the objects to re-apply after its enable (server fields removed). */
  objects: Record<string, KubeObject[]>
  /** The CoreDNS Corefile, when dns is cycled. */
  corefile?: string
  /** kube-dns's Service IP and the kubelet's DNS arguments, when dns is enabled (dns-settings.ts). */
  dns?: DnsSettings
  /** StorageClass microk8s-hostpath, when hostpath-storage is cycled. */
  storageClass?: { reclaimPolicy: string; defaultClass?: string }
  /** LoadBalancer Services and their external IPs, when metallb is cycled. */
  loadBalancers?: Array<{ namespace: string; name: string; ip: string }>
  /**
   * Per addon, the custom resources its disable deletes with their CRDs (the 1.35+ ingress: Gateway API and
   * Traefik objects in every namespace), the kinds they were read as, and what the check calls them.
   */
  customResources?: Record<string, { what: string; kinds: CustomKind[]; objects: KubeObject[] }>
  /** Addons whose disable would delete what could not be captured or put back, with why: kept, not cycled. */
  uncapturable?: Record<string, string>
}

const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'ownerReferences'
]

/** An object as it is re-applied: no status, no fields the server sets, no client-side-apply record. */
export function stripServerFields(o: KubeObject): KubeObject {
  const { status: _status, ...rest } = structuredClone(o)
  const metadata = { ...rest.metadata }
  for (const k of SERVER_METADATA) delete metadata[k]
  if (metadata.annotations) {
    delete metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']
    if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations
  }
  return { ...rest, metadata }
}

/** What a check compares: the content the user set (data, spec, type), not labels the enable may add. */
export function content(o: KubeObject): string {
  const pick = { type: o?.type, data: o?.data, binaryData: o?.binaryData, stringData: o?.stringData, spec: o?.spec }
  return JSON.stringify(sortKeys(pick))
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])
    )
  return v
}

const refOf = (o: KubeObject) =>
  `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`

// ---------------------------------------------------------------------------------------------- arguments

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class'

/** Reclaim policy and default-class annotation of StorageClass microk8s-hostpath. */
export function readStorageClass(sc: KubeObject): CapturedState['storageClass'] {
  const annotation = sc?.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION]
  return {
    reclaimPolicy: String(sc?.reclaimPolicy ?? 'Delete'),
    ...(annotation !== undefined ? { defaultClass: String(annotation) } : {})
  }
}

/**
 * The arguments (the addons input's language, `reclaim-policy=Retain,default-class=false`) that make
 * hostpath-storage's enable create the StorageClass as it was: only what differs from the enable's defaults
 * (Delete, default class), `default-class` only where the enabling release takes it (1.29+).
 */
export function hostpathArgs(sc: CapturedState['storageClass'], enableMinor: number): string | undefined {
  if (!sc) return undefined
  const items: string[] = []
  if (sc.reclaimPolicy !== 'Delete') items.push(`reclaim-policy=${sc.reclaimPolicy}`)
  if (sc.defaultClass === 'false' && enableMinor >= 29) items.push('default-class=false')
  return items.length ? items.join(',') : undefined
}

/**
 * The range MetalLB's enable needs (it prompts without one): the addresses of `default-addresspool`, the pool
 * the enable itself creates, else of the first pool. The captured pools are re-applied after the enable.
 */
export function metallbEnableRange(pools: KubeObject[]): string | undefined {
  const pool = pools.find((p) => p.metadata?.name === 'default-addresspool') ?? pools[0]
  const addresses: string[] = pool?.spec?.addresses ?? []
  return addresses.length ? addresses.join(',') : undefined
}

/** The enable creates `default-addresspool`; it is deleted again when the user had none. */
export function extraDefaultPool(captured: KubeObject[]): boolean {
  return !captured.some((o) => o.kind === 'IPAddressPool' && o.metadata?.name === 'default-addresspool')
}

/** External IPs of LoadBalancer Services. */
export function loadBalancerIps(services: KubeObject[]): NonNullable<CapturedState['loadBalancers']> {
  return services
    .filter((s) => s.spec?.type === 'LoadBalancer')
    .map((s) => ({
      namespace: s.metadata.namespace,
      name: s.metadata.name,
      ip: s.status?.loadBalancer?.ingress?.[0]?.ip ?? ''
    }))
    .filter((s) => s.ip)
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))
}

// ------------------------------------------------------------------------------------------------- CoreDNS

/**
 * The Corefile with its `forward . …` targets replaced (the requested upstreams win over the old ones); `ip=` and
 * `domain=` items of dns's arguments are not upstreams.
 */
export function corefileWithUpstreams(corefile: string, upstreams: string): string {
  const targets = plainItems(upstreams).join(' ')
  return corefile.replace(/^(\s*forward\s+\.)[^{\n]*?(\s*\{?)$/m, (_m, head: string, brace: string) => {
    return `${head} ${targets}${brace.includes('{') ? ' {' : ''}`
  })
}

// ---------------------------------------------------------------------------------------------------- checks

/** Each captured object present again with the same content; what is missing or differs, named. */
export function checkObjects(name: string, captured: KubeObject[], after: KubeObject[] | undefined): DataCheck {
  const count = (list: KubeObject[]) => {
    const kinds = new Map<string, number>()
    for (const o of list) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1)
    return [...kinds].map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ') || 'none'
  }
  if (after === undefined)
    return { name, before: count(captured), after: 'not read', ok: false, checked: false, detail: 'could not be read' }
  const lost = captured.filter((c) => {
    const now = after.find((o) => refOf(o) === refOf(c))
    return !now || content(now) !== content(c)
  })
  return {
    name,
    before: count(captured),
    after: count(after.filter((o) => captured.some((c) => refOf(c) === refOf(o)))),
    ok: lost.length === 0,
    checked: true,
    ...(lost.length ? { detail: `missing or changed: ${lost.map(refOf).join(', ')}` } : {})
  }
}

export function checkLoadBalancers(
  before: NonNullable<CapturedState['loadBalancers']>,
  after: NonNullable<CapturedState['loadBalancers']> | undefined
): DataCheck {
  const name = 'LoadBalancer Service IPs'
  if (after === undefined)
    return {
      name,
      before: `${before.length} Service(s)`,
      after: 'not read',
      ok: false,
      checked: false,
      detail: 'could not be read'
    }
  const moved = before.filter(
    (b) => !after.some((a) => a.namespace === b.namespace && a.name === b.name && a.ip === b.ip)
  )
  return {
    name,
    before: before.map((b) => `${b.namespace}/${b.name} ${b.ip}`).join(', ') || 'none',
    after: after.map((a) => `${a.namespace}/${a.name} ${a.ip}`).join(', ') || 'none',
    ok: moved.length === 0,
    checked: true,
    ...(moved.length
      ? { detail: `lost or changed their IP: ${moved.map((m) => `${m.namespace}/${m.name}`).join(', ')}` }
      : {})
  }
}

/**
 * The same two fields on both sides of the check, so before and after compare: the reclaim policy and the
 * `storageclass.kubernetes.io/is-default-class` annotation (`not set` on a 1.28 class, which has none).
 */
export function describeStorageClass(sc: NonNullable<CapturedState['storageClass']>): string {
  return `reclaim ${sc.reclaimPolicy}, default class ${sc.defaultClass ?? 'not set'}`
}

export function checkStorageClass(
  before: NonNullable<CapturedState['storageClass']>,
  after: CapturedState['storageClass'] | undefined,
  enableMinor: number
): DataCheck {
  const name = 'hostpath StorageClass'
  if (!after)
    return {
      name,
      before: describeStorageClass(before),
      after: 'missing',
      ok: false,
      checked: true,
      detail: 'StorageClass microk8s-hostpath is gone'
    }
  // A 1.28 StorageClass has no annotation: any value the new enable sets is the addon's default.
  const defaultKept =
    before.defaultClass === undefined || enableMinor < 29 || after.defaultClass === before.defaultClass
  const ok = after.reclaimPolicy === before.reclaimPolicy && defaultKept
  // An annotation the 1.28 class did not have is the new enable's default, and said so.
  const setByEnable = before.defaultClass === undefined && after.defaultClass !== undefined
  return {
    name,
    before: describeStorageClass(before),
    after: `${describeStorageClass(after)}${setByEnable ? ' (set by the enable)' : ''}`,
    ok,
    checked: true,
    ...(ok ? {} : { detail: 'reclaim policy or default-class annotation changed' })
  }
}

// ----------------------------------------------------------------------------------------- recovered arguments

/** An addon's arguments as read back from the cluster, and how they were found (shown in the plan). */
export interface RecoveredArgs {
  args?: string
  note: string
  /**
   * Items carried into arguments the addons input gives when it does not set them (dns's `ip=`, `domain=`): a
   * setting the input does not mention stays as it runs.
   */
  carry?: string
  /** Why cycling it would lose a setting that cannot be passed again: it is kept, with this reason. */
  keep?: string
}

/** Arguments of enabled addons read back from what was captured, with how they were found. */
export function recoverArgs(
  enabled: string[],
  items: KubeObject[],
  captured: CapturedState,
  enableMinor: number
): Map<string, RecoveredArgs> {
  const out = new Map<string, RecoveredArgs>()
  if (enabled.includes('dns')) out.set('dns', recoverDns(captured.corefile, captured.dns, enableMinor))
  if (enabled.includes('ingress')) {
    const ds = items.find(
      (o) =>
        o.kind === 'DaemonSet' &&
        o.metadata?.namespace === 'ingress' &&
        o.metadata?.name === 'nginx-ingress-microk8s-controller'
    )
    // nginx (1.28–1.34) has it in the controller's arguments, Traefik (1.35+) in the default TLSStore.
    const fromNginx = ingressArgs(ds)
    const stores = [...items, ...(captured.customResources?.ingress?.objects ?? [])].filter(
      (o) => o.kind === 'TLSStore'
    )
    const args = fromNginx ?? traefikIngressArgs(stores)
    out.set(
      'ingress',
      args
        ? {
            args,
            note: `default certificate read from the ${fromNginx ? 'controller arguments' : 'default TLSStore'}`
          }
        : { note: 'no arguments in use' }
    )
  }
  if (enabled.includes('metallb')) {
    const pools = (captured.objects.metallb ?? []).filter((o) => o.kind === 'IPAddressPool')
    const range = metallbEnableRange(pools)
    out.set(
      'metallb',
      range
        ? {
            args: range,
            note: `enabled with ${range}, then the ${pools.length} captured IPAddressPool(s), their advertisements and BGP/BFD settings re-applied`
          }
        : { note: 'no IPAddressPool found' }
    )
  }
  const hostpath = enabled.includes('hostpath-storage') ? 'hostpath-storage' : undefined
  if (hostpath && captured.storageClass) {
    const args = hostpathArgs(captured.storageClass, enableMinor)
    out.set(
      hostpath,
      args
        ? { args, note: 'reclaim policy and default class read from StorageClass microk8s-hostpath' }
        : { note: 'StorageClass microk8s-hostpath has the enable defaults (Delete, default class)' }
    )
  }
  return out
}
