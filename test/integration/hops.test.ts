// Hops verified on the kubelet, the multi-node rule, snapd changes that take minutes, fresh-install outputs, and
// what the report says when the run stops — each against the simulator, through the bundled action.
import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { run, commandLines, mutatingCommands, errorAnnotation } from './harness.js'
import { validateReport } from '../helpers/schema.js'

const TIME_SCALE = 0.001
const fast = { timeScale: TIME_SCALE }
/** Simulated seconds that last `realSeconds` of the action's own (real-time) waiting. */
const simSeconds = (realSeconds: number) => realSeconds / TIME_SCALE

describe.concurrent('each hop is verified on the kubelet', () => {
  it('waits out the window where the node still shows the old kubelet as Ready', async () => {
    // Commands take no simulated time here; the restarted kubelet reports 300 simulated seconds after the API
    // server answers, long enough (at this scale) that the action's first look always finds the old one.
    const r = await run(
      'demo',
      { channel: '1.29/stable' },
      {
        overrides: {
          timeScale: 0.01,
          latency: {},
          rolloutSeconds: 1,
          readiness: { afterRefresh: 1, kubeletAfterReady: 300 }
        }
      }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(r.stdout).toMatch(/Waiting for the kubelet on \S+ to report v1\.29\.15 \(the node still shows v1\.28\.15\)/)
    expect(r.stdout).toMatch(/kubelet on \S+ at v1\.29\.15, Ready/)
    // The hop watched the node until the new kubelet reported (the wait spent in kubectl, in simulated time).
    const waits = r.state.calls.filter((c: any) => c.args[0] === 'kubectl' && c.args[1] === 'wait')
    expect(waits.map((c: any) => c.args[3])).toEqual(['--for=jsonpath={.status.nodeInfo.kubeletVersion}=v1.29.15'])
    expect(waits[0].exit).toBe(0)
    expect(waits[0].simSeconds).toBeGreaterThan(0)
    expect(r.report.hops.map((h: any) => h.status)).toEqual(['done'])
  })

  it('fails the hop, recorded failed, when the kubelet never reports the new version within wait-timeout', async () => {
    const r = await run(
      'demo',
      { channel: '1.30/stable', 'wait-timeout': '2' },
      { overrides: { ...fast, readiness: { afterRefresh: 1, kubeletNeverReportsOn: ['1.29/stable'] } } }
    )
    expect(r.code).toBe(1)
    expect(r.report.failure.step).toBe('hop 1.29/stable')
    expect(r.report.failure.message).toMatch(
      /API server reports v1\.29\.15, but within wait-timeout \(2 s\) node \S+: its kubelet reports v1\.28\.15, not Kubernetes 1\.29/
    )
    expect(r.report.hops).toMatchObject([{ channel: '1.29/stable', status: 'failed' }])
    expect(commandLines(r).some((l) => l.includes('--channel=1.30/stable'))).toBe(false)
    expect(validateReport(r.report)).toEqual([])
  })
})

describe.concurrent('multi-node clusters', () => {
  it('refuses two hops with another control-plane node before any change, with the procedure', async () => {
    const r = await run('multi-control-plane', { channel: '1.30/stable' })
    expect(r.code).toBe(1)
    expect(mutatingCommands(r)).toEqual([])
    expect(r.report.failure.step).toBe('plan')
    expect(r.report.failure.message).toMatch(/cp-2 \(control plane, kubelet v1\.28\.15\)/)
    expect(r.report.failure.message).toMatch(/within one minor of each other/)
    expect(r.report.failure.message).toMatch(
      /run this action with channel 1\.29\/stable, then refresh every other node/
    )
    expect(r.report.failure.clusterState).toMatch(/not touched/)
  })

  it('allows one hop with a warning, and says addon cycling runs once for the cluster', async () => {
    const r = await run('multi-control-plane', { channel: '1.29/stable' })
    expect(r.code, r.stdout).toBe(0)
    expect(r.stdout).toMatch(/::warning title=multi-node cluster::the cluster has 1 other node\(s\): cp-2/)
    expect(r.report.warnings.join('\n')).toMatch(/addon cycling on a multi-node cluster is cluster-wide: it runs once/)
    expect(r.outputs.hops).toBe('1.29/stable')
  })
})

describe.concurrent('snapd changes that take minutes', () => {
  it('waits for an auto-refresh lasting 150 simulated seconds, then refreshes', async () => {
    // At this scale the change lasts long enough for the action to see it running; commands take no time.
    const r = await run(
      'faults/snapd-change',
      { channel: '1.29/stable' },
      { overrides: { timeScale: 0.02, latency: {}, rolloutSeconds: 1, readiness: { afterRefresh: 1 } } }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(r.stdout).toMatch(
      /waiting for snapd to finish change \d+ \(Auto-refresh snap "microk8s", Doing\) before 'snap refresh microk8s --channel=1\.29\/stable --classic'/
    )
    const lines = commandLines(r)
    expect(lines.filter((l) => l === 'snap changes microk8s').length).toBeGreaterThan(0)
    expect(r.outputs.version).toBe('v1.29.15')
  })

  it('fails past wait-timeout, naming the change, without refreshing', async () => {
    const waitTimeout = 2
    const r = await run(
      'faults/snapd-change',
      { channel: '1.29/stable', 'wait-timeout': String(waitTimeout) },
      {
        overrides: {
          readiness: { afterRefresh: 1 },
          snapdChanges: [
            { kind: 'auto-refresh', seconds: simSeconds(waitTimeout * 3), startsOn: '^snap refresh microk8s --channel' }
          ]
        }
      }
    )
    expect(r.code).toBe(1)
    expect(r.report.failure.message).toMatch(
      /snapd change \d+ \(Auto-refresh snap "microk8s", Doing\) was still in progress when wait-timeout ran out.*'snap refresh microk8s --channel=1\.29\/stable --classic' did not run.*snap watch \d+/
    )
    expect(r.state.snap.version).toBe('v1.28.15')
    expect(r.report.hops).toMatchObject([{ channel: '1.29/stable', status: 'failed' }])
    expect(errorAnnotation(r).split('\n')).toHaveLength(1)
  })
})

describe.concurrent('outputs and the report when the run ends', () => {
  it('a fresh install: no hops, not upgraded, no version before', async () => {
    const r = await run('fresh-runner', { channel: '1.30/stable' }, { overrides: fast })
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs).toMatchObject({ hops: '', upgraded: 'false', 'version-before': '', version: 'v1.30.14' })
    expect(r.report.hops).toMatchObject([{ channel: '1.30/stable', kind: 'install', status: 'done' }])
  })

  it('a dry run reports the cluster as it is at the end, which is as it was', async () => {
    const r = await run('demo', { channel: '1.30/stable', 'dry-run': 'true' }, { overrides: fast })
    expect(r.code, r.stdout).toBe(0)
    expect(r.report.after).not.toBeNull()
    expect(r.report.after).toEqual(r.report.before)
    expect(validateReport(r.report)).toEqual([])
  })

  it('stopped before any change: after equals before, one ::error annotation', async () => {
    const r = await run('faults/missing-hop', { channel: '1.30/stable' })
    expect(r.code).toBe(1)
    expect(r.report.after).toEqual(r.report.before)
    expect(r.report.after.serverVersion).toBe('v1.28.15')
    expect(errorAnnotation(r).split('\n')).toHaveLength(1)
  })

  it('inspect failing after snap list worked: the headline names the installed version', async () => {
    const r = await run(
      'demo',
      { channel: '1.30/stable' },
      {
        overrides: {
          ...fast,
          faults: [{ match: '^microk8s status', times: 9, exit: 0, stdout: 'microk8s:\n  running: [' }]
        }
      }
    )
    expect(r.code).toBe(1)
    expect(r.report.failure.step).toBe('inspect')
    expect(r.report.failure.message).toMatch(/'microk8s status --format yaml' did not print YAML/)
    expect(r.summary).toMatch(/MicroK8s v1\.28\.15/)
    expect(r.stdout).toMatch(/MicroK8s v1\.28\.15 unchanged .*failed at inspect/)
  })

  it('a hop whose cluster never gets ready: version empty and not upgraded, whatever the snap says', async () => {
    const r = await run(
      'demo',
      { channel: '1.29/stable', 'wait-timeout': '2' },
      { overrides: { ...fast, readiness: { neverOn: ['1.29/stable'] } } }
    )
    expect(r.code).toBe(1)
    expect(r.state.snap.version).toBe('v1.29.15')
    // The snap moved, but the API server was never read after it: neither output claims a version it serves.
    expect(r.outputs).toMatchObject({ 'version-before': 'v1.28.15', version: '', upgraded: 'false' })
    expect(validateReport(r.report)).toEqual([])
  })

  it('a blank channel on an existing cluster is refused before any command changes it', async () => {
    const r = await run('demo', { channel: '  ' }, { overrides: fast })
    expect(r.code).toBe(1)
    expect(mutatingCommands(r)).toEqual([])
    expect(r.report.failure.step).toBe('input channel')
    expect(errorAnnotation(r)).toMatch(
      /Input 'channel': is empty, and MicroK8s v1\.28\.15 .* is installed; nothing was changed/
    )
    expect(r.state.snap.version).toBe('v1.28.15')
  })

  it('an input error reads as nothing changed, not as an install', async () => {
    const r = await run('demo', { channel: '1.30/stable', 'wait-timeout': 'soon' }, { overrides: fast })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/MicroK8s 1\.30\/stable: nothing changed · failed at input wait-timeout/)
    expect(r.stdout).not.toMatch(/MicroK8s \? installed/)
  })

  it('never shows the output of a secret command, even when it is not JSON', async () => {
    const secret = 'c3VwZXJzZWNyZXQtcGFzc3dvcmQ'
    const r = await run(
      'demo',
      { channel: '1.29/stable' },
      {
        overrides: {
          ...fast,
          faults: [{ match: 'kubectl get secrets -A -l owner=helm', times: 9, exit: 0, stdout: `{"items": [${secret}` }]
        }
      }
    )
    expect(r.code).toBe(1)
    expect(r.report.failure.message).toMatch(
      /'microk8s kubectl get secrets -A -l owner=helm -o json' did not print JSON .*not shown: the command's output is secret/
    )
    for (const text of [r.stdout, r.stderr, r.summary, JSON.stringify(r.report)]) expect(text).not.toContain(secret)
  })
})

