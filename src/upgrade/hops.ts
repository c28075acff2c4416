/**
 * The core hops: refresh (or install) one Kubernetes minor at a time, each verified (API server minor, every
 * node Ready, this runner's kubelet caught up, the system pods running: system-pods.ts) before the next
 * (docs/hops-and-nodes.md, docs/strict-apparmor.md §4).
 */
import * as core from '@actions/core'
import type { Cmd } from '../base/cmd.js'
import type { MicroK8s } from '../cluster/microk8s.js'
import type { Snap } from '../cluster/snap.js'
import type { Hop } from './plan.js'
import { StepError } from '../base/errors.js'
import { waitWithProgress } from '../base/progress.js'
import { runElapsedMs, type HopRecord, type Report } from '../report/model.js'
import { parseKubeVersion, formatMinor } from '../cluster/channel.js'
import { retry } from '../base/retry.js'
import { readNodes, localNode, kubeletNotCaughtUp, type HostFacts } from '../cluster/nodes.js'
import { waitForSystemPods } from './system-pods.js'

export interface HopContext {
  snap: Snap
  microk8s: MicroK8s
  /** For the kernel log when the system pods do not run. */
  cmd: Cmd
  report: Report
  /** To find this runner's node, the one a hop restarts. */
  host: HostFacts
  /** How long the kubelet may take to report after the API server is ready (wait-timeout). */
  waitTimeoutMs: number
  /** The snap revision before this hop, to tell whether the hop restarts the kubelet. */
  revisionBefore?: number
}

/**
 * One hop: refresh (or install), wait until ready (bounded by wait-timeout), then verify that the API server
 * reports the hop's minor, that every node is Ready and that the system pods run. Nothing else runs until it is
 * verified.
 */
export async function runHop(ctx: HopContext, hop: Hop): Promise<void> {
  const started = Date.now()
  const record: HopRecord = {
    channel: hop.channelText,
    minor: hop.minor,
    kind: hop.kind,
    status: 'planned',
    durationMs: 0,
    atMs: runElapsedMs(ctx.report, started)
  }
  ctx.report.hops.push(record)
  try {
    await refreshAndVerify(ctx, hop, record, started)
    record.status = 'done'
  } catch (error) {
    // Whatever stopped it (the refresh, the wait, the checks), the hop was attempted and did not complete.
    record.status = 'failed'
    throw error
  } finally {
    record.durationMs = Date.now() - started
  }
}

async function refreshAndVerify(ctx: HopContext, hop: Hop, record: HopRecord, started: number): Promise<void> {
  // snap prints no progress without a terminal: the wait's own lines say it is still going.
  const result = await waitWithProgress(
    `snap to ${hop.kind} microk8s ${hop.channelText}`,
    ctx.microk8s.waitTimeout,
    () => (hop.kind === 'install' ? ctx.snap.install(hop.channel) : ctx.snap.refresh(hop.channel)),
    (line) => core.info(line)
  )
  core.info(result.stdout.trim() || result.stderr.trim())
  const waitStarted = Date.now()
  const status = await ctx.microk8s.waitReady()
  const readyAfterMs = Date.now() - waitStarted
  const serverVersion = await ctx.microk8s.serverVersion()
  const parsed = parseKubeVersion(serverVersion)
  Object.assign(record, { readyAfterMs, serverVersion })
  if (parsed?.minor !== hop.minor) {
    throw new StepError(
      `hop ${hop.channelText}`,
      `after refreshing to ${hop.channelText} the API server reports ${serverVersion}, not Kubernetes ${formatMinor(hop.minor)}; ` +
        'stopping before the next hop'
    )
  }
  await waitForKubelet(ctx, hop, serverVersion, started)
  await waitForSystemPods(ctx, hop, status)
}

/**
 * After the API server answers, the node objects may still show the kubelet from before the restart (its
 * version, its Ready condition) until the new kubelet reports: polls until this runner's node reports the new
 * version, Ready, with a heartbeat from after the hop started, and every other node is Ready; bounded by
 * wait-timeout.
 */
async function waitForKubelet(ctx: HopContext, hop: Hop, serverVersion: string, hopStarted: number): Promise<void> {
  const restarted =
    ctx.revisionBefore === undefined || hop.storeRevision === undefined || hop.storeRevision !== ctx.revisionBefore
  let problem = ''
  let shown = ''
  let shownAt = 0
  let count = 0
  let watched = false
  const read = async () => {
    const nodes = readNodes((await ctx.microk8s.kubectlJson<{ items: any[] }>(['get', 'nodes'])).items ?? [])
    const self = localNode(nodes, ctx.host)
    const why = self
      ? kubeletNotCaughtUp(self, { minor: hop.minor, serverVersion }, hopStarted, restarted)
      : `no node is this runner (host name ${ctx.host.hostname})`
    const others = nodes.filter((n) => n !== self && !n.ready).map((n) => n.name)
    count = nodes.length
    problem = why
      ? `node ${self?.name ?? '?'}: ${why}`
      : others.length
        ? `these nodes are not Ready: ${others.join(', ')}`
        : ''
    return self
  }
  const outcome = await retry(
    async () => {
      let self = await read()
      // The node still shows the old kubelet: let kubectl watch for the new version (bounded by wait-timeout).
      // Only where versions print plainly (`v1.29.15`): an exact match is all jsonpath offers, and some older
      // kubelets add a build suffix; those are polled below.
      const plain = (v: string) => /^v\d+\.\d+\.\d+$/.test(v)
      const watchable = self && plain(self.kubeletVersion) && plain(serverVersion)
      if (problem && self && watchable && self.kubeletVersion !== serverVersion && !watched) {
        watched = true
        core.info(
          `Waiting for the kubelet on ${self.name} to report ${serverVersion} (the node still shows ${self.kubeletVersion || 'no version'})`
        )
        await ctx.microk8s.waitFor(`node/${self.name}`, `jsonpath={.status.nodeInfo.kubeletVersion}=${serverVersion}`)
        self = await read()
      }
      return problem ? undefined : self!.name
    },
    { attempts: Infinity, baseDelayMs: 250, maxDelayMs: 5000, deadlineMs: ctx.waitTimeoutMs },
    ({ elapsedMs }) => {
      // A line when what is awaited changes, and about every 5 s while it does not.
      if (problem === shown && elapsedMs - shownAt < 5000) return
      ;[shown, shownAt] = [problem, elapsedMs]
      core.info(`Waiting for the kubelet to report after the refresh (${Math.round(elapsedMs / 1000)} s): ${problem}`)
    }
  )
  if (!outcome.value) {
    throw new StepError(
      `hop ${hop.channelText}`,
      `after refreshing to ${hop.channelText} the API server reports ${serverVersion}, but within wait-timeout ` +
        `(${Math.round(ctx.waitTimeoutMs / 1000)} s) ${problem}; stopping before the next hop`
    )
  }
  core.info(
    `API server ${serverVersion}; kubelet on ${outcome.value} at ${serverVersion}, Ready; ${count} node(s) Ready`
  )
}
