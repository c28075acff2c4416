/**
 * The core plan: a pure function of what is installed and what was asked. Hops one Kubernetes minor at a time,
 * each on a channel the store serves; downgrades and confinement switches refused; what a multi-node cluster
 * means for the run. The run's whole plan is this and the addon plan (addon-plan.ts).
 */
import { type Channel, type KubeVersion, formatChannel, formatMinor, trackFor } from '../cluster/channel.js'
import { PlanError } from '../base/errors.js'
import type { InstalledSnap, StoreChannel } from '../cluster/snap.js'
import { RISKS } from '../cluster/channel.js'

import type { AddonPlan } from './addon-plan.js'

/** The run's plan: the core's hops and the addons' cycle. Replaced, never edited, when a stage plans again. */
export interface Plan {
  core: CorePlan
  addons: AddonPlan
}

export interface Hop {
  /** `install` for a fresh install, `refresh` for a channel change. */
  kind: 'install' | 'refresh'
  channel: Channel
  /** `1.29/stable`. */
  channelText: string
  /** The Kubernetes minor the API server must report after this hop. */
  minor: number
  /** What the store publishes there (`v1.29.15`, revision 8006), when it says. */
  storeVersion?: string
  storeRevision?: number
}

export interface CorePlan {
  /** `install`: absent; `upgrade`: to a higher minor; `refresh`: same minor, other channel or revision; `none`. */
  kind: 'install' | 'upgrade' | 'refresh' | 'none'
  fromMinor?: number
  targetMinor: number
  hops: Hop[]
  notes: string[]
}

export interface CurrentCore {
  snap?: InstalledSnap
  /** The API server's version when the cluster answered; the snap's version label otherwise. */
  kubeVersion?: KubeVersion
}

/**
 * The store channel that serves `channel`: a closed channel (`^`) follows the next safer risk of its track.
 * Undefined when nothing is published there.
 */
export function servingChannel(store: Map<string, StoreChannel>, channelText: string): StoreChannel | undefined {
  const [track, risk] = channelText.split('/')
  const index = RISKS.indexOf(risk as (typeof RISKS)[number])
  for (let i = index; i >= 0; i--) {
    const row = store.get(`${track}/${RISKS[i]}`)
    if (row?.version) return row
    if (row === undefined && i === index) return undefined // track/risk not listed at all
  }
  return undefined
}

function minorOf(version: string | undefined): number | undefined {
  const m = /^v?1\.(\d+)/.exec(version ?? '')
  return m ? Number(m[1]) : undefined
}

export function planCore(current: CurrentCore, target: Channel, store: Map<string, StoreChannel>): CorePlan {
  const targetText = formatChannel(target)
  const served = servingChannel(store, targetText)
  if (!served) {
    throw new PlanError(
      `channel ${targetText} is not published for microk8s (not listed, or closed with nothing to follow, in 'snap info microk8s')`
    )
  }
  // `latest/<risk>` carries some minor today; plan as if that minor's track had been asked.
  const targetMinor = target.minor ?? minorOf(served.version)
  if (targetMinor === undefined) {
    throw new PlanError(`cannot tell which Kubernetes minor ${targetText} carries (store version '${served.version}')`)
  }
  const hop = (kind: Hop['kind'], channel: Channel, minor: number): Hop => {
    const text = formatChannel(channel)
    const row = servingChannel(store, text)
    if (!row) {
      throw new PlanError(
        `cannot upgrade one minor at a time: channel ${text} (Kubernetes ${formatMinor(minor)}) is not published for microk8s`
      )
    }
    return { kind, channel, channelText: text, minor, storeVersion: row.version, storeRevision: row.revision }
  }
  const notes: string[] = []
  if (target.track === 'latest') notes.push(`${targetText} carries Kubernetes ${formatMinor(targetMinor)} today`)

  const snap = current.snap
  if (!snap) {
    return { kind: 'install', targetMinor, hops: [hop('install', target, targetMinor)], notes }
  }

  if (snap.confinement !== target.confinement) {
    throw new PlanError(
      `microk8s is installed with ${snap.confinement} confinement (tracking ${snap.tracking}) and ${targetText} is ` +
        `${target.confinement}: MicroK8s does not switch confinement in place; use a ` +
        `${snap.confinement === 'strict' ? "'X.Y-strict'" : "'X.Y'"} track`
    )
  }
  const fromMinor = current.kubeVersion?.minor ?? snap.channel?.minor ?? minorOf(snap.version)
  if (fromMinor === undefined) {
    throw new PlanError(
      `cannot tell which Kubernetes minor is installed (snap version '${snap.version}', tracking ${snap.tracking})`
    )
  }
  if (targetMinor < fromMinor) {
    throw new PlanError(
      `${targetText} (Kubernetes ${formatMinor(targetMinor)}) is older than the installed Kubernetes ` +
        `${formatMinor(fromMinor)}: MicroK8s does not support downgrades (a refresh to an older track can break ` +
        `the datastore); use 'snap revert microk8s' to go back to the previous revision, or choose a channel at ` +
        `${formatMinor(fromMinor)} or newer`
    )
  }
  if (targetMinor === fromMinor) {
    const sameChannel = snap.tracking === targetText
    const sameRevision = served.revision === undefined || served.revision === snap.revision
    if (sameChannel && sameRevision) return { kind: 'none', fromMinor, targetMinor, hops: [], notes }
    return { kind: 'refresh', fromMinor, targetMinor, hops: [hop('refresh', target, targetMinor)], notes }
  }
  const hops: Hop[] = []
  for (let minor = fromMinor + 1; minor <= targetMinor; minor++) {
    const channel: Channel =
      minor === targetMinor
        ? target
        : { track: trackFor(minor, target.confinement), minor, confinement: target.confinement, risk: target.risk }
    hops.push(hop('refresh', channel, minor))
  }
  return { kind: 'upgrade', fromMinor, targetMinor, hops, notes }
}

