// Pods as the kubelet reports them, derived when a command looks (never stored): one per Deployment, DaemonSet or
// StatefulSet (the simulation runs one replica of each), Running and Ready a moment after the cluster is, unless
// it crash-loops. Facts: docs/strict-apparmor.md §1–§3 and §6.
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

const WORKLOAD_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet']

/** The last strict minor whose containerd profile the mediating kernel denies sockets (docs/strict-apparmor.md §1). */
export const LAST_DENIED_STRICT_MINOR = 33

/** A stable short hash of a string, as the pod-template-hash and the pod suffix look. */
function shortHash(text, length) {
  let h = 2166136261
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'
  let out = ''
  for (let i = 0; out.length < length; i++) {
    out += alphabet[(h >>> (i % 24)) % alphabet.length]
    h = Math.imul(h ^ i, 2654435761) >>> 0
  }
  return out
}

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

/** The pod of one workload as the API server shows it now. */
function podOf(state, workload) {
  const c = state.cluster
  const ns = workload.metadata.namespace ?? 'default'
  const name = workload.metadata.name
  const labels = workload.spec?.selector?.matchLabels ?? { app: name }
  const suffix = shortHash(`${workload.metadata.uid}/pod`, 5)
  const podName =
    workload.kind === 'Deployment'
      ? `${name}-${shortHash(`${workload.metadata.uid}/rs`, 10)}-${suffix}`
      : workload.kind === 'StatefulSet'
        ? `${name}-0`
        : `${name}-${suffix}`
  const startedAt = Math.max(c.readyAt ?? 0, Date.parse(workload.metadata.creationTimestamp) || 0)
  const elapsed = (Date.now() - startedAt) / 1000 / (state.timeScale ?? 0.001)
  const log = crashLog(state, workload)
  const readyAt = startedAt + realMs(state, state.readiness?.podsAfterReady ?? 2)
  const containers = workload.spec?.template?.spec?.containers ?? [{ name, image: '' }]
  const crashing = log !== undefined && elapsed >= 1
  const ready = !log && Date.now() >= readyAt
  const statuses = containers.map((ct, i) => {
    const base = { name: ct.name, image: ct.image, imageID: '', started: ready }
    if (!crashing || i > 0)
      return { ...base, ready, restartCount: 0, state: { running: { startedAt: kubeTime(startedAt) } } }
    const restarts = restartsBy(elapsed)
    return {
      ...base,
      ready: false,
      started: false,
      restartCount: restarts + 1,
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
  const pod = makeObject('Pod', {
    namespace: ns,
    name: podName,
    labels,
    spec: { containers: containers.map((ct) => ({ name: ct.name, image: ct.image })) }
  })
  pod.metadata.uid = `${workload.metadata.uid}-pod`
  pod.metadata.creationTimestamp = kubeTime(startedAt)
  pod.metadata.ownerReferences = [
    { kind: workload.kind === 'Deployment' ? 'ReplicaSet' : workload.kind, name, controller: true }
  ]
  pod.status = {
    phase: 'Running',
    conditions: [
      { type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'ContainersNotReady' }) }
    ],
    startTime: kubeTime(startedAt),
    containerStatuses: statuses
  }
  pod._log = log
  pod._workload = workload
  return pod
}

/** Every pod of the cluster now (none while it is not ready). */
export function podsOf(state) {
  return state.cluster.objects.filter((o) => WORKLOAD_KINDS.includes(o.kind)).map((w) => podOf(state, w))
}

/** The workload's own status, as its controller reports it from its pod. */
export function workloadStatus(state, workload) {
  const ready = podOf(state, workload).status.conditions[0].status === 'True' ? 1 : 0
  if (workload.kind === 'DaemonSet')
    return { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: ready, numberAvailable: ready }
  return { replicas: 1, readyReplicas: ready, availableReplicas: ready, updatedReplicas: 1 }
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
  const pod = podsOf(state).find((p) => p.metadata.name === podName && p.metadata.namespace === ns)
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
