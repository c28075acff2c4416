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
    expect(coredns.metadata.labels).toEqual({ 'k8s-app': 'kube-dns' })
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
