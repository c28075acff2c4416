/**
 * The last part of a hop's verification: the cluster's own pods run (docs/strict-apparmor.md §4). After an
 * install or a refresh, Calico's pods (when Calico is the CNI) and coredns (when dns is enabled) must be Running
 * and Ready, not crash-looping, within wait-timeout; a node that is Ready while no pod can start is not a cluster.
 *
 * When they do not, the error quotes each crashed container's last words (termination message or previous log)
 * and, when a container was denied a socket (`socket: permission denied`) or the kernel log holds containerd's
 * AppArmor `net` denial, says first, in one line, that it is AppArmor and what works instead. A socket denial
 * does not heal: the hop stops as soon as one is seen.
 */
import * as core from '@actions/core'
import type { Cmd } from '../base/cmd.js'
import { StepError } from '../base/errors.js'
import { retry, type Clock, realClock } from '../base/retry.js'
import { strictTrackDenied } from '../catalog/index.js'
import type { MicroK8s, MicroK8sStatus } from '../cluster/microk8s.js'
import {
  lastWords,
  readSystemPods,
  requiredSystemWorkloads,
  type PodHealth,
  type WorkloadHealth
} from '../cluster/pods.js'
import { CONTAINERD_PROFILE, isNetDenial, readKernelDenials } from '../cluster/apparmor.js'
import type { Hop } from './plan.js'
import { wayOut } from './strict-check.js'

export interface SystemPodsContext {
  microk8s: MicroK8s
  cmd: Cmd
  waitTimeoutMs: number
  clock?: Clock
}

const SOCKET_DENIED = /socket: permission denied/

/** Waits until the system pods run; throws a StepError naming the hop, with the diagnosis, when they do not. */
export async function waitForSystemPods(ctx: SystemPodsContext, hop: Hop, status: MicroK8sStatus): Promise<void> {
  const wanted = requiredSystemWorkloads(status)
  if (wanted.length === 0) return
  // What each crashed container said, read once per pod and restart.
  const words = new Map<string, string>()
  let health: WorkloadHealth[] = []
  let denied = false
  let shown = ''
  let shownAt = 0
  const outcome = await retry(
    async () => {
      health = await readSystemPods(ctx.microk8s, wanted)
      if (health.every((w) => w.ok)) return true
      for (const pod of crashed(health)) {
        const key = `${pod.name}/${pod.state}`
        if (!words.has(key)) words.set(key, await lastWords(ctx.microk8s, 'kube-system', pod))
        if (SOCKET_DENIED.test(words.get(key)!)) denied = true
      }
      return denied ? false : undefined
    },
    { attempts: Infinity, baseDelayMs: 250, maxDelayMs: 5000, deadlineMs: ctx.waitTimeoutMs },
    ({ elapsedMs }) => {
      const problem = describe(health, words, false)
      if (problem === shown && elapsedMs - shownAt < 5000) return
      ;[shown, shownAt] = [problem, elapsedMs]
      core.info(`Waiting for the system pods (${Math.round(elapsedMs / 1000)} s): ${problem}`)
    },
    ctx.clock ?? realClock
  )
  if (outcome.value === true) {
    core.info(`System pods Running and Ready: ${wanted.map((w) => w.name).join(', ')}`)
    return
  }
  throw await diagnose(ctx, hop, health, words, denied)
}

function crashed(health: WorkloadHealth[]): PodHealth[] {
  return health.flatMap((w) => w.pods.filter((p) => p.crashLooping))
}

function lastWordsOf(pod: PodHealth, words: Map<string, string>): string | undefined {
  return words.get(`${pod.name}/${pod.state}`)
}

/** Each workload that does not run, its pods' states and their containers' last words. */
function describe(health: WorkloadHealth[], words: Map<string, string>, full: boolean): string {
  const parts = health
    .filter((w) => !w.ok)
    .map((w) => {
      const id = `${w.workload.namespace}/${w.workload.name}`
      if (!w.found) return `${id}: no ${w.workload.kind === 'daemonset' ? 'DaemonSet' : 'Deployment'}`
      if (w.pods.length === 0) return `${id}: no pod`
      const pods = w.pods
        .filter((p) => !p.ready || p.crashLooping)
        .map((p) => {
          const said = full ? lastWordsOf(p, words) : undefined
          return `pod ${p.name} ${p.state}${said ? `, last termination ${said}` : ''}`
        })
      return `${id}: ${pods.join('; ') || `${w.pods.filter((p) => p.ready).length} of ${w.desired} Ready`}`
    })
  return parts.join('; ')
}

async function diagnose(
  ctx: SystemPodsContext,
  hop: Hop,
  health: WorkloadHealth[],
  words: Map<string, string>,
  socketDenied: boolean
): Promise<StepError> {
  const step = `hop ${hop.channelText}`
  const verb = hop.kind === 'install' ? 'installing' : 'refreshing to'
  const kernel = await readKernelDenials(ctx.cmd)
  const netDenials = 'lines' in kernel ? kernel.lines.filter(isNetDenial) : []
  const details = describe(health, words, true)
  const output = [
    ...crashed(health).map((p) => `${p.name}: ${lastWordsOf(p, words) ?? p.state}`),
    ...('lines' in kernel
      ? kernel.lines.length
        ? kernel.lines.map((l) => `kernel: ${l}`)
        : [`kernel log: no AppArmor denial under ${CONTAINERD_PROFILE}`]
      : [`kernel log not read: ${kernel.error}`])
  ].join('\n')
  const when = socketDenied
    ? `after ${verb} ${hop.channelText} the system pods cannot run`
    : `after ${verb} ${hop.channelText} the system pods did not run within wait-timeout (${Math.round(ctx.waitTimeoutMs / 1000)} s)`
  if (!socketDenied && netDenials.length === 0) {
    return new StepError(step, `${when}: ${details}; stopping before the next hop`, output)
  }
  const evidence = [
    ...(socketDenied ? ["containers are denied sockets ('socket: permission denied')"] : []),
    ...(netDenials.length ? [`the kernel log shows ${netDenials[netDenials.length - 1]}`] : [])
  ].join(' and ')
  const minor = hop.channel.minor
  const known = hop.channel.confinement === 'strict' && minor !== undefined && strictTrackDenied(minor)
  const line = known
    ? `AppArmor: this kernel denies sockets under the containerd profile (${CONTAINERD_PROFILE}) that ` +
      `${hop.channel.track} ships; ${wayOut(minor, hop.channel.risk, hop.kind === 'refresh')}.`
    : `AppArmor: this kernel denies containers sockets under the containerd profile (${CONTAINERD_PROFILE}), ` +
      `although ${hop.channel.track} is not known to ship a profile that is denied; the kernel log and ` +
      `'microk8s inspect' say more.`
  return new StepError(step, `${line} Evidence: ${evidence}. ${capitalise(when)}: ${details}`, output)
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
