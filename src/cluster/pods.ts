/**
 * The cluster's own pods (kube-system): which must run, read in one `kubectl get`, and whether they do —
 * Running and Ready, not crash-looping — with what their crashed containers last said
 * (docs/strict-apparmor.md §4). Pods belong to a workload by its `spec.selector.matchLabels`, as its controller
 * counts them.
 *
 * Which ones: Calico's calico-node (DaemonSet) and calico-kube-controllers (Deployment) whenever Calico is the CNI
 * (ha-cluster enabled and kube-ovn not: without ha-cluster MicroK8s runs flannel, and kube-ovn replaces Calico;
 * docs/microk8s-behaviour.md §3.6), and coredns (Deployment) when dns is enabled; names and selectors from the
 * snap's calico.yaml and the dns addon's coredns.yaml.
 */
import type { MicroK8s, MicroK8sStatus } from './microk8s.js'

export interface SystemWorkload {
  namespace: string
  kind: 'daemonset' | 'deployment'
  name: string
}

export const CALICO_WORKLOADS: readonly SystemWorkload[] = [
  { namespace: 'kube-system', kind: 'daemonset', name: 'calico-node' },
  { namespace: 'kube-system', kind: 'deployment', name: 'calico-kube-controllers' }
]
export const COREDNS: SystemWorkload = { namespace: 'kube-system', kind: 'deployment', name: 'coredns' }

/** The system workloads that must run on a cluster with these addons enabled. */
export function requiredSystemWorkloads(status: MicroK8sStatus): SystemWorkload[] {
  const enabled = (name: string) => status.addons.some((a) => a.name === name && a.enabled)
  return [
    ...(enabled('ha-cluster') && !enabled('kube-ovn') ? CALICO_WORKLOADS : []),
    ...(enabled('dns') ? [COREDNS] : [])
  ]
}

export interface PodHealth {
  name: string
  ready: boolean
  /** A container waits in CrashLoopBackOff (or another waiting reason after a crash). */
  crashLooping: boolean
  /** `CrashLoopBackOff, 4 restarts`, `Pending`, `Running, not Ready`. */
  state: string
  /** The container whose last termination says why. */
  container?: string
  /** Its last termination: exit code, reason, and the message when the kubelet kept one. */
  lastTermination?: { exitCode?: number; reason?: string; message?: string }
}

export interface WorkloadHealth {
  workload: SystemWorkload
  found: boolean
  desired: number
  pods: PodHealth[]
  /** At least `desired` pods Ready, none crash-looping. */
  ok: boolean
}

const labelled = (pod: any, selector: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => pod.metadata?.labels?.[k] === v)

function podHealth(pod: any): PodHealth {
  const statuses: any[] = pod.status?.containerStatuses ?? []
  const ready = (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')
  // A container running again after a termination is not crashing: a kubelet that restarts containers in place
  // (a refresh to 1.31, docs/disruption.md "Workloads") leaves it running, not Ready until its probe passes.
  const crashed = statuses.find(
    (s) => s.state?.waiting?.reason === 'CrashLoopBackOff' || (!s.ready && s.lastState?.terminated && !s.state?.running)
  )
  const restarts = statuses.reduce((n, s) => n + (Number(s.restartCount) || 0), 0)
  const waiting = crashed?.state?.waiting?.reason ?? statuses.find((s) => s.state?.waiting)?.state?.waiting?.reason
  const phase = pod.status?.phase ?? 'Unknown'
  const state = waiting
    ? `${waiting}, ${restarts} restart${restarts === 1 ? '' : 's'}`
    : `${phase}${ready ? ', Ready' : ', not Ready'}`
  const terminated = crashed?.lastState?.terminated
  return {
    name: pod.metadata?.name ?? '?',
    ready: ready && !pod.metadata?.deletionTimestamp,
    crashLooping: Boolean(crashed) && !ready,
    state,
    ...(crashed ? { container: String(crashed.name) } : {}),
    ...(terminated
      ? {
          lastTermination: {
            exitCode: terminated.exitCode,
            reason: terminated.reason,
            ...(String(terminated.message ?? '').trim() ? { message: String(terminated.message).trim() } : {})
          }
        }
      : {})
  }
}

/** How each wanted workload's pods stand, from one list of kube-system daemonsets, deployments and pods. */
export function systemPodHealth(items: any[], wanted: readonly SystemWorkload[]): WorkloadHealth[] {
  const pods = items.filter((o) => o.kind === 'Pod')
  return wanted.map((workload) => {
    const kind = workload.kind === 'daemonset' ? 'DaemonSet' : 'Deployment'
    const object = items.find(
      (o) => o.kind === kind && o.metadata?.name === workload.name && o.metadata?.namespace === workload.namespace
    )
    if (!object) return { workload, found: false, desired: 1, pods: [], ok: false }
    const desired =
      kind === 'DaemonSet'
        ? Number(object.status?.desiredNumberScheduled ?? 1)
        : Number(object.spec?.replicas ?? object.status?.replicas ?? 1)
    const selector: Record<string, string> = object.spec?.selector?.matchLabels ?? {}
    const mine = Object.keys(selector).length
      ? pods.filter((p) => p.metadata?.namespace === workload.namespace && labelled(p, selector)).map(podHealth)
      : []
    const ok = mine.filter((p) => p.ready).length >= desired && !mine.some((p) => p.crashLooping)
    return { workload, found: true, desired, pods: mine, ok }
  })
}

/** Reads the system workloads and their pods: `kubectl get daemonsets,deployments,pods -n kube-system`. */
export async function readSystemPods(microk8s: MicroK8s, wanted: readonly SystemWorkload[]): Promise<WorkloadHealth[]> {
  const list = await microk8s.kubectlJson<{ items?: any[] }>([
    'get',
    'daemonsets,deployments,pods',
    '-n',
    'kube-system'
  ])
  return systemPodHealth(list.items ?? [], wanted)
}

/**
 * What a crashed container last said: the termination message when the kubelet kept one, else the last lines of
 * its previous log (`kubectl logs --previous --tail=5`: the manifests set no terminationMessagePolicy, so the
 * message is usually empty). A log that cannot be read says so.
 */
export async function lastWords(microk8s: MicroK8s, namespace: string, pod: PodHealth): Promise<string> {
  const t = pod.lastTermination
  const exit = t ? `exit ${t.exitCode ?? '?'}${t.reason ? ` (${t.reason})` : ''}` : 'no termination recorded'
  if (t?.message) return `${exit}: ${t.message}`
  if (!pod.container) return exit
  const r = await microk8s.previousLog(namespace, pod.name, pod.container, 5)
  const text = r.code === 0 ? r.stdout.trim() : ''
  if (r.code !== 0)
    return `${exit}; its log could not be read (${(r.stderr.trim() || `exit ${r.code}`).split('\n')[0]})`
  // A line of a log is the program's: bounded, so a runaway line cannot fill the report.
  const lines = text.split('\n').map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l))
  return text ? `${exit}: ${lines.join(' / ')}` : `${exit}, nothing logged`
}
