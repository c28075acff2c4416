/**
 * The user's workloads as one read shows them: the inventory's `kubectl get` (cluster/inventory.ts), which also
 * lists pods, ReplicaSets and PodDisruptionBudgets. Pure: objects in, facts out.
 *
 * - The user's namespaces are those that are neither Kubernetes' own (kube-system, kube-public, kube-node-lease)
 *   nor an addon's: every namespace the catalog's addons deploy into at any release (catalog `addonNamespaces`),
 *   and for an enabled addon the catalog does not know (a community addon), the namespace named after it.
 * - A workload is a Deployment, StatefulSet or DaemonSet. Its pods are found as its controller owns them, by the
 *   pod's controller ownerReference (uid, else name; a pod without a controller reference is no workload's): a StatefulSet's and a DaemonSet's directly, a Deployment's
 *   through the ReplicaSets it owns.
 * - Its revision is what a rollout changes: a Deployment's current ReplicaSet (the highest
 *   `deployment.kubernetes.io/revision`), a StatefulSet's `status.updateRevision`, a DaemonSet's pods'
 *   `controller-revision-hash`. kubernetes/kubernetes test/e2e/upgrades/apps/deployments.go checks the same for a
 *   Deployment: its ReplicaSets must be the ones it had before the upgrade.
 * - Available is the controller's own count against what it wants: `availableReplicas` of `spec.replicas` (a
 *   StatefulSet's `readyReplicas` where no `availableReplicas` is reported), a DaemonSet's `numberAvailable` of
 *   `desiredNumberScheduled`.
 * - A PodDisruptionBudget (policy/v1) covers a workload when its selector matches the workload's pod template
 *   labels in the same namespace: `matchLabels` and `matchExpressions` (In, NotIn, Exists, DoesNotExist); an empty
 *   selector matches every pod of the namespace, an absent one none (k8s.io/api policy/v1 types.go).
 */
import { addonNamespaces, isKnownAddon } from '../catalog/index.js'

export const KUBERNETES_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease']

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet'
const KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'DaemonSet']

export interface PodFacts {
  name: string
  uid: string
  /** The sum of its containers' (and init containers') restartCount. */
  restarts: number
}

export interface WorkloadFacts {
  namespace: string
  kind: WorkloadKind
  name: string
  desired: number
  available: number
  /** What a rollout changes (see above); absent when the read does not show it. */
  revision?: string
  /** The labels of its pod template, which a PodDisruptionBudget's selector is matched against. */
  templateLabels: Record<string, string>
  pods: PodFacts[]
  /** The PersistentVolumeClaims its pods mount. */
  claims: string[]
}

export interface ClaimFacts {
  namespace: string
  name: string
  phase: string
}

export interface BudgetFacts {
  namespace: string
  name: string
  /** The LabelSelector as the API server returns it; absent: it selects nothing. */
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: LabelRequirement[] }
}

interface LabelRequirement {
  key: string
  operator: string
  values?: string[]
}

export interface WorkloadSnapshot {
  workloads: WorkloadFacts[]
  claims: ClaimFacts[]
  budgets: BudgetFacts[]
}

/** Whether a namespace is the user's (not Kubernetes' nor an addon's); `unknownAddons` are enabled community addons. */
export function userNamespaceRule(enabledAddons: readonly string[]): (namespace: string) => boolean {
  const notUser = new Set([
    ...KUBERNETES_NAMESPACES,
    ...addonNamespaces(),
    ...enabledAddons.filter((a) => !isKnownAddon(a))
  ])
  return (namespace) => !notUser.has(namespace)
}

const num = (v: unknown, fallback = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback)
/** A list from the API answer, or none: a field of the wrong shape is read as empty, never iterated. */
const list = (v: unknown): any[] => (Array.isArray(v) ? v : [])
/** A string-to-string map from the API answer (labels, matchLabels), without entries of another shape. */
const labelMap = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {}
const ns = (o: any): string => String(o?.metadata?.namespace ?? 'default')

/** The controller ownerReference of an object, when it has one. */
function controllerOf(o: any): { kind?: string; name?: string; uid?: string } | undefined {
  return list(o?.metadata?.ownerReferences).find((r) => r?.controller === true)
}

/** Whether `ref` names `owner` (by uid when both have one, else by kind and name). */
function owns(owner: any, ref: { kind?: string; name?: string; uid?: string } | undefined): boolean {
  if (!ref || ref.kind !== owner.kind) return false
  if (ref.uid && owner.metadata?.uid) return ref.uid === owner.metadata.uid
  return ref.name === owner.metadata?.name
}

function restartsOf(pod: any): number {
  const statuses = [...list(pod.status?.initContainerStatuses), ...list(pod.status?.containerStatuses)]
  return statuses.reduce((n: number, s: any) => n + num(s?.restartCount), 0)
}

function claimsOf(pod: any): string[] {
  return list(pod.spec?.volumes)
    .map((v) => v?.persistentVolumeClaim?.claimName)
    .filter((c): c is string => typeof c === 'string')
}

const revisionNumber = (rs: any) => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision']) || 0

