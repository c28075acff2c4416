// The simulator's pods, their logs, securityfs and the kernel log (sim/lib/pods.mjs, host.mjs, host-tools.mjs):
// what the action reads to tell a cluster that runs pods from one whose kernel denies them sockets.
import { describe, it, expect } from 'vitest'
import { sim, runSim } from './helpers/sim.js'

const pods = () =>
  JSON.parse(runSim(['microk8s', 'kubectl', 'get', 'pods', '-n', 'kube-system', '-o', 'json']).stdout).items
const named = (prefix: string) => pods().find((p: any) => p.metadata.name.startsWith(prefix))

describe('pods on a kernel that mediates AppArmor networking', () => {
  it('crash-loop on a strict track up to 1.33, but for privileged calico-node, with the denial in the log', () => {
    sim({ kernel: { apparmor: 'network_v9' }, installed: { channel: '1.33-strict/stable' } })
    const coredns = named('coredns-')
    // Labelled by the selector and, as a Deployment's pod, by its ReplicaSet's template hash.
    expect(coredns.metadata.labels).toEqual({ 'k8s-app': 'kube-dns', 'pod-template-hash': expect.any(String) })
    expect(coredns.status.containerStatuses[0]).toMatchObject({
      ready: false,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error' } }
    })
    expect(coredns.status.containerStatuses[0].lastState.terminated.message).toBeUndefined()
    expect(named('calico-kube-controllers-').status.conditions[0].status).toBe('False')
    expect(named('calico-node-').status.conditions[0].status).toBe('True')
    const logs = runSim([
      'microk8s',
      'kubectl',
      'logs',
      coredns.metadata.name,
      '-n',
      'kube-system',
      '-c',
      'coredns',
      '--previous',
      '--tail=5'
    ])
    expect(logs.stdout).toBe('Listen: listen tcp :8080: socket: permission denied\n')
    const deployment = JSON.parse(
      runSim(['microk8s', 'kubectl', 'get', 'deployment', 'coredns', '-n', 'kube-system', '-o', 'json']).stdout
    )
    expect(deployment.status.readyReplicas).toBe(0)
    const dmesg = runSim(['sudo', 'dmesg'])
    expect(dmesg.status).toBe(0)
    expect(dmesg.stdout).toMatch(
      /apparmor="DENIED" operation="create" class="net" profile="cri-containerd\.apparmor\.d" .*comm="coredns"/
    )
    expect(runSim(['test', '-d', '/sys/kernel/security/apparmor/features/network_v9']).status).toBe(0)
  })

  it('run on 1.34-strict, on classic, and on a kernel without network_v9', () => {
    for (const [apparmor, channel] of [
      ['network_v9', '1.34-strict/stable'],
      ['network_v9', '1.31/stable'],
      ['network', '1.31-strict/stable']
    ]) {
      sim({ kernel: { apparmor }, installed: { channel } })
      expect(
        pods().every((p: any) => p.status.conditions[0].status === 'True'),
        `${apparmor} ${channel}`
      ).toBe(true)
    }
    // The last: no denial logged, no previous container, no network_v9.
    expect(runSim(['sudo', 'dmesg']).stdout).not.toMatch(/DENIED/)
    const previous = runSim(['microk8s', 'kubectl', 'logs', named('coredns-').metadata.name, '-n', 'kube-system', '-p'])
    expect(previous.status).toBe(1)
    expect(previous.stderr).toMatch(/previous terminated container "coredns" in pod "coredns-\S+" not found/)
    expect(runSim(['test', '-d', '/sys/kernel/security/apparmor/features/network_v9']).status).toBe(1)
    expect(runSim(['test', '-d', '/sys/kernel/security/apparmor/features/network']).status).toBe(0)
  })

  it('crash-loop as a scenario says, on its channels only', () => {
    const crashLoops = [{ workload: 'kube-system/coredns', on: ['1.30/stable'], log: 'plugin/loop: Loop detected' }]
    sim({ crashLoops, installed: { channel: '1.30/stable' } })
    expect(named('coredns-').status.containerStatuses[0].state.waiting.reason).toBe('CrashLoopBackOff')
    sim({ crashLoops, installed: { channel: '1.29/stable' } })
    expect(named('coredns-').status.conditions[0].status).toBe('True')
  })

  it('securityfs as the scenario builds it, and refuses an unknown kernel', () => {
    sim({ kernel: { apparmor: 'disabled' } })
    expect(runSim(['test', '-d', '/sys/kernel/security']).status).toBe(0)
    expect(runSim(['test', '-d', '/sys/kernel/security/apparmor/features']).status).toBe(1)
    sim({ kernel: { apparmor: 'unmounted' } })
    expect(runSim(['test', '-d', '/sys/kernel/security']).status).toBe(1)
    expect(() => sim({ kernel: { apparmor: 'v10' } })).toThrow(/kernel\.apparmor 'v10' is not one of/)
  })
})

