import { describe, it, expect } from 'vitest'
import { waitForSystemPods } from '../../src/upgrade/system-pods.js'
import { MicroK8s, type MicroK8sStatus } from '../../src/cluster/microk8s.js'
import { parseChannel } from '../../src/cluster/channel.js'
import type { Cmd, CmdResult } from '../../src/base/cmd.js'
import type { Clock } from '../../src/base/retry.js'
import type { Hop } from '../../src/upgrade/plan.js'

const DNS = { 'k8s-app': 'kube-dns' }
const status: MicroK8sStatus = {
  running: true,
  haEnabled: false,
  addons: [{ name: 'dns', repository: 'core', enabled: true }]
}
const hop = (text: string, kind: Hop['kind'] = 'install'): Hop => {
  const channel = parseChannel(text)
  return { kind, channel, channelText: text, minor: channel.minor! }
}
const coredns = (container: any) => ({
  items: [
    {
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'kube-system' },
      spec: { selector: { matchLabels: DNS } }
    },
    {
      kind: 'Pod',
      metadata: { name: 'coredns-x', namespace: 'kube-system', labels: DNS },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: container.ready ? 'True' : 'False' }],
        containerStatuses: [{ name: 'coredns', restartCount: 0, ...container }]
      }
    }
  ]
})
const READY = { ready: true, state: { running: {} } }
const STARTING = { ready: false, state: { running: {} } }
const CRASHING = {
  ready: false,
  restartCount: 3,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { exitCode: 1, reason: 'Error' } }
}

/** A cluster answering `get` from a list of states (the last repeats), logs and dmesg as given. */
function fakeCluster(states: any[], log: string, dmesg: Partial<CmdResult>) {
  const calls: string[] = []
  const cmd: Cmd = {
    history: [],
    async run(file, args) {
      calls.push([file, ...args].join(' '))
      const ok = (stdout: string) => ({ code: 0, stdout, stderr: '', ms: 0 })
      if (file === 'dmesg') return { code: 0, stdout: '', stderr: '', ms: 0, ...dmesg }
      if (args[1] === 'logs') return ok(log)
      return ok(JSON.stringify(states.length > 1 ? states.shift() : states[0]))
    }
  }
  return { cmd, microk8s: new MicroK8s(cmd, { waitTimeout: 60 }), calls }
}
/** Time that passes only when the wait sleeps. */
function fakeClock(): Clock {
  let now = 0
  return { now: () => now, sleep: async (ms) => void (now += ms) }
}
const ctx = (c: ReturnType<typeof fakeCluster>) => ({ ...c, waitTimeoutMs: 60_000, clock: fakeClock() })

describe('the system pods after a hop', () => {
  it('waits until coredns is Ready', async () => {
    const c = fakeCluster([coredns(STARTING), coredns(STARTING), coredns(READY)], '', {})
    await waitForSystemPods(ctx(c), hop('1.30/stable'), status)
    expect(c.calls.filter((l) => l.includes('get daemonsets,deployments,pods -n kube-system'))).toHaveLength(3)
    expect(c.calls.some((l) => l === 'dmesg')).toBe(false)
  })

  it('stops at the first socket denial with the AppArmor line and the way out, even when dmesg cannot be read', async () => {
    const c = fakeCluster([coredns(CRASHING)], 'Listen: listen tcp :8080: socket: permission denied\n', {
      code: 1,
      stderr: 'dmesg: read kernel buffer failed: Operation not permitted'
    })
    const error = await waitForSystemPods(ctx(c), hop('1.29-strict/stable'), status).catch((e) => e)
    expect(error.step).toBe('hop 1.29-strict/stable')
    expect(error.message).toMatch(
      /^AppArmor: this kernel denies sockets under the containerd profile \(cri-containerd\.apparmor\.d\) that 1\.29-strict ships; use a strict track that carries the fixed profile \(1\.34-strict\/stable or newer\) or the classic track 1\.29\/stable\. Evidence: containers are denied sockets \('socket: permission denied'\)\. After installing 1\.29-strict\/stable the system pods cannot run: kube-system\/coredns: pod coredns-x CrashLoopBackOff, 3 restarts, last termination exit 1 \(Error\): Listen: listen tcp :8080: socket: permission denied$/
    )
    expect(error.output).toMatch(/kernel log not read: 'dmesg' exited 1/)
    // One read of the pods: a denial does not heal.
    expect(c.calls.filter((l) => l.includes(' get '))).toHaveLength(1)
  })

  it('names AppArmor from the kernel log alone, and says so when the track is not one known to be denied', async () => {
    const denial = 'apparmor="DENIED" operation="create" class="net" profile="cri-containerd.apparmor.d" family="unix"'
    const c = fakeCluster([coredns(CRASHING)], 'plugin/kubernetes: connection refused\n', {
      stdout: `[ 1.0] audit: type=1400 audit(1:2): ${denial}\n`
    })
    const error = await waitForSystemPods(ctx(c), hop('1.35-strict/stable', 'refresh'), status).catch((e) => e)
    expect(error.message).toMatch(
      /^AppArmor: this kernel denies containers sockets .* although 1\.35-strict is not known to ship a profile that is denied/
    )
    expect(error.message).toContain(`Evidence: the kernel log shows ${denial}`)
    expect(error.message).toContain(
      'After refreshing to 1.35-strict/stable the system pods did not run within wait-timeout (60 s)'
    )
  })

  it('fails a crash-loop that is not AppArmor after wait-timeout, quoting the last termination', async () => {
    const c = fakeCluster([coredns(CRASHING)], 'plugin/loop: Loop detected\n', { stdout: '[ 0.0] Linux\n' })
    const error = await waitForSystemPods(ctx(c), hop('1.30/stable', 'refresh'), status).catch((e) => e)
    expect(error.message).toBe(
      'after refreshing to 1.30/stable the system pods did not run within wait-timeout (60 s): kube-system/coredns: ' +
        'pod coredns-x CrashLoopBackOff, 3 restarts, last termination exit 1 (Error): plugin/loop: Loop detected; ' +
        'stopping before the next hop'
    )
    // The log was read once for that pod and restart count, however many polls.
    expect(c.calls.filter((l) => l.includes(' logs '))).toHaveLength(1)
    expect(c.calls.filter((l) => l.includes(' get ')).length).toBeGreaterThan(5)
  })

  it('checks nothing when no system workload is expected', async () => {
    const c = fakeCluster([coredns(CRASHING)], '', {})
    await waitForSystemPods(ctx(c), hop('1.30/stable'), { ...status, addons: [] })
    expect(c.calls).toEqual([])
  })
})
