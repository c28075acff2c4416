/**
 * What is in the cluster, read before the first change and after the last, and the comparison of the two.
 * Reading costs three `microk8s` calls: status (with readiness), the API server version, and one
 * `kubectl get nodes,deploy,ds,sts,pv,pvc,pods,rs,pdb -A` for every workload image, node and volume, and the
 * pods, ReplicaSets and PodDisruptionBudgets the workloads comparison reads from the same objects
 * (cluster/workloads.ts).
 */
import type { MicroK8s, MicroK8sStatus } from './microk8s.js'
import type { InstalledSnap } from './snap.js'
import * as semver from 'semver'
import { isKnownAddon, workloadsAtAnyRelease } from '../catalog/index.js'

export interface ImageRef {
  /** `registry.k8s.io/ingress-nginx/controller`. */
  repository: string
  tag?: string
  /** Shortened to 12 hex digits. */
  digest?: string
}

export interface WorkloadInfo {
  namespace: string
  kind: 'Deployment' | 'DaemonSet' | 'StatefulSet'
  name: string
  images: ImageRef[]
}

export interface VolumeClaim {
  namespace: string
  name: string
  phase: string
  volume?: string
}

export interface Volumes {
  pvs: number
  pvcs: number
  bound: number
  claims: VolumeClaim[]
}

export interface AddonInventory {
  name: string
  repository: string
  enabled: boolean
  /** The status label (the addon repository's addons.yaml), not necessarily what runs. */
  label?: string
  images: ImageRef[]
}

export interface Inventory {
  takenAt: string
  /**
   * Set when the snap is installed but the cluster could not be read (e.g. "the cluster is not ready"): then the
   * nodes, addons, workloads and volumes below are not known, rather than absent.
   */
  unreadable?: string
  snap?: { channel: string; version: string; revision: number; confinement: string; held: boolean }
  running: boolean
  serverVersion?: string
  nodes: Array<{ name: string; kubeletVersion: string; ready: boolean }>
  /** Calico is bundled in the snap, not an addon, and a refresh does not upgrade it (microk8s-behaviour.md §3.6). */
  cni?: { name: string; images: ImageRef[] }
  addons: AddonInventory[]
  workloads: WorkloadInfo[]
  volumes: Volumes
}

/** `repo/name:tag@sha256:…` → parts; the digest is shortened for display. */
export function parseImage(text: string): ImageRef {
  let rest = text
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at !== -1) {
    digest = rest
      .slice(at + 1)
      .replace(/^sha256:/, '')
      .slice(0, 12)
    rest = rest.slice(0, at)
  }
  const slash = rest.lastIndexOf('/')
  const colon = rest.lastIndexOf(':')
  let tag: string | undefined
  if (colon > slash) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
  }
  // `docker.io/calico/node` and `calico/node` are the same image.
  rest = rest.replace(/^docker\.io\/(?:library\/)?/, '')
  return { repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }
}

export function formatImage(i: ImageRef): string {
  return `${i.repository}${i.tag ? `:${i.tag}` : ''}${i.digest ? `@${i.digest}` : ''}`
}

/** The objects of the inventory's `kubectl get … -A -o json`, sorted into the inventory's parts (other kinds ignored). */
export function readObjects(items: any[]): Pick<Inventory, 'nodes' | 'workloads' | 'volumes'> {
  const nodes: Inventory['nodes'] = []
  const workloads: WorkloadInfo[] = []
  const claims: VolumeClaim[] = []
  let pvs = 0
  for (const o of items) {
    switch (o.kind) {
      case 'Node':
        nodes.push({
          name: o.metadata.name,
          kubeletVersion: o.status?.nodeInfo?.kubeletVersion ?? '',
          ready: (o.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')
        })
        break
      case 'Deployment':
      case 'DaemonSet':
      case 'StatefulSet': {
        const spec = o.spec?.template?.spec ?? {}
        const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])]
        workloads.push({
          namespace: o.metadata.namespace,
          kind: o.kind,
          name: o.metadata.name,
          images: containers.map((c: any) => parseImage(String(c.image ?? '')))
        })
        break
      }
      case 'PersistentVolume':
        pvs++
        break
      case 'PersistentVolumeClaim':
        claims.push({
          namespace: o.metadata.namespace,
          name: o.metadata.name,
          phase: o.status?.phase ?? 'Unknown',
          volume: o.spec?.volumeName
        })
        break
    }
  }
  claims.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))
  return {
    nodes,
    workloads,
    volumes: { pvs, pvcs: claims.length, bound: claims.filter((c) => c.phase === 'Bound').length, claims }
  }
}

/** Which running workloads belong to an addon: the catalog's (of any release), or for unknown addons its namespace's. */
export function addonWorkloads(name: string, workloads: WorkloadInfo[]): WorkloadInfo[] {
  const known = workloadsAtAnyRelease(name)
  if (known.length > 0) {
    return workloads.filter((w) =>
      known.some((s) => s.namespace === w.namespace && s.name === w.name && s.kind === w.kind.toLowerCase())
    )
  }
  return isKnownAddon(name) ? [] : workloads.filter((w) => w.namespace === name)
}

