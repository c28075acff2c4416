import { describe, it, expect } from 'vitest'
import { lastWords, requiredSystemWorkloads, systemPodHealth, type PodHealth } from '../../src/cluster/pods.js'
import { MicroK8s, type MicroK8sStatus } from '../../src/cluster/microk8s.js'
import { scriptedCmd } from '../helpers/fake-cmd.js'

const status = (...enabled: string[]): MicroK8sStatus => ({
  running: true,
  haEnabled: enabled.includes('ha-cluster'),
  addons: ['dns', 'ha-cluster', 'kube-ovn'].map((name) => ({
    name,
    repository: 'core',
    enabled: enabled.includes(name)
  }))
})

const workload = (kind: string, name: string, selector: Record<string, string>, extra: any = {}) => ({
  kind,
  metadata: { name, namespace: 'kube-system' },
  spec: { selector: { matchLabels: selector }, ...extra.spec },
  status: extra.status ?? {}
})
const pod = (name: string, labels: Record<string, string>, ready: boolean, container: any = {}) => ({
  kind: 'Pod',
  metadata: { name, namespace: 'kube-system', labels },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [{ name: 'c', ready, restartCount: 0, state: { running: {} }, ...container }]
  }
})
const crashing = {
  ready: false,
  restartCount: 4,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { exitCode: 1, reason: 'Error' } }
}

describe('which system pods must run', () => {
  it('Calico with ha-cluster and without kube-ovn, coredns with dns', () => {
    const names = (s: MicroK8sStatus) => requiredSystemWorkloads(s).map((w) => w.name)
    expect(names(status('ha-cluster', 'dns'))).toEqual(['calico-node', 'calico-kube-controllers', 'coredns'])
    expect(names(status('ha-cluster'))).toEqual(['calico-node', 'calico-kube-controllers'])
    expect(names(status('ha-cluster', 'kube-ovn', 'dns'))).toEqual(['coredns'])
    expect(names(status('dns'))).toEqual(['coredns'])
  })
})

describe('how they stand', () => {
  const dns = { k8s: 'kube-dns' }
  const coredns = [{ namespace: 'kube-system', kind: 'deployment' as const, name: 'coredns' }]

  it('runs when its desired pods, matched by selector, are Ready and none crash-loops', () => {
    const items = [
      workload('Deployment', 'coredns', dns, { spec: { replicas: 2 } }),
      pod('coredns-a', dns, true),
      pod('coredns-b', { k8s: 'kube-dns', extra: 'x' }, true),
      pod('other', { k8s: 'other' }, false)
    ]
    const [h] = systemPodHealth(items, coredns)
    expect(h).toMatchObject({ found: true, desired: 2, ok: true })
    expect(h.pods.map((p) => p.name)).toEqual(['coredns-a', 'coredns-b'])
    // One of two Ready is not enough.
    expect(systemPodHealth(items.slice(0, 2), coredns)[0].ok).toBe(false)
  })

  it('does not run while a pod crash-loops, even beside a Ready one, and says how', () => {
    const items = [workload('Deployment', 'coredns', dns), pod('a', dns, true), pod('b', dns, false, crashing)]
    const [h] = systemPodHealth(items, coredns)
    expect(h.ok).toBe(false)
    expect(h.pods[1]).toMatchObject({
      crashLooping: true,
      state: 'CrashLoopBackOff, 4 restarts',
      container: 'c',
      lastTermination: { exitCode: 1, reason: 'Error' }
    })
  })

  it('a container restarted in place, running but not yet Ready, is waited for, not taken for a crash', () => {
    const restarted = {
      ready: false,
      restartCount: 1,
      state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
      lastState: { terminated: { exitCode: 0, reason: 'Completed' } }
    }
    const [h] = systemPodHealth([workload('Deployment', 'coredns', dns), pod('a', dns, false, restarted)], coredns)
    expect(h.ok).toBe(false)
    expect(h.pods[0]).toMatchObject({ crashLooping: false, ready: false, state: 'Running, not Ready' })
  })

  it('does not run when the workload is missing or has no pod', () => {
    expect(systemPodHealth([], coredns)[0]).toMatchObject({ found: false, ok: false })
    expect(systemPodHealth([workload('Deployment', 'coredns', dns)], coredns)[0]).toMatchObject({
      found: true,
      ok: false
    })
  })
})

describe("a crashed container's last words", () => {
  const crashed: PodHealth = {
    name: 'coredns-a',
    ready: false,
    crashLooping: true,
    state: 'CrashLoopBackOff, 1 restart',
    container: 'coredns',
    lastTermination: { exitCode: 1, reason: 'Error' }
  }

  it('are the termination message when the kubelet kept one, without reading the log', async () => {
    const cmd = scriptedCmd([])
    const m = new MicroK8s(cmd, { waitTimeout: 5 })
    const words = await lastWords(m, 'kube-system', { ...crashed, lastTermination: { exitCode: 2, message: 'boom' } })
    expect(words).toBe('exit 2: boom')
    expect(cmd.calls).toEqual([])
  })

  it("are the previous log's last lines otherwise, or why it could not be read", async () => {
    const cmd = scriptedCmd([
      { code: 0, stdout: 'starting\nListen: listen tcp :8080: socket: permission denied\n' },
      { code: 1, stderr: 'Error from server (BadRequest): previous terminated container "coredns" not found' }
    ])
    const m = new MicroK8s(cmd, { waitTimeout: 5 })
    expect(await lastWords(m, 'kube-system', crashed)).toBe(
      'exit 1 (Error): starting / Listen: listen tcp :8080: socket: permission denied'
    )
    expect(cmd.calls[0]).toEqual([
      'microk8s',
      'kubectl',
      'logs',
      'coredns-a',
      '-n',
      'kube-system',
      '-c',
      'coredns',
      '--previous',
      '--tail=5'
    ])
    expect(await lastWords(m, 'kube-system', crashed)).toMatch(/its log could not be read \(Error from server/)
  })
})
