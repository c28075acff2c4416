// What happens to the workloads' pods over the cluster's life, kept on each workload (a private `_pods` record,
// never shown) so that pods.mjs can derive the pods a command sees: which generation of pods runs (a pod deleted
// and recreated by its controller has a new uid), how often their containers were restarted by a refresh, and
// which pod templates a Deployment's ReplicaSets were made from. Facts (docs/disruption.md "Workloads"):
//
// - A refresh restarts kubelite, not the containers: containerd is a `notify` daemon stopped with SIGTERM only, so
//   its shims and the containers keep running (canonical/microk8s snap/snapcraft.yaml `daemon-containerd`,
//   PR #2347; "the K8s services will restart when refreshing but the workloads should stay untouched", #474).
// - The new kubelet compares each running container with its spec by a hash; a kubelet whose hash function
//   differs from the old one's restarts every container in place (same pod, restartCount + 1). 1.31 changed it
//   (kubernetes/kubernetes PR #124220, issue #129385 "All containers restart after kubelet upgrade to v1.31").
// - From 1.29, a refresh on a Calico node deletes every pod with an owner whose volumes mount a hostPath under
//   /var/snap/microk8s/current (canonical/microk8s snap/hooks/configure touches `snapdata-mounts-need-reload`;
//   microk8s-resources/default-hooks/reconcile.d/10-pods-restart runs scripts/kill-host-pods.py
//   --with-snap-data-mounts --with-owner): their controllers create new pods, with new uids.
// - A changed pod template is rolled out: a Deployment gets a new ReplicaSet named after the template's hash
//   (label `pod-template-hash`), the old one is kept scaled to 0 (revisionHistoryLimit 10); a StatefulSet or
//   DaemonSet replaces its pods at a new controller revision. The scenario's `templateChanges` stand for whatever
//   changes a template during an upgrade (an unexpected rollout).
import { createHash } from 'node:crypto'

/** Minors whose kubelet hashes containers differently from the minor before (kubernetes/kubernetes#124220). */
const KUBELET_HASH_CHANGES = [31]
/** The first minor whose configure hook deletes pods that mount the snap's data (canonical/microk8s#4184). */
const SNAP_DATA_PODS_DELETED_FROM = 29
const SNAP_DATA_CURRENT = '/var/snap/microk8s/current/'
/** A Deployment's default revisionHistoryLimit: old ReplicaSets kept. */
const HISTORY = 10
export const WORKLOAD_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet']

/**
 * A stable short hash of a string in the alphabet the API server's names use (SafeEncodeString of
 * k8s.io/apimachinery's rand: consonants and digits), as a pod-template-hash or a pod's suffix look.
 */
export function shortHash(text, length) {
  const bytes = createHash('sha256').update(text).digest()
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'
  let out = ''
  for (let i = 0; out.length < length; i++) out += alphabet[bytes[i % bytes.length] % alphabet.length]
  return out
}

/** A uid in the API server's form (a UUID), stable for the same text. */
export function stableUid(text) {
  const h = createHash('sha256').update(text).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** The hash of a workload's pod template (the Deployment controller's pod-template-hash, the controller revision). */
function templateHash(workload) {
  return shortHash(JSON.stringify(workload.spec?.template ?? {}), 10)
}

/**
 * The workload's pod record, created on first sight; a template that changed since is rolled out here, as the
 * controller would on its next sync: new pods (a new generation), restarts from zero, the new revision last.
 */
export function lifecycle(workload, now = Date.now()) {
  const hash = templateHash(workload)
  const since = Date.parse(workload.metadata.creationTimestamp) || 0
  const p = (workload._pods ??= { gen: 0, restarts: 0, since, revisions: [hash] })
  if (p.revisions.at(-1) !== hash) {
    p.revisions = [...p.revisions.filter((r) => r !== hash), hash].slice(-HISTORY - 1)
    replace(p, now)
  }
  return p
}

function replace(p, at) {
  p.gen += 1
  p.restarts = 0
  p.lastRestartAt = undefined
  p.since = at
}

function mountsSnapData(workload) {
  return (workload.spec?.template?.spec?.volumes ?? []).some((v) =>
    String(v.hostPath?.path ?? '').startsWith(SNAP_DATA_CURRENT)
  )
}

const id = (w) => `${w.metadata.namespace ?? 'default'}/${w.metadata.name}`

/**
 * What a refresh from minor `from` to `to` (channel `channel`) does to every workload's pods once kubelite is back
 * (`at`, the cluster's readiness): a scenario's template change is rolled out; pods that mount the snap's data
 * are deleted and recreated (Calico nodes, from 1.29); otherwise a kubelet that hashes containers differently
 * restarts each container in place.
 */
export function refreshPods(state, { from, to, channel, at }) {
  const hashChanged = KUBELET_HASH_CHANGES.some((m) => from < m && to >= m)
  const calico = Boolean(state.cluster.flags?.['ha-cluster'])
  for (const w of state.cluster.objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
    const p = lifecycle(w, at)
    const change = (state.templateChanges ?? []).find(
      (c) => c.workload === id(w) && (!c.on?.length || c.on.includes(channel))
    )
    if (change) {
      const template = (w.spec.template ??= {})
      template.metadata = {
        ...(template.metadata ?? {}),
        annotations: { ...(template.metadata?.annotations ?? {}), 'sim.microk8s.io/template-changed': channel }
      }
      lifecycle(w, at)
    } else if (calico && to >= SNAP_DATA_PODS_DELETED_FROM && mountsSnapData(w)) {
      replace(p, at)
    } else if (hashChanged) {
      p.restarts += 1
      p.lastRestartAt = at
    }
  }
}

/** The ReplicaSets a Deployment owns: one per pod template it ran (the newest scaled to its replicas, the rest to 0). */
export function replicaSetsOf(deployment, desired, ready) {
  const p = lifecycle(deployment)
  const labels = deployment.spec?.template?.metadata?.labels ?? deployment.spec?.selector?.matchLabels ?? {}
  return p.revisions.map((hash, i) => {
    const current = i === p.revisions.length - 1
    const replicas = current ? desired : 0
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: replicaSetName(deployment, hash),
        namespace: deployment.metadata.namespace ?? 'default',
        uid: replicaSetUid(deployment, hash),
        creationTimestamp: deployment.metadata.creationTimestamp,
        labels: { ...labels, 'pod-template-hash': hash },
        annotations: { 'deployment.kubernetes.io/revision': String(i + 1) },
        ownerReferences: [ownerReference(deployment)]
      },
      spec: { replicas, selector: { matchLabels: { ...labels, 'pod-template-hash': hash } } },
      status: {
        replicas,
        readyReplicas: current ? ready : 0,
        availableReplicas: current ? ready : 0,
        observedGeneration: 1
      }
    }
  })
}

export const replicaSetName = (deployment, hash) => `${deployment.metadata.name}-${hash}`
/** Its uid: the same wherever the ReplicaSet is named (its own object, its pods' ownerReference). */
export const replicaSetUid = (deployment, hash) => stableUid(`${deployment.metadata.uid}/rs/${hash}`)

/** An ownerReferences entry naming `owner` as the controller, as the API server shows it. */
export function ownerReference(owner, kind = owner.kind, name = owner.metadata.name, uid = owner.metadata.uid) {
  return { apiVersion: 'apps/v1', kind, name, uid, controller: true, blockOwnerDeletion: true }
}