export function buildInventory(
  snap: InstalledSnap | undefined,
  status: MicroK8sStatus | undefined,
  serverVersion: string | undefined,
  items: any[]
): Inventory {
  const objects = readObjects(items)
  const uniqueImages = (ws: WorkloadInfo[]) => {
    const seen = new Map<string, ImageRef>()
    for (const w of ws) for (const i of w.images) seen.set(formatImage(i), i)
    return [...seen.values()]
  }
  const calico = objects.workloads.filter((w) => w.namespace === 'kube-system' && /^calico-/.test(w.name))
  return {
    takenAt: new Date().toISOString(),
    snap: snap && {
      channel: snap.tracking,
      version: snap.version,
      revision: snap.revision,
      confinement: snap.confinement,
      held: snap.held
    },
    running: status?.running ?? false,
    serverVersion,
    nodes: objects.nodes,
    cni: calico.length ? { name: 'calico', images: uniqueImages(calico) } : undefined,
    addons: (status?.addons ?? []).map((a) => ({
      name: a.name,
      repository: a.repository,
      enabled: a.enabled,
      label: a.label,
      images: a.enabled ? uniqueImages(addonWorkloads(a.name, objects.workloads)) : []
    })),
    workloads: objects.workloads,
    volumes: objects.volumes
  }
}

/** Why a cluster's contents could not be read when `microk8s status` says it is not running. */
export const NOT_READY = 'the cluster is not ready'

/**
 * Reads the inventory: three `microk8s` calls when the cluster answers (status, unless given; the API server
 * version; one `kubectl get`), none when MicroK8s is absent. Also returns the raw objects of that `get`, so
 * addon arguments can be recovered and the user's workloads compared (pods, ReplicaSets, PodDisruptionBudgets)
 * without another call.
 */
export async function takeInventory(
  microk8s: MicroK8s,
  snap: InstalledSnap | undefined,
  status?: MicroK8sStatus
): Promise<{ inventory: Inventory; items: any[] }> {
  if (!snap) return { inventory: buildInventory(undefined, undefined, undefined, []), items: [] }
  const st = status ?? (await microk8s.status())
  if (!st.running) {
    return { inventory: { ...buildInventory(snap, st, undefined, []), unreadable: NOT_READY }, items: [] }
  }
  const serverVersion = await microk8s.serverVersion()
  const list = await microk8s.kubectlJson<{ items: any[] }>([
    'get',
    'nodes,deployments,daemonsets,statefulsets,persistentvolumes,persistentvolumeclaims,pods,replicasets,poddisruptionbudgets',
    '-A'
  ])
  const items = list.items ?? []
  return { inventory: buildInventory(snap, st, serverVersion, items), items }
}

// ---------------------------------------------------------------------------------------------------------

export type ChangeState = 'upgraded' | 'downgraded' | 'unchanged' | 'changed' | 'added' | 'removed' | 'unknown'

export interface Change {
  /** `core`, `kubernetes`, `node`, `cni`, `addon`, `image`. */
  kind: string
  component: string
  before?: string
  after?: string
  state: ChangeState
  /** For images: the addon they belong to. */
  addon?: string
  /** What the target snap's addon repository installs, where the catalog knows it. */
  shipped?: string
  /** A side that could not be read, and why: its value is unknown, not absent. */
  unreadable?: { before?: string; after?: string }
}

/**
 * Orders version-like strings by semver (`v1.30.14`, `1.10.1`; pre-releases first: `v0.8.0-rc.1` < `v0.8.0`);
 * `1.10` and `v3` count as `1.10.0` and `3.0.0`. Undefined when either is not a version (`latest`, `1.2.3.4`).
 */
export function compareVersions(a: string, b: string): number | undefined {
  const pa = asSemver(a)
  const pb = asSemver(b)
  return pa && pb ? semver.compare(pa, pb) : undefined
}

function asSemver(text: string): semver.SemVer | undefined {
  const full = semver.parse(text, { loose: true })
  if (full) return full
  // One or two numbers (`v3`, `1.10`) are a version with the rest zero; other shapes are not versions.
  return /^v?\d+(?:\.\d+)?$/.test(text) ? (semver.coerce(text) ?? undefined) : undefined
}

export function changeState(before: string | undefined, after: string | undefined): ChangeState {
  if (before === undefined && after === undefined) return 'unchanged'
  if (before === undefined) return 'added'
  if (after === undefined) return 'removed'
  if (before === after) return 'unchanged'
  const c = compareVersions(after, before)
  return c === undefined ? 'changed' : c > 0 ? 'upgraded' : c < 0 ? 'downgraded' : 'unchanged'
}

const imageVersion = (i: ImageRef) => (i.tag ?? '') + (i.digest ? `@${i.digest}` : '') || 'latest'

/**
 * A row per component: the snap, Kubernetes, each node, the CNI, each addon (enabled state) and each image of
 * each addon (by repository, so `controller:v1.8.0` → `controller:v1.11.5` is one upgraded row).
 */
