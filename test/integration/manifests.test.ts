// The manifests input, run through the bundled action: the repository's YAML checked against the target
// without touching a cluster, findings annotated on file and line.
import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { run, mutatingCommands } from './harness.js'
import { validateReport } from '../helpers/schema.js'

/** A workspace holding the fixture manifests (a repository checkout). */
function workspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-it-'))
  fs.cpSync(path.join(import.meta.dirname, '..', 'fixtures', 'manifests'), dir, { recursive: true })
  return dir
}

/** A dry run on a runner without MicroK8s, in a workspace holding the fixture manifests. */
const dryRunOnFreshRunner = (channel: string, manifests: string) =>
  run('fresh-runner', { channel, 'dry-run': 'true', manifests }, { env: { GITHUB_WORKSPACE: workspace() } })

const annotations = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::warning title=Removed API'))

describe('manifests input (bundled action)', () => {
  it('works in a dry run on a runner without MicroK8s: target from the channel, findings on file:line', async () => {
    const r = await dryRunOnFreshRunner('1.30/stable', 'deploy\ncharts')
    expect(r.code, r.stdout).toBe(0)
    expect(mutatingCommands(r)).toEqual([])
    expect(annotations(r.stdout)).toEqual([
      '::warning title=Removed API,file=deploy/list.yaml,line=8::Ingress web uses extensions/v1beta1, removed in Kubernetes 1.22, not served by the target 1.30; use networking.k8s.io/v1',
      '::warning title=Removed API,file=deploy/app.yaml,line=11::PodDisruptionBudget web uses policy/v1beta1, removed in Kubernetes 1.25, not served by the target 1.30; use policy/v1',
      '::warning title=Removed API,file=deploy/app.yaml,line=25::FlowSchema shop-priority uses flowcontrol.apiserver.k8s.io/v1beta3, removed in Kubernetes 1.32: migrate before your next upgrade; use flowcontrol.apiserver.k8s.io/v1'
    ])
    expect(r.report.status).toBe('dry-run')
    expect(r.report.findings.map((f: any) => `${f.file}:${f.line}`)).toEqual([
      'deploy/list.yaml:8',
      'deploy/app.yaml:11',
      'deploy/app.yaml:25'
    ])
    expect(r.report.manifests).toMatchObject({ patterns: ['deploy', 'charts'], files: 5, objects: 6 })
    expect(r.report.manifests.skipped.map((s: any) => s.file)).toEqual([
      'charts/web/templates/ingress.yaml',
      'charts/web/templates/pdb.yaml',
      'deploy/broken.yaml'
    ])
    expect(validateReport(r.report)).toEqual([])
    expect(r.summary).toContain('<td>deploy/app.yaml:25</td>')
    expect(r.summary).toContain('1.32 <sub>after the target: migrate before your next upgrade</sub>')
    expect(r.summary).toContain('skipped <code>charts/web/templates/ingress.yaml</code>: a Helm chart template')
  })

  it('takes the target minor of latest/… from the store when nothing is installed', async () => {
    const r = await dryRunOnFreshRunner('latest/stable', 'deploy/app.yaml')
    expect(r.code, r.stdout).toBe(0)
    const target = r.report.plan.targetMinor
    // The simulated store's latest track carries 1.34 (a minor past the FlowSchema v1beta3 removal in 1.32).
    expect(target).toBeGreaterThanOrEqual(32)
    expect(annotations(r.stdout)).toContain(
      `::warning title=Removed API,file=deploy/app.yaml,line=25::FlowSchema shop-priority uses flowcontrol.apiserver.k8s.io/v1beta3, removed in Kubernetes 1.32, not served by the target 1.${target}; use flowcontrol.apiserver.k8s.io/v1`
    )
  })

  it('with removed-apis: fail, stops before any change for what the target does not serve', async () => {
    const ws = workspace()
    const r = await run(
      'demo',
      { channel: '1.30/stable', 'removed-apis': 'fail', manifests: 'deploy/**/*.yaml' },
      { env: { GITHUB_WORKSPACE: ws }, overrides: { timeScale: 0.0005 } }
    )
    expect(r.code).toBe(1)
    expect(mutatingCommands(r)).toEqual([])
    expect(r.report.failure.step).toBe('pre-flight: manifests')
    expect(r.report.failure.message).toMatch(
      /^2 object\(s\) in the manifests use APIs the target 1\.30 does not serve \(first: Ingress web as extensions\/v1beta1 at deploy\/list\.yaml:8, removed in 1\.22\); nothing was changed/
    )
    expect(r.state.snap.tracking).toBe('1.28/stable')
  })

  it('refuses a pattern leaving the workspace before anything runs', async () => {
    const ws = workspace()
    const r = await run(
      'demo',
      { channel: '1.30/stable', manifests: '../../etc/*.yaml' },
      { env: { GITHUB_WORKSPACE: ws } }
    )
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      /::error title=microk8s-upgrade-action%3A input manifests::Input 'manifests': '..\/..\/etc\/\*.yaml' leaves the workspace/
    )
    expect(r.state.calls).toEqual([])
  })
})