/** The nodes other than this runner, as the multi-node rule needs them. */
export interface OtherNode {
  name: string
  controlPlane: boolean
  kubeletVersion: string
}

export interface MultiNodeVerdict {
  /** Said as a warning and in the report. */
  warnings: string[]
}

/**
 * The multi-node rule. The action refreshes only the node it runs on, and the API servers of a cluster must
 * stay within one minor of each other: with another control-plane node, a plan of more than one hop is refused
 * before any change (PlanError) with the one-hop-at-a-time procedure; one hop is allowed with a warning. Addon
 * cycling acts on the whole cluster and runs once, from this node.
 */
export function multiNodeRule(plan: CorePlan, others: OtherNode[], cyclesAddons: boolean): MultiNodeVerdict {
  if (others.length === 0) return { warnings: [] }
  const describe = (n: OtherNode) =>
    `${n.name} (${n.controlPlane ? 'control plane' : 'worker'}, kubelet ${n.kubeletVersion || 'unknown'})`
  const controlPlanes = others.filter((n) => n.controlPlane)
  const first = plan.hops[0]
  if (controlPlanes.length && plan.kind === 'upgrade' && plan.hops.length > 1) {
    throw new PlanError(
      `this cluster has ${controlPlanes.length} other control-plane node(s): ${controlPlanes.map(describe).join(', ')}. ` +
        `This action refreshes only the node it runs on, and the API servers of one cluster must stay within one ` +
        `minor of each other, so the ${plan.hops.length} planned hops (${plan.hops.map((h) => h.channelText).join(' → ')}) ` +
        `would leave the other control planes ${plan.hops.length} minors behind; nothing was changed. ` +
        `Upgrade one minor at a time: run this action with channel ${first.channelText}, then refresh every other ` +
        `node to ${first.channelText} one at a time (control planes first; drain, 'snap refresh microk8s ` +
        `--channel=${first.channelText}', wait for Ready, uncordon), then repeat with the next minor up to ` +
        `${formatMinor(plan.targetMinor)}`
    )
  }
  const cycling =
    'addon cycling on a multi-node cluster is cluster-wide: it runs once, from this node; do not cycle the ' +
    'addons again from the other nodes (run `microk8s addons repo update core` on each node that may enable addons)'
  if (plan.hops.length === 0) return { warnings: cyclesAddons ? [cycling] : [] }
  const target = plan.hops[plan.hops.length - 1].channelText
  return {
    warnings: [
      `the cluster has ${others.length} other node(s): ${others.map(describe).join(', ')}. This action refreshes ` +
        `only the node it runs on; refresh the others to ${target} one at a time (control planes first, each ` +
        'drained) before the next minor',
      ...(cyclesAddons ? [cycling] : [])
    ]
  }
}
