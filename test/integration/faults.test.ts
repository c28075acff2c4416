// Faults injected through simulator scenarios, and bad inputs: each ends in a retry that succeeds or a clear error
// naming the input or step — and in every case the report is written and no data is lost.
import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { run, commandLines, mutatingCommands, errorAnnotation, object } from './harness.js'
import { validateReport } from '../helpers/schema.js'
import { useFakeGitHub } from '../helpers/fake-github.js'
import type { ActionRun } from '../../scripts/run-action.mjs'

const fast = { timeScale: 0.001 }

/** The demo cluster's data is all still there: bound claims, Helm release, the customised Corefile. */
function expectNothingLost(r: ActionRun) {
  const objects = r.state.cluster?.objects ?? []
  const claim = objects.find((o: any) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'app-data')
  expect(claim?.status.phase).toBe('Bound')
  expect(objects.filter((o: any) => o.type === 'helm.sh/release.v1')).toHaveLength(1)
  expect(r.state.cluster.hostpathData.destroyed).toBe(false)
  const corefile = objects.find((o: any) => o.kind === 'ConfigMap' && o.metadata.name === 'coredns')?.data.Corefile
  if (corefile !== undefined) expect(corefile).toContain('build-cache.internal')
}

function expectReport(r: ActionRun, status: string) {
  expect(r.report, `no report; stdout:\n${r.stdout}`).toBeDefined()
  expect(r.report.status).toBe(status)
  expect(validateReport(r.report)).toEqual([])
}

describe.concurrent('faults that end in a retry that succeeds', () => {
  it('snapd "change in progress" twice, then the refresh goes through', async () => {
    const r = await run('faults/snapd-busy', { channel: '1.29/stable' })
    expect(r.code, r.stdout).toBe(0)
    expect(commandLines(r).filter((l) => l.startsWith('snap refresh microk8s --channel=1.29/stable'))).toHaveLength(3)
    expect(r.stdout).toMatch(/change in progress; retrying in 1s \(attempt 2 of 6\)/)
    expect(r.outputs.version).toBe('v1.29.15')
    expectReport(r, 'success')
  })

  it('a transient download failure, then the refresh goes through', async () => {
    const r = await run('faults/download-failure', { channel: '1.29/stable' })
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs.hops).toBe('1.29/stable')
    expectNothingLost(r)
  })

  it('snapd holding a service-control change right after install delays an enable, then it goes through', async () => {
    const r = await run('faults/service-control', { channel: '1.30/stable', addons: 'ingress' })
    expect(r.code, r.stdout).toBe(0)
    expect(commandLines(r).filter((l) => l === 'microk8s enable ingress')).toHaveLength(2)
  })
})