export function compareInventories(
  before: Inventory,
  after: Inventory,
  shipped: (addon: string) => Record<string, string> = () => ({})
): Change[] {
  const rows: Change[] = []
  const row = (kind: string, component: string, b?: string, a?: string, extra: Partial<Change> = {}) =>
    rows.push({ kind, component, before: b, after: a, state: changeState(b, a), ...extra })

  row('core', 'microk8s snap', before.snap?.version, after.snap?.version)
  row('core', 'snap channel', before.snap?.channel, after.snap?.channel)
  if (before.snap || after.snap) {
    const rb = before.snap ? String(before.snap.revision) : undefined
    const ra = after.snap ? String(after.snap.revision) : undefined
    rows.push({
      kind: 'core',
      component: 'snap revision',
      before: rb,
      after: ra,
      state: rb === ra ? 'unchanged' : rb && ra ? 'changed' : changeState(rb, ra)
    })
  }
  if (before.unreadable !== undefined || after.unreadable !== undefined) {
    compareUnreadable(rows, before, after)
    return rows
  }
  row('kubernetes', 'API server', before.serverVersion, after.serverVersion)
  const nodeNames = [...new Set([...before.nodes, ...after.nodes].map((n) => n.name))]
  for (const name of nodeNames) {
    row(
      'node',
      `kubelet on ${name}`,
      before.nodes.find((n) => n.name === name)?.kubeletVersion,
      after.nodes.find((n) => n.name === name)?.kubeletVersion
    )
  }
  compareImages(rows, 'cni', before.cni?.images ?? [], after.cni?.images ?? [], undefined, shipped('calico'))

  const addonNames = [...new Set([...before.addons, ...after.addons].filter((a) => a.enabled).map((a) => a.name))]
  for (const name of addonNames) {
    const b = before.addons.find((a) => a.name === name)
    const a = after.addons.find((x) => x.name === name)
    const bState = b?.enabled ? 'enabled' : before.snap ? 'disabled' : undefined
    const aState = a?.enabled ? 'enabled' : 'disabled'
    rows.push({
      kind: 'addon',
      component: name,
      before: bState,
      after: aState,
      state: bState === aState ? 'unchanged' : aState === 'enabled' ? 'added' : 'removed'
    })
    compareImages(rows, 'image', b?.enabled ? b.images : [], a?.enabled ? a.images : [], name, shipped(name))
  }
  return rows
}

/**
 * When one side (or both) could not be read, only the snap rows above are compared: each component the readable
 * side shows gets a row whose other side is unknown, never "removed" or "added".
 */
function compareUnreadable(rows: Change[], before: Inventory, after: Inventory): void {
  const unreadable = {
    ...(before.unreadable !== undefined ? { before: before.unreadable } : {}),
    ...(after.unreadable !== undefined ? { after: after.unreadable } : {})
  }
  const unknown = (kind: string, component: string, b?: string, a?: string, extra: Partial<Change> = {}) =>
    rows.push({ kind, component, before: b, after: a, state: 'unknown', unreadable, ...extra })
  const known = (inv: Inventory) => (inv.unreadable === undefined ? inv : undefined)
  const b = known(before)
  const a = known(after)
  unknown('kubernetes', 'API server', b?.serverVersion, a?.serverVersion)
  const nodes = [...new Set([...(b?.nodes ?? []), ...(a?.nodes ?? [])].map((n) => n.name))]
  for (const name of nodes) {
    unknown(
      'node',
      `kubelet on ${name}`,
      b?.nodes.find((n) => n.name === name)?.kubeletVersion,
      a?.nodes.find((n) => n.name === name)?.kubeletVersion
    )
  }
  for (const image of [...(b?.cni?.images ?? []), ...(a?.cni?.images ?? [])]) {
    const version = imageVersion(image)
    unknown('cni', image.repository, b && version, a && version)
  }
  const enabled = [...(b?.addons ?? []), ...(a?.addons ?? [])].filter((x) => x.enabled).map((x) => x.name)
  for (const name of new Set(enabled)) unknown('addon', name, b && 'enabled', a && 'enabled')
}

function compareImages(
  rows: Change[],
  kind: string,
  before: ImageRef[],
  after: ImageRef[],
  addon?: string,
  shipped: Record<string, string> = {}
): void {
  const repos = [...new Set([...before, ...after].map((i) => i.repository))]
  for (const repo of repos) {
    const b = before.find((i) => i.repository === repo)
    const a = after.find((i) => i.repository === repo)
    const bv = b && imageVersion(b)
    const av = a && imageVersion(a)
    // Compare tags; the same tag with another digest is a change of content, not of version.
    const state =
      b && a && b.tag === a.tag
        ? b.digest === a.digest
          ? 'unchanged'
          : 'changed'
        : changeState(b && (b.tag ?? 'latest'), a && (a.tag ?? 'latest'))
    rows.push({
      kind,
      component: repo,
      before: bv,
      after: av,
      state,
      ...(addon ? { addon } : {}),
      ...(shipped[repo] ? { shipped: shipped[repo] } : {})
    })
  }
}
