// The removed-API pre-flight against a cluster holding objects authored with APIs the hops remove.
import { describe, it, expect } from 'vitest'
import { run, mutatingCommands, errorAnnotation, commandLines } from './harness.js'
import { validateReport } from '../helpers/schema.js'

const CALICO_MANIFEST = '/snap/microk8s/current/upgrade-scripts/000-switch-to-calico/resources/calico.yaml'

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
    const preflight = commandLines(r).indexOf(
      'microk8s kubectl get flowschemas.flowcontrol.apiserver.k8s.io,prioritylevelconfigurations.flowcontrol.apiserver.k8s.io -A -o json'
    )
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
    expect(validateReport(r.report)).toEqual([])
  })

  it('claims nothing about the target’s Calico when its manifest cannot be read', async () => {
    const r = await run('removed-apis', { channel: '1.32/stable' }, { overrides: { snapCalicoManifestMissing: true } })
    expect(r.code, r.stdout).toBe(0)
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