describe.concurrent('faults that end in a warning', () => {
  it('snapd too old to hold refreshes: warns and upgrades anyway', async () => {
    const r = await run(
      'demo',
      { channel: '1.29/stable' },
      {
        overrides: {
          ...fast,
          faults: [{ match: '^snap refresh --hold', times: 1, exit: 1, stderr: "error: unknown flag `hold'" }]
        }
      }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(r.stdout).toMatch(
      /::warning title=hold-refresh::could not hold auto-refresh of microk8s \(snapd 2.58 or newer is needed\)/
    )
    expect(r.outputs.version).toBe('v1.29.15')
    expect(r.savedState.held).toBeUndefined()
  })
})

describe.concurrent('faults that end in a clear error', () => {
  it('an unknown channel: the plan fails before anything changes, naming the channel', async () => {
    const r = await run('faults/missing-hop', { channel: '1.30/stable' })
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(/channel 1\.29\/stable \(Kubernetes 1\.29\) is not published/)
    expect(mutatingCommands(r)).toEqual([])
    expectReport(r, 'failure')
    expect(r.report.failure).toMatchObject({
      step: 'plan',
      clusterState: 'not touched: the action stopped before any change'
    })
    expectNothingLost(r)
  })

  it('readiness never comes: fails within wait-timeout, says so, describes the cluster and collects diagnostics', async () => {
    const r = await run('faults/readiness-never', { channel: '1.30/stable', 'wait-timeout': '5' })
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(/refresh 1\.30\/stable.*did not become ready within wait-timeout \(5s\)/)
    const wait = r.state.calls.filter((c: any) => c.args.includes('--wait-ready')).pop()
    expect(wait.simSeconds).toBeGreaterThanOrEqual(5) // waited the whole timeout, and no longer
    expect(wait.simSeconds).toBeLessThan(7)
    expect(r.outputs.hops).toBe('1.29/stable')
    expect(commandLines(r).filter((l) => /^microk8s (enable|disable)/.test(l))).toEqual([])
    expectReport(r, 'failure')
    expect(r.report.failure.clusterState).toMatch(/v1\.30\.14 \(rev 8248, 1\.30\/stable\), not ready/)
    expect(fs.existsSync(r.outputs.diagnostics)).toBe(true)
    expect(r.outputs.diagnostics.startsWith(r.files.temp)).toBe(true)
    expect(r.summary).toContain('Failed at refresh 1.30/stable')
    // The user's workloads: read before, not at the end (the cluster never answered), so not compared.
    expect(r.report.workloads).toMatchObject({
      compared: false,
      before: { read: true },
      after: { read: false, reason: 'the cluster is not ready' }
    })
    expectNothingLost(r)
  })

  it('a snap refresh that hangs (a stuck snapd change) is stopped after wait-timeout plus a margin', async () => {
    // wait-timeout 3 (a 6 s bound): every other command has seconds to spare on a loaded machine, so only the
    // hanging refresh meets the bound.
    const r = await run('faults/refresh-hangs', { channel: '1.29/stable', 'wait-timeout': '3' })
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(
      /snap refresh microk8s --channel=1\.29\/stable --classic' failed with exit code 124.*was stopped after 6s/
    )
    // Stopped by the bound, not finished: the killed refresh left no call record and the snap is where it was.
    expect(commandLines(r)).not.toContain('snap refresh microk8s --channel=1.29/stable --classic')
    expect(r.state.snap.tracking).toBe('1.28/stable')
    expectReport(r, 'failure')
    expectNothingLost(r)
  })

  it('the API server reports the wrong minor after a refresh: stops before the next hop', async () => {
    const r = await run('faults/wrong-minor', { channel: '1.30/stable' })
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(
      /after refreshing to 1\.29\/stable the API server reports v1\.28\.15, not Kubernetes 1\.29; stopping before the next hop/
    )
    expect(commandLines(r)).not.toContain('snap refresh microk8s --channel=1.30/stable --classic')
    expectReport(r, 'failure')
    expectNothingLost(r)
  })

  it('an addon enable fails mid-way: every disabled addon is re-enabled and the error lists them', async () => {
    // always: dns, ingress and hostpath-storage all go through the cycle (auto would skip the unchanged dns).
    const r = await run('faults/enable-fails', { channel: '1.30/stable', 'cycle-addons': 'always' })
    expect(r.code).toBe(1)
    const message = errorAnnotation(r)
    expect(message).toMatch(/enable ingress: microk8s enable ingress failed with exit code 1/)
    expect(message).toMatch(/Addons: dns cycled, ingress failed, hostpath-storage re-enabled/)
    expect(message).toMatch(/Recovery: ingress: re-enabled; hostpath-storage: re-enabled/)
    for (const [kind, ns, name] of [
      ['Deployment', 'kube-system', 'coredns'],
      ['DaemonSet', 'ingress', 'nginx-ingress-microk8s-controller'],
      ['Deployment', 'kube-system', 'hostpath-provisioner']
    ]) {
      expect(object(r, kind, ns, name), `${name} is running again`).toBeDefined()
    }
    expectReport(r, 'failure')
    expect(r.report.failure.clusterState).toMatch(
      /enabled addons: dns, ha-cluster, helm, helm3, hostpath-storage, ingress/
    )
    expectNothingLost(r)
  })

  it('an addon disable fails mid-way: the one already disabled and the failing one are brought back', async () => {
    const r = await run(
      'demo',
      { channel: '1.30/stable', 'cycle-addons': 'always' },
      {
        overrides: {
          ...fast,
          faults: [
            {
              match: '^microk8s disable ingress',
              times: 1,
              exit: 1,
              stdout: 'Disabling Ingress\nerror: timed out waiting for the condition'
            }
          ]
        }
      }
    )
    expect(r.code).toBe(1)
    const message = errorAnnotation(r)
    expect(message).toMatch(/disable ingress: microk8s disable ingress failed with exit code 1/)
    expect(message).toMatch(/Addons: dns planned, ingress failed, hostpath-storage re-enabled/)
    expect(message).toMatch(/Recovery: ingress: re-enabled; hostpath-storage: re-enabled/)
    // dns was never disabled; the repository was not updated, so the old scripts came back.
    expect(commandLines(r)).not.toContain('microk8s disable dns')
    expect(commandLines(r)).not.toContain('microk8s addons repo update core')
    expect(object(r, 'Deployment', 'kube-system', 'hostpath-provisioner')).toBeDefined()
    expectNothingLost(r)
  })

  it('an addon’s rollout never completes: fails naming the workload and wait-timeout, addons left enabled', async () => {
    const r = await run('faults/rollout-stuck', { channel: '1.30/stable', 'wait-timeout': '30' })
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(
      /addon ingress: daemonset ingress\/nginx-ingress-microk8s-controller did not finish rolling out within wait-timeout/
    )
    expect(object(r, 'Deployment', 'kube-system', 'hostpath-provisioner')).toBeDefined()
    // After a failure the cluster answered: the workloads are compared with what inspect read.
    expect(r.report.workloads).toMatchObject({ compared: true, before: { read: true }, after: { read: true } })
    expectNothingLost(r)
  })

  it('microk8s missing after install: says so', async () => {
    const r = await run('faults/microk8s-missing', { channel: '1.30/stable' })
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(/the 'microk8s' command was not found after the snap was installed/)
    expectReport(r, 'failure')
  })

  it('the kubeconfig path cannot be created: names the input before any command', async () => {
    const blocker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kc-')), 'file')
    fs.writeFileSync(blocker, '')
    const r = await run('demo', { channel: '1.28/stable', kubeconfig: path.join(blocker, 'config') })
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(
      /Input 'kubeconfig': '.*file\/config' cannot be created: .*file is not a directory/
    )
    expect(r.state.calls).toEqual([])
    expectReport(r, 'failure')
  })

  it('no sudo on a non-root runner: fails before any command, saying what is needed', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bin-'))
    for (const tool of ['snap', 'microk8s'])
      fs.symlinkSync(path.join(process.cwd(), 'sim', 'bin', tool), path.join(bin, tool))
    fs.symlinkSync(process.execPath, path.join(bin, 'node'))
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mk8s-nosudo-'))
    fs.chmodSync(dir, 0o777)
    const r = await run(
      'demo',
      { channel: '1.30/stable' },
      { dir, env: { PATH: bin }, spawnOptions: { uid: 65534, gid: 65534 } }
    )
    fs.rmSync(bin, { recursive: true, force: true })
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(/not running as root and sudo is not available/)
    expect(r.state.calls).toEqual([])
    expectReport(r, 'failure')
  })

  it('a non-Linux runner: fails at once, naming the platform', async () => {
    const r = await run(
      'demo',
      { channel: '1.30/stable' },
      {
        env: {
          NODE_OPTIONS: "--import=data:text/javascript,Object.defineProperty(process,'platform',{value:'darwin'})"
        }
      }
    )
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(/MicroK8s needs a Linux runner with snapd; this runner is darwin/)
    expect(r.state.calls).toEqual([])
    expectReport(r, 'failure')
  })

  it('the step summary file missing: a warning, the report file still written, the run still succeeds', async () => {
    const r = await run(
      'demo',
      { channel: '1.28/stable' },
      { env: { GITHUB_STEP_SUMMARY: '/nonexistent/dir/summary.md' } }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(r.stdout).toMatch(/::warning title=job summary::could not write the job summary/)
    expectReport(r, 'success')
  })
})

describe.concurrent('a stopped cluster', () => {
  it('is started, then waited for, instead of being reported as a readiness timeout', async () => {
    const r = await run('stopped', { channel: '1.29/stable' })
    expect(r.code, r.stdout).toBe(0)
    const lines = commandLines(r)
    expect(lines.slice(1, 4)).toEqual([
      'microk8s status --wait-ready --timeout 600 --format yaml',
      'microk8s start',
      'microk8s status --wait-ready --timeout 600 --format yaml'
    ])
    expect(r.outputs.version).toBe('v1.29.15')
    expectNothingLost(r)
  })
})

describe.concurrent('as a non-root runner user (GitHub-hosted runners run as `runner`)', () => {
  it('runs every snap and microk8s command through sudo and joins the microk8s group', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mk8s-sudo-'))
    fs.chmodSync(dir, 0o777)
    const r = await run('demo', { channel: '1.29/stable' }, { dir, spawnOptions: { uid: 65534, gid: 65534 } })
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const calls = r.state.calls.filter((c: any) => c.tool === 'snap' || c.tool === 'microk8s')
    expect(calls.length).toBeGreaterThan(10)
    expect(calls.filter((c: any) => !c.sudo)).toEqual([])
    expect(r.state.groupMembers).toEqual(['nobody'])
  })
})