describe.concurrent('the kubeconfig path and the comment key', () => {
  it('refuses a symlink at the kubeconfig path before running any command', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mk8s-kc-'))
    fs.writeFileSync(path.join(dir, 'victim'), 'precious\n')
    fs.symlinkSync(path.join(dir, 'victim'), path.join(dir, 'config'))
    const r = await run('demo', { channel: '1.29/stable', kubeconfig: path.join(dir, 'config') }, { overrides: fast })
    expect(r.code).toBe(1)
    expect(r.state.calls).toEqual([])
    expect(errorAnnotation(r)).toMatch(/Input 'kubeconfig': .* is a symbolic link/)
    expect(fs.readFileSync(path.join(dir, 'victim'), 'utf8')).toBe('precious\n')
  })

  it('replaces another kubeconfig, keeping it as .bak, and exports KUBECONFIG', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mk8s-kc-'))
    const target = path.join(dir, 'kube', 'config')
    fs.mkdirSync(path.dirname(target))
    fs.writeFileSync(target, 'apiVersion: v1\nclusters: []\n', { mode: 0o644 })
    const r = await run('demo', { channel: '1.29/stable', kubeconfig: target }, { overrides: fast })
    expect(r.code, r.stdout).toBe(0)
    expect(fs.statSync(target).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(target, 'utf8')).toMatch(/server: https:\/\/127\.0\.0\.1:16443/)
    expect(fs.readFileSync(`${target}.bak`, 'utf8')).toBe('apiVersion: v1\nclusters: []\n')
    expect(r.exported.KUBECONFIG).toBe(target)
    expect(r.outputs.kubeconfig).toBe(target)
  })

  it('runs with a legal job id containing --', async () => {
    const r = await run(
      'demo',
      { channel: '1.29/stable', 'dry-run': 'true' },
      { overrides: fast, env: { GITHUB_JOB: 'upgrade--k8s' } }
    )
    expect(r.code, r.stdout).toBe(0)
  })

  it.each([
    ['channel', '1.30/unstable'],
    ['addons', 'dns;reboot'],
    ['wait-timeout', '0'],
    ['hold-refresh', 'off'],
    ['report-file', '/etc/report.json']
  ])('refuses %s=%j before running any command', async (input, value) => {
    const r = await run('demo', { channel: '1.29/stable', [input]: value }, { overrides: fast })
    expect(r.code).toBe(1)
    expect(r.state.calls).toEqual([])
    // The title's ':' is written %3A in the workflow command.
    expect(errorAnnotation(r)).toMatch(
      new RegExp(`^::error title=microk8s-upgrade-action%3A input ${input}::Input '${input}'`)
    )
    expect(errorAnnotation(r).split('\n')).toHaveLength(1)
  })
})
