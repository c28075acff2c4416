// Pods as the kubelet reports them, derived when a command looks (never stored): `spec.replicas` pods per
// Deployment or StatefulSet and one per DaemonSet (the simulated node), with the ReplicaSets of each Deployment.
// Which generation of pods runs, and how often a refresh restarted their containers, is pod-lifecycle.mjs's:
// pods keep their uid across a refresh unless something deletes them, a Deployment's pods are owned by the
// ReplicaSet of their `pod-template-hash`, a StatefulSet's and DaemonSet's by the workload (with their
// `controller-revision-hash`), each owner named with its uid as `kubectl get -o json` shows it. Pods are Running
// and Ready a moment after the cluster is, unless they crash-loop. Facts: docs/strict-apparmor.md §1–§3 and §6,
// docs/disruption.md "Workloads".
//
// A pod crash-loops (CrashLoopBackOff, a growing restart count, the previous container's log) when
// - the kernel mediates AppArmor's `net` class (the scenario's `kernel.apparmor: network_v9`) and the snap is a
//   strict track up to 1.33, whose containerd applies a `cri-containerd.apparmor.d` profile that the kernel denies
//   sockets under: every container but a privileged one (containerd's CRI gives a privileged container no default
//   profile, so calico-node runs); the kernel log gets one `apparmor="DENIED"` line per container start;
// - a scenario's `crashLoops` entry names the workload (`namespace/name`), on the channels it lists (all when it
//   lists none), with the log line its container ends on.
import { realMs } from './state.mjs'
import { makeObject } from './objects.mjs'
import {
  WORKLOAD_KINDS,
  lifecycle,
  ownerReference,
  replicaSetName,
  replicaSetsOf,
  replicaSetUid,
  shortHash,
  stableUid
} from './pod-lifecycle.mjs'

/** The last strict minor whose containerd profile the mediating kernel denies sockets (docs/strict-apparmor.md §1). */
export const LAST_DENIED_STRICT_MINOR = 33

function minorOf(version) {
  return Number(/^v?1\.(\d+)/.exec(version ?? '')?.[1])
}

/** Whether containerd's profile denies this workload's containers sockets on this host. */
function apparmorDenies(state, workload) {
  if (state.kernel?.apparmor !== 'network_v9') return false
  if (state.snap?.confinement !== 'strict' || !(minorOf(state.snap.version) <= LAST_DENIED_STRICT_MINOR)) return false
  const containers = workload.spec?.template?.spec?.containers ?? []
  return !containers.every((c) => c.securityContext?.privileged === true)
}

/** What the container of a workload ends on when it cannot create a socket (the quotes of docs/strict-apparmor.md §3). */
function deniedLog(workload) {
  if (workload.metadata.name === 'coredns') return 'Listen: listen tcp :8080: socket: permission denied'
  return 'Failed to reach the API server: Get "https://10.152.183.1:443/api": dial tcp 10.152.183.1:443: socket: permission denied'
}

/** Why this workload's pod crash-loops now, as the log line its container ends on; undefined when it runs. */
export function crashLog(state, workload) {
  const id = `${workload.metadata.namespace ?? 'default'}/${workload.metadata.name}`
  const listed = (state.crashLoops ?? []).find(
    (c) => c.workload === id && (!c.on?.length || c.on.includes(state.snap?.tracking))
  )
  if (listed) return listed.log ?? 'panic: crash-looping'
  if (apparmorDenies(state, workload)) return deniedLog(workload)
  return undefined
}

/** The kubelet's restart back-off: 10 s doubling up to 5 min (simulated seconds). */
function restartsBy(elapsedSeconds) {
  let restarts = 0
  let at = 1
  while (restarts < 50) {
    at += Math.min(10 * 2 ** restarts, 300) + 1
    if (at > elapsedSeconds) break
    restarts++
  }
  return restarts
}