describe.sequential('pull-request comment', () => {
  const { state, url: apiUrl } = useFakeGitHub()

  const prEnv = () => {
    const event = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ev-')), 'event.json')
    fs.writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }))
    return {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_API_URL: apiUrl()
    }
  }

  it('creates one sticky comment, updates it on the next run, and keeps it under the limit', async () => {
    Object.assign(state, { comments: [], forbid: false, maxBody: Infinity })
    const inputs = { channel: '1.28/stable', 'pr-comment': 'true', 'github-token': 't' }
    const first = await run('demo', inputs, { env: prEnv() })
    expect(first.code, first.stdout).toBe(0)
    const second = await run('demo', { ...inputs, 'cycle-addons': 'always' }, { env: prEnv() })
    expect(second.code, second.stdout).toBe(0)
    expect(state.comments).toHaveLength(1)
    expect(state.comments[0].body).toContain('<!-- microk8s-upgrade-report:v1 key=upgrade-1.28/stable -->')
    expect(state.comments[0].body).toContain('3 addons cycled')
    expect(state.comments[0].body.length).toBeLessThan(65536)
    expect(second.stdout).toMatch(/pull-request comment updated/)
  })

  it('a 403 (fork’s read-only token) is a warning, not a failure', async () => {
    Object.assign(state, { comments: [], forbid: true, maxBody: Infinity })
    const r = await run('demo', { channel: '1.28/stable', 'pr-comment': 'true', 'github-token': 't' }, { env: prEnv() })
    expect(r.code, r.stdout).toBe(0)
    expect(r.stdout).toMatch(
      /::warning title=pull-request comment::could not comment on the pull request: the token may not comment/
    )
    expect(r.summary).toContain('MicroK8s v1.28.15 unchanged')
  })

  it('a 422 body-too-long is retried with the short form', async () => {
    Object.assign(state, { comments: [], forbid: false, maxBody: 9000 })
    const r = await run('demo', { channel: '1.28/stable', 'pr-comment': 'true', 'github-token': 't' }, { env: prEnv() })
    expect(r.code, r.stdout).toBe(0)
    expect(state.comments).toHaveLength(1)
    expect(state.comments[0].body.length).toBeLessThanOrEqual(8000)
  })
})

