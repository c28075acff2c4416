import { describe, it, expect } from 'vitest'
import { readNodes, localNode, kubeletNotCaughtUp, type NodeFacts } from '../../src/cluster/nodes.js'
import { multiNodeRule, type CorePlan, type OtherNode } from '../../src/upgrade/plan.js'

const t0 = Date.parse('2026-11-29T10:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

function node(name: string, kubelet: string, heartbeat: number, extra: Record<string, any> = {}) {
  return {
    kind: 'Node',
    metadata: { name, labels: extra.labels ?? { 'node.kubernetes.io/microk8s-controlplane': 'microk8s-controlplane' } },
    status: {
      nodeInfo: { kubeletVersion: kubelet },
      addresses: extra.addresses ?? [{ type: 'InternalIP', address: '10.0.0.4' }],
      conditions: [
        {
          type: 'Ready',
          status: extra.ready === false ? 'False' : 'True',
          lastHeartbeatTime: iso(heartbeat),
          lastTransitionTime: iso(t0 - 86_400_000)
        }
      ]
    }
  }
}

describe('reading nodes', () => {
  it('tells control planes from workers by the labels MicroK8s gives them', () => {
    const nodes = readNodes([
      node('cp-1', 'v1.29.15', t0),
      node('w-1', 'v1.28.15', t0, { labels: { 'node.kubernetes.io/microk8s-worker': 'microk8s-worker' } }),
      { kind: 'Deployment', metadata: { name: 'x' } }
    ])
    expect(nodes.map((n) => [n.name, n.controlPlane])).toEqual([
      ['cp-1', true],
      ['w-1', false]
    ])
  })

  it('finds this runner’s node by host name, then address, then as the only node', () => {
    const nodes = readNodes([node('runner-a', 'v1.29.15', t0), node('cp-2', 'v1.29.15', t0, { addresses: [] })])
    expect(localNode(nodes, { hostname: 'Runner-A.example.com', addresses: [] })?.name).toBe('runner-a')
    expect(localNode(nodes, { hostname: 'other', addresses: ['127.0.0.1', '10.0.0.4'] })?.name).toBe('runner-a')
    expect(localNode(nodes, { hostname: 'other', addresses: ['10.9.9.9'] })).toBeUndefined()
    expect(localNode(nodes.slice(1), { hostname: 'other', addresses: [] })?.name).toBe('cp-2')
  })
})

describe('a hop’s kubelet check', () => {
  const hopStarted = t0 + 1500
  const expected = { minor: 29, serverVersion: 'v1.29.15' }
  const check = (raw: any) => kubeletNotCaughtUp(readNodes([raw])[0] as NodeFacts, expected, hopStarted)

  it('does not count the Ready condition left over from before the restart', () => {
    // The window after the API server is back: old kubelet version, old heartbeat, still Ready.
    expect(check(node('n', 'v1.28.15', t0 - 30_000))).toMatch(/kubelet reports v1.28.15, not Kubernetes 1.29/)
    // The right version but a heartbeat from before the hop (a same-minor refresh that did not restart it yet).
    expect(check(node('n', 'v1.29.15', t0 - 30_000))).toMatch(/last reported 2026-11-29T09:59:30.000Z, before the hop/)
  })

  it('accepts the new kubelet once it reports, Ready, with a heartbeat in or after the hop’s second', () => {
    expect(check(node('n', 'v1.29.15', t0 + 1000))).toBeUndefined()
    expect(check(node('n', 'v1.29.15', t0 + 20_000))).toBeUndefined()
  })

  it('asks no new heartbeat of a hop that kept the revision (nothing restarted)', () => {
    const stale = readNodes([node('n', 'v1.29.15', t0 - 30_000)])[0]
    expect(kubeletNotCaughtUp(stale, expected, hopStarted, false)).toBeUndefined()
    expect(kubeletNotCaughtUp(stale, expected, hopStarted, true)).toMatch(/before the hop started/)
  })

  it('wants the API server’s patch, and Ready', () => {
    expect(check(node('n', 'v1.29.10', t0 + 20_000))).toMatch(/kubelet reports v1.29.10, the API server v1.29.15/)
    expect(check(node('n', 'v1.29.15', t0 + 20_000, { ready: false }))).toMatch(/not Ready/)
  })
})

describe('the multi-node rule', () => {
  const hop = (minor: number) => ({
    kind: 'refresh' as const,
    channel: { track: `1.${minor}`, minor, confinement: 'classic' as const, risk: 'stable' as const },
    channelText: `1.${minor}/stable`,
    minor
  })
  const plan = (hops: number[]): CorePlan => ({
    kind: 'upgrade',
    fromMinor: hops[0] - 1,
    targetMinor: hops[hops.length - 1],
    hops: hops.map(hop),
    notes: []
  })
  const cp2: OtherNode = { name: 'cp-2', controlPlane: true, kubeletVersion: 'v1.28.15' }
  const worker: OtherNode = { name: 'w-1', controlPlane: false, kubeletVersion: 'v1.28.15' }

  it('refuses two hops with another control plane, giving the reason and the procedure', () => {
    expect(() => multiNodeRule(plan([29, 30]), [cp2], true)).toThrow(
      /cp-2 \(control plane, kubelet v1.28.15\).*within one minor.*nothing was changed.*channel 1.29\/stable, then refresh every other node to 1.29\/stable one at a time/
    )
  })

  it('allows one hop with a warning, and says addon cycling runs once for the cluster', () => {
    const { warnings } = multiNodeRule(plan([29]), [cp2, worker], true)
    expect(warnings[0]).toMatch(/2 other node\(s\): cp-2 .*w-1 \(worker.*refreshes only the node it runs on/)
    expect(warnings[1]).toMatch(/addon cycling .* cluster-wide: it runs once/)
    expect(multiNodeRule(plan([29]), [cp2], false).warnings).toHaveLength(1)
  })

  it('lets workers lag: two hops with workers only are warned about, not refused', () => {
    expect(multiNodeRule(plan([29, 30]), [worker], false).warnings).toHaveLength(1)
    expect(multiNodeRule(plan([29, 30]), [], true).warnings).toEqual([])
  })
})
