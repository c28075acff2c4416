/**
 * Did the user's pods survive? The comparison of two reads of the user's workloads (cluster/workloads.ts), one
 * before the first change and one at the end, as the report's `workloads` record (docs/disruption.md
 * "Workloads"). Pure.
 *
 * Per workload: the restarts during the run (each pod's restartCount growth, by uid; a pod that is new counts its
 * whole restartCount), the pods replaced (uids gone and new), a rollout (its revision changed: a Deployment's new
 * ReplicaSet is the unexpected rollout kubernetes/kubernetes test/e2e/upgrades/apps/deployments.go fails on), how
 * many of its pods are available at each end, and the PodDisruptionBudgets that cover it. Per claim in the user's
 * namespaces: its phase at each end. A side that could not be read is "not read" with the reason: then nothing is
 * compared, and what the other side shows is listed without a verdict.
 */
import {
  budgetsFor,
  key,
  type ClaimFacts,
  type WorkloadFacts,
  type WorkloadKind,
  type WorkloadSnapshot
} from './workloads.js'

/** One read: when it was taken, or why it could not be. */
export type WorkloadRead = { read: true; takenAt: string } | { read: false; reason: string }

export interface WorkloadRow {
  namespace: string
  kind: WorkloadKind
  name: string
  /** `kept`: there at both reads; `gone`: only before; `new`: only at the end (absent when not compared). */
  presence?: 'kept' | 'gone' | 'new'
  /** What it wants at the end (before, when it is gone or the end was not read). */
  desired: number
  availableBefore?: number
  availableAfter?: number
  /** Container restarts during the run (absent when not compared). */
  restarts?: number
  /** Each pod that restarted during the run, with how often. */
  restartedPods?: Array<{ pod: string; restarts: number }>
  /** Pods (by uid) there before and not at the end, and there at the end and not before. */
  podsGone?: string[]
  podsNew?: string[]
  /** Its revision before and at the end, when it changed: for a Deployment, a new ReplicaSet (an unexpected rollout). */
  rollout?: { before: string; after: string }
  /** The PodDisruptionBudgets that cover its pods (at the end, or before when the end was not read). */
  budgets: string[]
}

export interface ClaimRow {
  namespace: string
  name: string
  /** The phase at each read; absent: the claim did not exist then (or that side was not read). */
  before?: string
  after?: string
  /** The workload whose pods mount it (`StatefulSet demo/db`), when one does. */
  usedBy?: string
}

export interface WorkloadsRecord {
  before: WorkloadRead
  after: WorkloadRead
  /** Both reads succeeded: the rows' restarts, replacements and rollouts are measured. */
  compared: boolean
  /** The user's namespaces that held a workload or a claim at either read. */
  namespaces: string[]
  workloads: WorkloadRow[]
  claims: ClaimRow[]
}

export type Side = { snapshot: WorkloadSnapshot; takenAt: string } | { reason: string }

const readOf = (s: Side): WorkloadRead =>
  'snapshot' in s ? { read: true, takenAt: s.takenAt } : { read: false, reason: s.reason }

/** Restarts during the run: a pod there at both reads counts its growth, a new pod its whole count. */
function restartsBetween(
  before: WorkloadFacts | undefined,
  after: WorkloadFacts
): Array<{ pod: string; restarts: number }> {
  const earlier = new Map((before?.pods ?? []).map((p) => [p.uid, p.restarts]))
  return after.pods
    .map((p) => ({ pod: p.name, restarts: Math.max(0, p.restarts - (earlier.get(p.uid) ?? 0)) }))
    .filter((p) => p.restarts > 0)
}