describe.concurrent('bad inputs: a clear error naming the input, before anything touches the cluster', () => {
  it.each([
    ['malformed channel', { channel: '1.30' }, /Input 'channel': '1\.30' is not a channel; expected '<track>\/<risk>'/],
    ['unknown risk', { channel: '1.30/nightly' }, /Input 'channel': .*unknown risk 'nightly'/],
    [
      'downgrade',
      { channel: '1.27/stable' },
      /older than the installed Kubernetes 1\.28: MicroK8s does not support downgrades/
    ],
    ['skip of flavour (classic to strict)', { channel: '1.30-strict/stable' }, /does not switch confinement in place/],
    [
      'shell metacharacters in an addon name',
      { channel: '1.30/stable', addons: 'dns;reboot' },
      /Input 'addons': 'dns;reboot' does not start with an addon name/
    ],
    [
      'shell metacharacters in addon args',
      { channel: '1.30/stable', addons: 'dns:$(curl${IFS}evil)' },
      /Input 'addons': arguments of 'dns'/
    ],
    [
      'quotes in addon args',
      { channel: '1.30/stable', addons: "dns:'8.8.8.8'" },
      /quotes, spaces and shell characters are refused/
    ],
    [
      'a newline inside an argument list',
      { channel: '1.30/stable', addons: 'metallb:10.0.0.1-10.0.0.9,\n;rm' },
      /Input 'addons': ';rm' does not start with an addon name/
    ],
    [
      'a duplicate addon',
      { channel: '1.30/stable', addons: 'dns ingress dns:1.1.1.1' },
      /Input 'addons': 'dns' is listed twice/
    ],
    [
      'a negative wait-timeout',
      { channel: '1.30/stable', 'wait-timeout': '-1' },
      /Input 'wait-timeout': '-1' is not accepted; give a whole number of seconds from 1 to 21600/
    ],
    ['a huge wait-timeout', { channel: '1.30/stable', 'wait-timeout': '99999999' }, /Input 'wait-timeout'/],
    [
      'metallb requested without its range',
      { channel: '1.30/stable', addons: 'metallb' },
      /Input 'addons': metallb needs arguments.*metallb:10\.64\.140\.43-10\.64\.140\.49/
    ]
  ])('%s', async (_, inputs, message) => {
    const r = await run('demo', inputs as Record<string, string>, { overrides: fast })
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(message)
    expect(mutatingCommands(r)).toEqual([])
    expectReport(r, 'failure')
    expectNothingLost(r)
  })

  it('an empty addons input is fine', async () => {
    const r = await run('demo', { channel: '1.28/stable', addons: ' \n ' }, { overrides: fast })
    expect(r.code, r.stdout).toBe(0)
  })
})