describe('what a refresh does to the pods (sim/lib/pod-lifecycle.mjs)', () => {
  const workload = (kind: string, name: string, extra: any = {}) => ({
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: 'demo' },
    spec: {
      ...(extra.replicas ? { replicas: extra.replicas } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name, image: `example/${name}:1` }],
          ...(extra.volumes ? { volumes: extra.volumes } : {})
        }
      }
    }
  })
  const scenario = (channel: string) => ({
    installed: { channel },
    templateChanges: [{ workload: 'demo/api', on: ['1.31/stable'] }],
    objects: [
      workload('Deployment', 'web', { replicas: 2 }),
      workload('Deployment', 'api'),
      workload('StatefulSet', 'db'),
      // A node agent reading the kubelet's arguments: the configure hook deletes it on a refresh.
      workload('DaemonSet', 'agent', {
        volumes: [{ name: 'args', hostPath: { path: '/var/snap/microk8s/current/args' } }]
      })
    ]
  })
  const read = () => {
    const items = JSON.parse(
      runSim(['microk8s', 'kubectl', 'get', 'pods,replicasets', '-n', 'demo', '-o', 'json']).stdout
    ).items
    const pods = items.filter((o: any) => o.kind === 'Pod')
    return {
      pods: Object.fromEntries(
        pods.map((p: any) => [
          p.metadata.name,
          { uid: p.metadata.uid, restarts: p.status.containerStatuses[0].restartCount }
        ])
      ),
      owners: pods.map((p: any) => p.metadata.ownerReferences[0]),
      sets: items
        .filter((o: any) => o.kind === 'ReplicaSet')
        .map((rs: any) => `${rs.metadata.name}=${rs.spec.replicas}`)
    }
  }
  const refresh = (channel: string) => {
    expect(runSim(['sudo', 'snap', 'refresh', 'microk8s', `--channel=${channel}`]).status).toBe(0)
    expect(runSim(['microk8s', 'status', '--wait-ready', '--timeout', '60']).status).toBe(0)
  }

  it('1.30 → 1.31 restarts every container in place, rolls out a changed template, recreates a pod on snap data', () => {
    sim(scenario('1.30/stable'))
    const before = read()
    expect(Object.keys(before.pods)).toHaveLength(5)
    // Owned as the API server shows it: a Deployment's pods by their ReplicaSet, with uids.
    expect(before.owners.every((o: any) => o.uid && o.controller === true)).toBe(true)
    refresh('1.31/stable')
    const after = read()
    const [webA, webB] = Object.keys(before.pods).filter((n) => n.startsWith('web-'))
    for (const name of [webA, webB, 'db-0'])
      expect(after.pods[name], name).toEqual({ ...before.pods[name], restarts: 1 })
    const api = Object.keys(after.pods).find((n) => n.startsWith('api-'))!
    expect(before.pods[api]).toBeUndefined()
    expect(after.pods[api].restarts).toBe(0)
    const [oldApi, newApi] = after.sets.filter((s: string) => s.startsWith('api-'))
    expect(oldApi).toMatch(/=0$/)
    expect(newApi).toMatch(/=1$/)
    expect(before.sets).toContain(oldApi.replace(/=0$/, '=1'))
    const agents = (r: typeof before) => Object.entries(r.pods).filter(([n]) => n.startsWith('agent-'))
    expect(agents(after)[0][1].uid).not.toBe(agents(before)[0][1].uid)
    expect(agents(after)[0][1].restarts).toBe(0)
  })

  it('1.29 → 1.30 leaves the containers running (same kubelet hash) and only the snap-data pod is recreated', () => {
    sim(scenario('1.29/stable'))
    const before = read()
    refresh('1.30/stable')
    const after = read()
    const kept = Object.keys(before.pods).filter((n) => !n.startsWith('agent-'))
    for (const name of kept) expect(after.pods[name], name).toEqual(before.pods[name])
    expect(after.sets).toEqual(before.sets)
    expect(Object.keys(after.pods).filter((n) => n.startsWith('agent-'))).not.toEqual(
      Object.keys(before.pods).filter((n) => n.startsWith('agent-'))
    )
  })
})