function kubeTime(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** How many pods a workload runs: its replicas (a DaemonSet one, on the simulated node). */
function desiredPods(workload) {
  if (workload.kind === 'DaemonSet') return 1
  const n = Number(workload.spec?.replicas ?? 1)
  return Number.isInteger(n) && n >= 0 ? n : 1
}

/** The pods of one workload as the API server shows them now (pod-lifecycle.mjs says which generation runs). */
function podsOfWorkload(state, workload) {
  const c = state.cluster
  const ns = workload.metadata.namespace ?? 'default'
  const name = workload.metadata.name
  const life = lifecycle(workload)
  const hash = life.revisions.at(-1)
  const selector = workload.spec?.selector?.matchLabels ?? { app: name }
  const labels = { ...(workload.spec?.template?.metadata?.labels ?? {}), ...selector }
  const rsName = replicaSetName(workload, hash)
  const owner =
    workload.kind === 'Deployment'
      ? ownerReference(workload, 'ReplicaSet', rsName, replicaSetUid(workload, hash))
      : ownerReference(workload)
  // Ready again a moment after the cluster is (a restarted kubelet probes every pod anew), or after the pod started.
  const startedAt = Math.max(c.readyAt ?? 0, life.since)
  const elapsed = (Date.now() - startedAt) / 1000 / (state.timeScale ?? 0.001)
  const log = crashLog(state, workload)
  const readyAt = startedAt + realMs(state, state.readiness?.podsAfterReady ?? 2)
  const containers = workload.spec?.template?.spec?.containers ?? [{ name, image: '' }]
  const crashing = log !== undefined && elapsed >= 1
  const ready = !log && Date.now() >= readyAt
  return Array.from({ length: desiredPods(workload) }, (_, index) => {
    const key = `${workload.metadata.uid}/${hash}/${life.gen}/${index}`
    const podName =
      workload.kind === 'Deployment'
        ? `${rsName}-${shortHash(key, 5)}`
        : workload.kind === 'StatefulSet'
          ? `${name}-${index}`
          : `${name}-${shortHash(key, 5)}`
    const runningSince = life.lastRestartAt ?? life.since
    // A container the new kubelet restarted in place (pod-lifecycle.mjs): it ran, stopped on SIGTERM, runs again.
    const restartedByKubelet = life.lastRestartAt
      ? {
          terminated: {
            exitCode: 0,
            reason: 'Completed',
            startedAt: kubeTime(life.since),
            finishedAt: kubeTime(life.lastRestartAt)
          }
        }
      : undefined
    const statuses = containers.map((ct, i) => {
      const base = { name: ct.name, image: ct.image, imageID: '', started: ready }
      if (!crashing || i > 0)
        return {
          ...base,
          ready,
          restartCount: life.restarts,
          state: { running: { startedAt: kubeTime(Math.max(runningSince, startedAt)) } },
          ...(restartedByKubelet ? { lastState: restartedByKubelet } : {})
        }
      const restarts = restartsBy(elapsed)
      return {
        ...base,
        ready: false,
        started: false,
        restartCount: life.restarts + restarts + 1,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${Math.min(10 * 2 ** restarts, 300)}s restarting failed container=${ct.name} pod=${podName}_${ns}(${workload.metadata.uid})`
          }
        },
        // The manifests set no terminationMessagePolicy (File): the message stays empty; the log says why.
        lastState: {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            startedAt: kubeTime(Date.now() - realMs(state, 1)),
            finishedAt: kubeTime(Date.now())
          }
        }
      }
    })
    const revision =
      workload.kind === 'Deployment'
        ? { 'pod-template-hash': hash }
        : workload.kind === 'StatefulSet'
          ? { 'controller-revision-hash': `${name}-${hash}`, 'statefulset.kubernetes.io/pod-name': podName }
          : { 'controller-revision-hash': hash }
    const template = workload.spec?.template?.spec ?? {}
    const pod = makeObject('Pod', {
      namespace: ns,
      name: podName,
      labels: { ...labels, ...revision },
      spec: {
        containers: containers.map((ct) => ({ name: ct.name, image: ct.image })),
        ...(template.volumes || workload.spec?.volumeClaimTemplates
          ? { volumes: podVolumes(workload, template.volumes ?? [], index) }
          : {}),
        nodeName: state.hostname ?? 'fv-az1234-567'
      }
    })
    pod.metadata.uid = stableUid(key)
    pod.metadata.creationTimestamp = kubeTime(life.since)
    pod.metadata.ownerReferences = [owner]
    pod.status = {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'ContainersNotReady' }) }
      ],
      startTime: kubeTime(life.since),
      containerStatuses: statuses
    }
    pod._log = log
    pod._workload = workload
    return pod
  })
}

/** A pod's volumes: a StatefulSet's claim templates become the pod's own claims (`TEMPLATE-POD`). */
function podVolumes(workload, volumes, index) {
  const claims = (workload.spec?.volumeClaimTemplates ?? []).map((t) => ({
    name: t.metadata.name,
    persistentVolumeClaim: { claimName: `${t.metadata.name}-${workload.metadata.name}-${index}` }
  }))
  return [...volumes, ...claims]
}

/**
 * What the workloads' controllers show now, each workload's pods built once: its status set from them, then every
 * Deployment's ReplicaSets (pod-lifecycle.mjs: one per pod template it ran) and every pod (none while the cluster
 * is not ready).
 */
export function controllerObjects(state) {
  const replicaSets = []
  const pods = []
  for (const w of state.cluster.objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
    const own = podsOfWorkload(state, w)
    const ready = own.filter((p) => p.status.conditions[0].status === 'True').length
    w.status = workloadStatus(w, ready)
    if (w.kind === 'Deployment') replicaSets.push(...replicaSetsOf(w, desiredPods(w), ready))
    pods.push(...own)
  }
  return [...replicaSets, ...pods]
}

/** The workload's own status, as its controller reports it from its pods. */
function workloadStatus(workload, ready) {
  const desired = desiredPods(workload)
  if (workload.kind === 'DaemonSet')
    return { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: ready, numberAvailable: ready }
  const revision = `${workload.metadata.name}-${lifecycle(workload).revisions.at(-1)}`
  return {
    replicas: desired,
    readyReplicas: ready,
    availableReplicas: ready,
    updatedReplicas: desired,
    ...(workload.kind === 'StatefulSet' ? { currentRevision: revision, updateRevision: revision } : {})
  }
}

/** Whether this workload's pod crash-loops now (its rollout never completes). */
export function crashLooping(state, workload) {
  return crashLog(state, workload) !== undefined
}

/**
 * `kubectl logs POD [-c C] [--previous]`: the previous container's log of a crash-looping pod; a pod that never
 * restarted has no previous container (BadRequest, exit 1).
 */
export function podLogs(state, podName, ns, previous) {
  const pod = state.cluster.objects
    .filter((o) => WORKLOAD_KINDS.includes(o.kind))
    .flatMap((w) => podsOfWorkload(state, w))
    .find((p) => p.metadata.name === podName && p.metadata.namespace === ns)
  if (!pod) return { code: 1, err: `Error from server (NotFound): pods "${podName}" not found` }
  const container = pod.spec.containers[0].name
  const restarted = pod.status.containerStatuses[0].lastState?.terminated
  if (previous && !restarted)
    return {
      code: 1,
      err: `Error from server (BadRequest): previous terminated container "${container}" in pod "${podName}" not found`
    }
  if (pod._log) return { code: 0, out: `${pod._log}\n` }
  return { code: 0, out: '' }
}

/**
 * The kernel's ring buffer as `dmesg` prints it: a boot line, then one AppArmor denial per container start that
 * the profile denied a socket (at most the last three starts of each pod).
 */
export function kernelLog(state) {
  const lines = ['[    0.000000] Linux version 6.17.0-1010-azure (buildd@lcy02-amd64-045) #10~24.04.1-Ubuntu SMP']
  if (!state.cluster || state.kernel?.apparmor !== 'network_v9') return lines
  let t = 120.5
  let pid = 4100
  for (const w of state.cluster.objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
    if (!apparmorDenies(state, w)) continue
    const comm = (w.spec?.template?.spec?.containers?.[0]?.name ?? w.metadata.name).slice(0, 15)
    for (let i = 0; i < 3; i++) {
      t += 10.25
      pid += 7
      lines.push(
        `[ ${t.toFixed(6).padStart(11)}] audit: type=1400 audit(1767225600.${String(i).padStart(3, '0')}:${pid}): ` +
          `apparmor="DENIED" operation="create" class="net" profile="cri-containerd.apparmor.d" pid=${pid} ` +
          `comm="${comm}" family="inet" sock_type="stream" protocol=6 requested="create" denied="create"`
      )
    }
  }
  return lines
}
