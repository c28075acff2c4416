// The removed-API pre-flight against a cluster holding objects authored with APIs the hops remove, and the
// deprecated APIs its clients request at run time (the scenario's apiRequests: the API server's gauge).
import { describe, it, expect } from 'vitest'
import { run, mutatingCommands, errorAnnotation, commandLines } from './harness.js'
import { validateReport } from '../helpers/schema.js'

const CALICO_MANIFEST = '/snap/microk8s/current/upgrade-scripts/000-switch-to-calico/resources/calico.yaml'
const METRICS = 'microk8s kubectl get --raw /metrics'

/** Each read of the requested-API gauge as `at (1.minor): api removed_release, …` or `at: not read`. */
const requestedReads = (report: any) =>
  report.requestedApis.reads.map((read: any) =>
    read.status === 'read'
      ? `${read.at} (1.${read.minor}): ${read.requested.map((a: any) => `${a.apiVersion} ${a.resource} ${a.removedRelease ?? '-'}`).join(', ') || 'none'}`
      : `${read.at}: not read (${read.detail})`
  )

describe.concurrent('removed-API pre-flight', () => {
  it('warn: finds the v1beta2 FlowSchema before the 1.29 hop (not the cluster’s own defaults), reports and continues', async () => {
    const r = await run('removed-apis', { channel: '1.32/stable' })
    expect(r.code, r.stdout).toBe(0)
    const found = r.report.findings.map(
      (f: any) =>
        `1.${f.removedIn} ${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name} ${f.apiVersion} ${f.evidence}`
    )
    expect(found).toEqual([
      '1.29 FlowSchema ci-runners flowcontrol.apiserver.k8s.io/v1beta2 last-applied',
      '1.29 FlowSchema ci-runners flowcontrol.apiserver.k8s.io/v1beta2 managedFields:kubectl-client-side-apply',
      '1.29 FlowSchema platform/chart-flowschema flowcontrol.apiserver.k8s.io/v1beta2 helm:platform/rate-limits',
      '1.32 FlowSchema gitops-managed flowcontrol.apiserver.k8s.io/v1beta3 managedFields:argocd-controller'
    ])
    expect(r.stdout).toMatch(
      /::warning title=Removed API::FlowSchema ci-runners uses flowcontrol.apiserver.k8s.io\/v1beta2, removed in Kubernetes 1.29; use flowcontrol.apiserver.k8s.io\/v1/
    )
    const preflightList =
      'microk8s kubectl get flowschemas.flowcontrol.apiserver.k8s.io,prioritylevelconfigurations.flowcontrol.apiserver.k8s.io -A -o json'
    const preflight = commandLines(r).indexOf(preflightList)
    expect(preflight).toBeGreaterThan(-1)
    expect(preflight).toBeLessThan(commandLines(r).indexOf('snap refresh microk8s --channel=1.29/stable --classic'))
    expect(r.outputs.hops).toBe('1.29/stable,1.30/stable,1.31/stable,1.32/stable')
    expect(r.summary).toContain('Removed APIs')
    // Calico is not an addon: the 1.32 snap's manifest names v3.28.1 but the cluster keeps v3.25.1, and the
    // report says so, from the manifest read after the last hop.
    const read = commandLines(r).lastIndexOf(`cat ${CALICO_MANIFEST}`)
    expect(read).toBeGreaterThan(commandLines(r).indexOf('snap refresh microk8s --channel=1.32/stable --classic'))
    expect(r.report.targetCalico).toBe('v3.28.1')
    expect(r.report.changes.find((c: any) => c.kind === 'cni' && c.component === 'calico/node')).toMatchObject({
      before: 'v3.25.1',
      after: 'v3.25.1',
      state: 'unchanged',
      shipped: 'v3.28.1'
    })
    expect(r.report.warnings.join('\n')).toMatch(/Calico v3\.25\.1 keeps running: .* the 1\.32 snap bundles v3\.28\.1/)
    // Requested at run time: read before the pre-flight lists objects, before each refresh but the first (which
    // that read already covers; a refresh empties the gauge: the one-off componentstatuses request is gone after
    // the first) and after the run.
    expect(requestedReads(r.report)).toEqual([
      'before the run (1.28): flowcontrol.apiserver.k8s.io/v1beta2 flowschemas 1.29, v1 componentstatuses -',
      'before 1.30/stable (1.29): flowcontrol.apiserver.k8s.io/v1beta3 flowschemas 1.32',
      'before 1.31/stable (1.30): flowcontrol.apiserver.k8s.io/v1beta3 flowschemas 1.32',
      'before 1.32/stable (1.31): flowcontrol.apiserver.k8s.io/v1beta3 flowschemas 1.32',
      'after the run (1.32): none'
    ])
    const lines = commandLines(r)
    expect(lines.indexOf(METRICS)).toBeLessThan(lines.indexOf(preflightList))
    for (const minor of [29, 30, 31, 32]) {
      const refresh = lines.indexOf(`snap refresh microk8s --channel=1.${minor}/stable --classic`)
      expect(lines.lastIndexOf(METRICS, refresh), `a read before the 1.${minor} refresh`).toBeGreaterThan(
        lines.lastIndexOf('snap refresh', refresh - 1)
      )
    }
    // Each API the hops remove is annotated once, with its replacement; componentstatuses has no removal set.
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::warning title=Removed API requested::'))
    expect(annotations).toHaveLength(2)
    expect(annotations[0]).toMatch(
      /flowcontrol\.apiserver\.k8s\.io\/v1beta2 flowschemas was requested .*read before the run.*Kubernetes 1\.29 no longer serves it.*use flowcontrol\.apiserver\.k8s\.io\/v1$/
    )
    expect(annotations[1]).toMatch(/v1beta3 flowschemas .*read before 1\.30\/stable.*Kubernetes 1\.32/)
    const section = r.summary.split('**Deprecated APIs requested at run time**')[1]
    expect(section).toBeDefined()
    expect(section).toContain(
      '<td><code>flowcontrol.apiserver.k8s.io/v1beta2</code> flowschemas</td><td>1.29 ⚠️ <sub>not served by the target: what sends it fails</sub></td><td>before the run</td><td><code>flowcontrol.apiserver.k8s.io/v1</code></td>'
    )
    expect(section).toContain('<td><code>v1</code> componentstatuses</td><td><sub>no removal set</sub></td>')
    expect(r.summary.indexOf('Removed APIs found in cluster objects and manifests')).toBeLessThan(
      r.summary.indexOf('Deprecated APIs requested at run time')
    )
    expect(validateReport(r.report)).toEqual([])
  })

  it('claims nothing about the target’s Calico when its manifest cannot be read, nor requested APIs it could not read', async () => {
    const r = await run(
      'removed-apis',
      { channel: '1.32/stable' },
      {
        overrides: {
          snapCalicoManifestMissing: true,
          // The first read of /metrics fails as kubectl does when the user may not read it.
          faults: [
            {
              match: 'kubectl get --raw /metrics',
              exit: 1,
              stderr: 'Error from server (Forbidden): forbidden: User "x" cannot get path "/metrics"'
            }
          ]
        }
      }
    )
    expect(r.code, r.stdout).toBe(0)
    // A failed read is "not read", never "none requested"; the reads after it still count.
    expect(requestedReads(r.report)[0]).toBe(
      'before the run: not read (exit 1: Error from server (Forbidden): forbidden: User "x" cannot get path "/metrics")'
    )
    expect(requestedReads(r.report)[1]).toMatch(/^before 1\.29\/stable \(1\.28\): .*v1beta2 flowschemas 1\.29/)
    expect(r.summary).toContain(
      'Not read: before the run (exit 1: Error from server (Forbidden): forbidden: User &quot;x&quot; cannot get path &quot;/metrics&quot;).'
    )
    expect(r.report.steps.find((s: any) => s.name === 'pre-flight: requested APIs')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^not read: exit 1/)
    })
    expect(commandLines(r)).toContain(`cat ${CALICO_MANIFEST}`)
    expect(r.report.targetCalico).toBeUndefined()
    expect(r.report.changes.find((c: any) => c.kind === 'cni' && c.component === 'calico/node')).toMatchObject({
      before: 'v3.25.1',
      after: 'v3.25.1'
    })
    expect(r.report.changes.find((c: any) => c.kind === 'cni' && c.component === 'calico/node').shipped).toBeUndefined()
    expect(r.report.warnings.join('\n')).not.toMatch(/Calico|bundles/)
    expect(validateReport(r.report)).toEqual([])
  })

  it('fail: stops before any change with the list', async () => {
    const r = await run('removed-apis', { channel: '1.30/stable', 'removed-apis': 'fail' })
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(
      /3 object\(s\) use APIs removed by the planned hops \(first: FlowSchema ci-runners as flowcontrol.apiserver.k8s.io\/v1beta2, removed in 1.29\); nothing was changed/
    )
    expect(mutatingCommands(r)).toEqual([])
    expect(r.report.failure).toMatchObject({
      step: 'pre-flight: removed APIs',
      clusterState: 'not touched: the action stopped before any change'
    })
    expect(r.report.findings).toHaveLength(3)
  })

  it('off: skips the check', async () => {
    const r = await run('removed-apis', { channel: '1.30/stable', 'removed-apis': 'off' })
    expect(r.code, r.stdout).toBe(0)
    expect(r.report.findings).toEqual([])
    expect(commandLines(r).some((l) => l.includes('flowschemas'))).toBe(false)
    expect(commandLines(r)).not.toContain(METRICS)
    expect(r.report.requestedApis).toBeUndefined()
  })

  it('a fresh cluster with only its own default FlowSchemas has no finding', async () => {
    const r = await run('demo', { channel: '1.32/stable', 'removed-apis': 'fail' }, { overrides: { timeScale: 0.001 } })
    expect(r.code, r.stdout).toBe(0)
    expect(r.report.findings).toEqual([])
  })
})

describe.concurrent('dry run', () => {
  it('inspects, plans and runs the pre-flight only, and reports what would change', async () => {
    const r = await run('removed-apis', { channel: '1.30/stable', 'dry-run': 'true', addons: 'dns ingress' })
    expect(r.code, r.stdout).toBe(0)
    expect(mutatingCommands(r)).toEqual([])
    expect(r.state.snap.held).toBe(false)
    expect(r.report.status).toBe('dry-run')
    // Nothing changed: the cluster as the run ends is the cluster as it began.
    expect(r.report.after).toEqual(r.report.before)
    expect(r.report.plan).toMatchObject({
      kind: 'upgrade',
      hops: ['1.29/stable', '1.30/stable'],
      enableOrder: ['dns'],
      disableOrder: ['dns'],
      thenEnable: ['ingress']
    })
    expect(r.report.findings).toHaveLength(3)
    expect(r.summary).toContain('Dry run: MicroK8s v1.28.15 → 1.30/stable')
    expect(r.outputs).toMatchObject({ upgraded: 'false', hops: '', version: 'v1.28.15', kubeconfig: '' })
    expect(validateReport(r.report)).toEqual([])
  })
})