/** The Deployment's current ReplicaSet: the highest revision, else the one running pods. */
function currentReplicaSet(sets: any[]): any | undefined {
  return [...sets].sort(
    (a, b) => revisionNumber(b) - revisionNumber(a) || num(b.spec?.replicas) - num(a.spec?.replicas)
  )[0]
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0]
}

/** The facts of one read: `items` from the inventory's `kubectl get`, `isUser` from userNamespaceRule. */
export function readWorkloads(items: readonly any[], isUser: (namespace: string) => boolean): WorkloadSnapshot {
  const mine = items.filter((o) => o && typeof o === 'object' && isUser(ns(o)))
  const of = (kind: string) => mine.filter((o) => o.kind === kind)
  const pods = of('Pod')
  const replicaSets = of('ReplicaSet')
  const workloads: WorkloadFacts[] = []
  for (const w of mine.filter((o) => KINDS.includes(o.kind))) {
    const kind = w.kind as WorkloadKind
    const sameNs = (o: any) => ns(o) === ns(w)
    let owned: any[]
    let revision: string | undefined
    if (kind === 'Deployment') {
      const sets = replicaSets.filter((rs) => sameNs(rs) && owns(w, controllerOf(rs)))
      owned = pods.filter((p) => sameNs(p) && sets.some((rs) => owns(rs, controllerOf(p))))
      revision = currentReplicaSet(sets)?.metadata?.name
    } else {
      owned = pods.filter((p) => sameNs(p) && owns(w, controllerOf(p)))
      revision =
        kind === 'StatefulSet'
          ? w.status?.updateRevision
          : mostCommon(owned.map((p) => p.metadata?.labels?.['controller-revision-hash']).filter(Boolean))
    }
    const desired = kind === 'DaemonSet' ? num(w.status?.desiredNumberScheduled) : num(w.spec?.replicas, 1)
    // A Deployment omits availableReplicas when it is 0 (omitempty): absent is none available, not "as ready".
    const available =
      kind === 'DaemonSet'
        ? num(w.status?.numberAvailable)
        : kind === 'StatefulSet'
          ? num(w.status?.availableReplicas, num(w.status?.readyReplicas))
          : num(w.status?.availableReplicas)
    workloads.push({
      namespace: ns(w),
      kind,
      name: String(w.metadata?.name ?? '?'),
      desired,
      available,
      ...(revision ? { revision: String(revision) } : {}),
      templateLabels: labelMap(w.spec?.template?.metadata?.labels),
      pods: owned
        .map((p) => ({
          name: String(p.metadata?.name ?? '?'),
          // A pod is known by its uid; by its name (unique in its namespace) when the answer has none.
          uid: String(p.metadata?.uid ?? `name:${p.metadata?.name ?? '?'}`),
          restarts: restartsOf(p)
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      claims: [...new Set(owned.flatMap(claimsOf))].sort()
    })
  }
  workloads.sort((a, b) => key(a).localeCompare(key(b)))
  return {
    workloads,
    claims: of('PersistentVolumeClaim')
      .map((c) => ({
        namespace: ns(c),
        name: String(c.metadata?.name ?? '?'),
        phase: String(c.status?.phase ?? 'Unknown')
      }))
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
    budgets: of('PodDisruptionBudget').map((b) => ({
      namespace: ns(b),
      name: String(b.metadata?.name ?? '?'),
      ...(b.spec?.selector && typeof b.spec.selector === 'object' && !Array.isArray(b.spec.selector)
        ? {
            selector: {
              matchLabels: labelMap(b.spec.selector.matchLabels),
              matchExpressions: list(b.spec.selector.matchExpressions)
                .filter((r) => typeof r?.key === 'string' && typeof r?.operator === 'string')
                .map((r) => ({
                  key: r.key,
                  operator: r.operator,
                  values: list(r.values).filter((v) => typeof v === 'string')
                }))
            }
          }
        : {})
    }))
  }
}

/** `Deployment demo/web`: a workload's name in the report. */
export const key = (w: { kind: string; namespace: string; name: string }) => `${w.kind} ${w.namespace}/${w.name}`

/** Whether a LabelSelector selects an object with these labels. */
export function selects(selector: BudgetFacts['selector'], labels: Record<string, string>): boolean {
  if (!selector) return false
  const matchLabels = selector.matchLabels ?? {}
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false
  return (selector.matchExpressions ?? []).every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key)
    const values = r.values ?? []
    switch (r.operator) {
      case 'In':
        return has && values.includes(labels[r.key])
      case 'NotIn':
        return !has || !values.includes(labels[r.key])
      case 'Exists':
        return has
      case 'DoesNotExist':
        return !has
      default:
        // An operator the API server would have refused: selects nothing rather than everything.
        return false
    }
  })
}

/** The PodDisruptionBudgets that cover a workload's pods. */
export function budgetsFor(w: WorkloadFacts, budgets: readonly BudgetFacts[]): string[] {
  return budgets
    .filter((b) => b.namespace === w.namespace && selects(b.selector, w.templateLabels))
    .map((b) => b.name)
    .sort()
}