function compareOne(b: WorkloadFacts | undefined, a: WorkloadFacts | undefined, budgets: string[]): WorkloadRow {
  const w = (a ?? b)!
  const restarted = a ? restartsBetween(b, a) : []
  const beforeUids = new Set((b?.pods ?? []).map((p) => p.uid))
  const afterUids = new Set((a?.pods ?? []).map((p) => p.uid))
  const rollout =
    b?.revision && a?.revision && b.revision !== a.revision ? { before: b.revision, after: a.revision } : undefined
  return {
    namespace: w.namespace,
    kind: w.kind,
    name: w.name,
    presence: a && b ? 'kept' : a ? 'new' : 'gone',
    desired: w.desired,
    ...(b ? { availableBefore: b.available } : {}),
    ...(a ? { availableAfter: a.available } : {}),
    // A workload gone at the end has no end read of its pods: its restarts were not measured.
    ...(a ? { restarts: restarted.reduce((n, p) => n + p.restarts, 0), restartedPods: restarted } : {}),
    podsGone: (b?.pods ?? []).filter((p) => !afterUids.has(p.uid)).map((p) => p.name),
    podsNew: b ? (a?.pods ?? []).filter((p) => !beforeUids.has(p.uid)).map((p) => p.name) : [],
    ...(rollout ? { rollout } : {}),
    budgets
  }
}

/** The record of two reads (either may have failed). */
export function compareWorkloads(before: Side, after: Side): WorkloadsRecord {
  const b = 'snapshot' in before ? before.snapshot : undefined
  const a = 'snapshot' in after ? after.snapshot : undefined
  const latest = a ?? b
  const budgets = (w: WorkloadFacts) => budgetsFor(w, latest?.budgets ?? [])
  const byKey = (s: WorkloadSnapshot | undefined) => new Map((s?.workloads ?? []).map((w) => [key(w), w]))
  const bw = byKey(b)
  const aw = byKey(a)
  let workloads: WorkloadRow[]
  if (a && b) {
    const keys = [...new Set([...bw.keys(), ...aw.keys()])].sort()
    workloads = keys.map((k) => {
      const later = aw.get(k)
      return compareOne(bw.get(k), later, budgets((later ?? bw.get(k))!))
    })
  } else {
    // One side only: what it shows, without a verdict.
    workloads = (latest?.workloads ?? []).map((w) => ({
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      desired: w.desired,
      ...(a ? { availableAfter: w.available } : { availableBefore: w.available }),
      budgets: budgets(w)
    }))
  }
  const claims = compareClaims(b?.claims, a?.claims, latest?.workloads ?? [])
  const namespaces = [...new Set([...workloads, ...claims].map((x) => x.namespace))].sort()
  return { before: readOf(before), after: readOf(after), compared: Boolean(a && b), namespaces, workloads, claims }
}

function compareClaims(
  before: ClaimFacts[] | undefined,
  after: ClaimFacts[] | undefined,
  workloads: WorkloadFacts[]
): ClaimRow[] {
  const id = (c: { namespace: string; name: string }) => `${c.namespace}/${c.name}`
  const b = new Map((before ?? []).map((c) => [id(c), c]))
  const a = new Map((after ?? []).map((c) => [id(c), c]))
  return [...new Set([...b.keys(), ...a.keys()])].sort().map((k) => {
    const c = (a.get(k) ?? b.get(k))!
    const user = workloads.find((w) => w.namespace === c.namespace && w.claims.includes(c.name))
    return {
      namespace: c.namespace,
      name: c.name,
      ...(b.has(k) ? { before: b.get(k)!.phase } : {}),
      ...(a.has(k) ? { after: a.get(k)!.phase } : {}),
      ...(user ? { usedBy: key(user) } : {})
    }
  })
}

/** What a reader must look at: the findings of a compared record, one line each (for the log and the warnings). */
export function workloadFindings(r: WorkloadsRecord): string[] {
  if (!r.compared) return []
  const out: string[] = []
  for (const w of r.workloads) {
    const id = key(w)
    if (w.presence === 'gone') out.push(`${id} is gone`)
    if (w.rollout) out.push(`${id} was rolled out during the run (${w.rollout.before} → ${w.rollout.after})`)
    else if (w.podsGone?.length) out.push(`${id}: pods replaced (${w.podsGone.join(', ')} gone)`)
    if (w.presence !== 'gone' && (w.availableAfter ?? 0) < w.desired)
      out.push(`${id}: ${w.availableAfter ?? 0} of ${w.desired} available at the end`)
  }
  for (const c of r.claims) {
    if (c.before === 'Bound' && c.after !== 'Bound')
      out.push(`claim ${c.namespace}/${c.name} was Bound and is ${c.after ?? 'gone'} at the end`)
  }
  return out
}
