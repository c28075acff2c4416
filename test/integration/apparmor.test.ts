// Strict tracks on a kernel that mediates AppArmor networking (docs/strict-apparmor.md), and the system pods every
// hop now waits for: through the bundled action, against the simulator's mediating kernel and crash-looping pods.
import { describe, it, expect } from 'vitest'
import { run, commandLines, mutatingCommands } from './harness.js'
import { validateReport } from '../helpers/schema.js'

const fast = { timeScale: 0.001 }
const probes = (lines: string[]) => lines.filter((l) => l.startsWith('test -d /sys/kernel/security'))

describe.concurrent('a strict track whose containerd profile the kernel denies', () => {
  it('is refused before any change on a mediating kernel, naming the track and what works', async () => {
    const r = await run('mediating-kernel', { channel: '1.29-strict/stable', addons: 'dns' })
    expect(r.code).toBe(1)
    expect(mutatingCommands(r)).toEqual([])
    expect(probes(commandLines(r))).toEqual([
      'test -d /sys/kernel/security/apparmor/features',
      'test -d /sys/kernel/security/apparmor/features/network_v9'
    ])
    expect(r.report.failure.step).toBe('plan')
    expect(r.report.failure.message).toMatch(
      /network_v9 is present\), and the strict track 1\.29-strict of this plan cannot run pods on it: its containerd AppArmor profile has only a bare `network,` rule/
    )
    expect(r.report.failure.message).toMatch(/1\.34-strict\/stable or newer\) or the classic track 1\.29\/stable/)
    expect(r.report.failure.message).toMatch(/set strict-apparmor: warn/)
    expect(r.report.failure.clusterState).toMatch(/not touched/)
    expect(validateReport(r.report)).toEqual([])
  })

  it('with strict-apparmor: warn, fails the install with the AppArmor diagnosis, not a timeout or a green run', async () => {
    const r = await run('mediating-kernel', {
      channel: '1.29-strict/stable',
      addons: 'dns',
      'strict-apparmor': 'warn'
    })
    expect(r.code).toBe(1)
    expect(r.report.status).toBe('failure')
    expect(r.report.warnings.join('\n')).toMatch(/going on as strict-apparmor is warn/)
    expect(r.report.failure.step).toBe('hop 1.29-strict/stable')
    const message: string = r.report.failure.message
    expect(message).toMatch(
      /^AppArmor: this kernel denies sockets under the containerd profile \(cri-containerd\.apparmor\.d\) that 1\.29-strict ships; use a strict track that carries the fixed profile \(1\.34-strict\/stable or newer\) or the classic track 1\.29\/stable\./
    )
    expect(message).toMatch(
      /kube-system\/coredns: pod coredns-\S+ CrashLoopBackOff, \d+ restarts?, last termination exit 1 \(Error\): Listen: listen tcp :8080: socket: permission denied/
    )
    expect(message).toMatch(/kube-system\/calico-kube-controllers: pod \S+ CrashLoopBackOff/)
    expect(message).not.toMatch(/calico-node/)
    expect(message).not.toMatch(/within wait-timeout/)
    expect(r.report.failure.output).toMatch(
      /kernel: apparmor="DENIED" operation="create" class="net" profile="cri-containerd\.apparmor\.d"/
    )
    // The logs were read once per pod, the kernel log once; nothing after the install hop ran.
    const lines = commandLines(r)
    expect(lines.filter((l) => l === 'dmesg')).toHaveLength(1)
    expect(
      lines.filter((l) => / kubectl logs coredns-\S+ -n kube-system -c coredns --previous --tail=5$/.test(l))
    ).toHaveLength(1)
    expect(lines.some((l) => l.startsWith('microk8s enable'))).toBe(false)
    expect(r.summary).toContain('AppArmor: this kernel denies sockets under the containerd profile')
    expect(validateReport(r.report)).toEqual([])
  })

  it('installs and runs the same track on a kernel that does not mediate, saying so in the plan', async () => {
    const r = await run('fresh-runner', { channel: '1.29-strict/stable', addons: 'dns' }, { overrides: fast })
    expect(r.code, r.stdout).toBe(0)
    expect(r.report.plan.notes.join('\n')).toMatch(
      /this runner's kernel: no \S+features\/network_v9 \(only the older network features\); the containerd profile of 1\.29-strict is not denied sockets here/
    )
    expect(r.stdout).toMatch(/System pods Running and Ready: calico-node, calico-kube-controllers, coredns/)
  })

  it('goes on with a warning when the kernel cannot be read: unknown is not "not mediating"', async () => {
    const r = await run(
      'fresh-runner',
      { channel: '1.29-strict/stable' },
      { overrides: { ...fast, kernel: { apparmor: 'unmounted' } } }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(r.report.plan.notes.join('\n')).toMatch(/\(unknown\)/)
    expect(r.report.warnings.join('\n')).toMatch(
      /could not tell whether this runner's kernel mediates AppArmor networking \(cannot read AppArmor's features: \/sys\/kernel\/security is not there or not readable\)/
    )
  })
})

describe.concurrent('tracks that work on a mediating kernel', () => {
  it('installs a strict track with the fixed profile, reading nothing of the kernel, its pods running', async () => {
    const r = await run('mediating-kernel', { channel: '1.34-strict/stable', addons: 'dns' })
    expect(r.code, r.stdout).toBe(0)
    expect(probes(commandLines(r))).toEqual([])
    expect(r.stdout).toMatch(/System pods Running and Ready: calico-node, calico-kube-controllers, coredns/)
  })

  it('upgrades strict 1.34 → 1.35, each hop with its pods checked', async () => {
    const r = await run(
      'mediating-kernel',
      { channel: '1.35-strict/stable' },
      { overrides: { ...fast, installed: { channel: '1.34-strict/stable' }, addons: ['dns'] } }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs.hops).toBe('1.35-strict/stable')
    expect(commandLines(r)).toContain('microk8s kubectl get daemonsets,deployments,pods -n kube-system -o json')
  })

  it('installs a classic track', async () => {
    const r = await run('mediating-kernel', { channel: '1.29/stable', addons: 'dns' })
    expect(r.code, r.stdout).toBe(0)
  })
})

describe.concurrent('the system pods after a hop', () => {
  it('fails the hop when coredns crash-loops, quoting its last termination, before the next hop', async () => {
    const log = 'plugin/loop: Loop (127.0.0.1:53 -> :53) detected for zone "."'
    const r = await run(
      'demo',
      // Long enough that no other command of the run meets the bound on a loaded machine.
      { channel: '1.30/stable', 'wait-timeout': '6' },
      {
        overrides: {
          ...fast,
          readiness: { afterRefresh: 1 },
          crashLoops: [{ workload: 'kube-system/coredns', on: ['1.29/stable'], log }]
        }
      }
    )
    expect(r.code).toBe(1)
    expect(r.report.failure.step).toBe('hop 1.29/stable')
    expect(r.report.failure.message).toContain(
      'after refreshing to 1.29/stable the system pods did not run within wait-timeout (6 s): kube-system/coredns: pod coredns-'
    )
    expect(r.report.failure.message).toContain(`last termination exit 1 (Error): ${log}`)
    expect(r.report.failure.message).not.toMatch(/AppArmor/)
    expect(r.report.failure.output).toMatch(/kernel log: no AppArmor denial under cri-containerd\.apparmor\.d/)
    expect(r.report.hops).toMatchObject([{ channel: '1.29/stable', status: 'failed' }])
    expect(commandLines(r).some((l) => l.includes('--channel=1.30/stable'))).toBe(false)
    expect(validateReport(r.report)).toEqual([])
  })
})
