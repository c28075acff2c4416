/**
 * The cluster's nodes as the hop checks and the multi-node rule see them: which node is this runner, which are
 * control planes, and whether a kubelet has reported since a hop restarted it. Pure: the Node objects come
 * from `kubectl get nodes -o json`, the host facts from the inspect stage.
 */
import { parseKubeVersion, formatMinor } from './channel.js'

export interface NodeFacts {
  name: string
  /** MicroK8s labels its control-plane kubelets `node.kubernetes.io/microk8s-controlplane` (workers `…-worker`). */
  controlPlane: boolean
  addresses: string[]
  kubeletVersion: string
  ready: boolean
  /** The Ready condition's lastHeartbeatTime and lastTransitionTime, epoch ms (NaN when absent). */
  readyHeartbeat: number
  readyTransition: number
}

const CONTROL_PLANE_LABELS = ['node.kubernetes.io/microk8s-controlplane', 'node-role.kubernetes.io/control-plane']

export function readNodes(items: any[]): NodeFacts[] {
  return items
    .filter((o) => o?.kind === 'Node')
    .map((o) => {
      const labels = o.metadata?.labels ?? {}
      const ready = (o.status?.conditions ?? []).find((c: any) => c.type === 'Ready')
      return {
        name: String(o.metadata?.name ?? ''),
        controlPlane: CONTROL_PLANE_LABELS.some((l) => l in labels),
        addresses: (o.status?.addresses ?? []).map((a: any) => String(a.address)),
        kubeletVersion: String(o.status?.nodeInfo?.kubeletVersion ?? ''),
        ready: ready?.status === 'True',
        readyHeartbeat: Date.parse(ready?.lastHeartbeatTime ?? ''),
        readyTransition: Date.parse(ready?.lastTransitionTime ?? '')
      }
    })
}

/** What the runner knows about itself: its host name and its addresses. */
export interface HostFacts {
  hostname: string
  addresses: string[]
}

/**
 * The node this runner is: MicroK8s registers the kubelet under the host name (lower-cased); failing that, the
 * node with one of the host's addresses; failing that, the only node. Undefined when none of these tells.
 */
export function localNode(nodes: NodeFacts[], host: HostFacts): NodeFacts | undefined {
  const name = host.hostname.toLowerCase()
  const short = name.split('.')[0]
  return (
    nodes.find((n) => n.name === name) ??
    nodes.find((n) => n.name === short) ??
    nodes.find((n) => n.addresses.some((a) => host.addresses.includes(a))) ??
    (nodes.length === 1 ? nodes[0] : undefined)
  )
}

/**
 * Why the node a hop restarted has not reported yet, or undefined once it has: its kubelet reports the API
 * server's version (the same kubelite binary; at least the hop's minor) and is Ready with a heartbeat from after
 * the hop started. A Ready condition left over from before the restart has an older heartbeat and the old
 * kubelet version, so it does not count. (A restarted kubelet always posts its status at once; without a
 * restart it may not for minutes, with node leases, hence `restarted`.)
 */
export function kubeletNotCaughtUp(
  node: NodeFacts,
  expected: { minor: number; serverVersion: string },
  hopStartedMs: number,
  /** False when the hop kept the snap revision (a channel switch): nothing restarted, no new heartbeat is due. */
  restarted = true
): string | undefined {
  const kubelet = parseKubeVersion(node.kubeletVersion)
  const server = parseKubeVersion(expected.serverVersion)
  if (kubelet?.minor !== expected.minor)
    return `its kubelet reports ${node.kubeletVersion || 'no version'}, not Kubernetes ${formatMinor(expected.minor)}`
  if (server && (kubelet.major !== server.major || kubelet.patch !== server.patch))
    return `its kubelet reports ${node.kubeletVersion}, the API server ${expected.serverVersion}`
  if (!node.ready) return 'it is not Ready'
  if (!restarted) return undefined
  // Times in node status have whole seconds: compare against the second the hop started in.
  const since = Math.floor(hopStartedMs / 1000) * 1000
  const fresh = Math.max(node.readyHeartbeat || 0, node.readyTransition || 0)
  if (!(fresh >= since))
    return `its Ready condition was last reported ${Number.isNaN(fresh) || fresh === 0 ? 'never' : new Date(fresh).toISOString()}, before the hop started`
  return undefined
}
