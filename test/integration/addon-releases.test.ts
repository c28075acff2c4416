// Upgrades across the releases where addons change form (dashboard and cert-manager as Helm releases from 1.33,
// ingress as Traefik from 1.35, no dashboard on 1.36), cycle-addons: auto deciding from the addon repositories,
// and the addon inputs checked against the target release before any change.
import { describe, it, expect, beforeAll } from 'vitest'
import { run, commandLines, object, mutatingCommands, scenarioFile, errorAnnotation } from './harness.js'
import { readScenario } from '../../sim/lib/scenario.mjs'
import type { ActionRun } from '../../scripts/run-action.mjs'

const fullStack = readScenario(scenarioFile('full-stack'))

describe('1.32 → 1.35 with dns, ingress, hostpath-storage, dashboard and metrics-server', () => {
  let r: ActionRun
  let lines: string[]
  beforeAll(async () => {
    r = await run(
      { ...fullStack, installed: { channel: '1.32/stable' }, images: {} },
      { channel: '1.35/stable', addons: 'dns ingress hostpath-storage metrics-server dashboard' }
    )
    lines = commandLines(r)
  })

  it('takes three verified hops and cycles every addon, each changed between 1.32 and 1.35', () => {
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs.hops).toBe('1.33/stable,1.34/stable,1.35/stable')
    const cycled = r.report.addons.filter((a: any) => a.status === 'cycled')
    expect(cycled.map((a: any) => a.name)).toEqual([
      'dns',
      'ingress',
      'hostpath-storage',
      'metrics-server',
      'dashboard'
    ])
    for (const a of cycled) expect(a.note).toMatch(/its addon directory changed between 1\.32 and 1\.35/)
  })

  it('runs Traefik afterwards, waited for as a Helm release and a DaemonSet', () => {
    expect(object(r, 'DaemonSet', 'ingress', 'traefik')).toBeDefined()
    expect(object(r, 'DaemonSet', 'ingress', 'nginx-ingress-microk8s-controller')).toBeUndefined()
    expect(lines).toContain(
      'microk8s kubectl get secrets -n ingress -l owner=helm,name=traefik,status=deployed -o json'
    )
    expect(lines).toContain('microk8s kubectl rollout status daemonset/traefik -n ingress --timeout=600s')
    expect(lines.filter((l) => /rollout status .*nginx-ingress/.test(l))).toEqual([])
  })

  it('runs the dashboard as the Helm chart in namespace kubernetes-dashboard', () => {
    expect(object(r, 'Deployment', 'kubernetes-dashboard', 'kubernetes-dashboard-web')).toBeDefined()
    expect(object(r, 'Deployment', 'kube-system', 'kubernetes-dashboard')).toBeUndefined()
    expect(lines).toContain(
      'microk8s kubectl rollout status deployment/kubernetes-dashboard-web -n kubernetes-dashboard --timeout=600s'
    )
  })

  it('keeps the data', () => {
    expect(r.report.dataChecks.length).toBeGreaterThan(0)
    expect(r.report.dataChecks.filter((c: any) => !c.ok)).toEqual([])
    expect(r.state.cluster.hostpathData.destroyed).toBe(false)
  })
})

describe('1.34 → 1.35 ingress with a default certificate', () => {
  it('reads the certificate from the nginx controller and passes it the Traefik way', async () => {
    const r = await run(
      {
        ...fullStack,
        installed: { channel: '1.34/stable' },
        images: {},
        addons: ['ingress:default-ssl-certificate=web/tls']
      },
      { channel: '1.35/stable' }
    )
    expect(r.code, r.stdout).toBe(0)
    const lines = commandLines(r)
    expect(lines).toContain('microk8s disable ingress')
    expect(lines).toContain('microk8s enable ingress --default-ssl-certificate web/tls')
    expect(object(r, 'TLSStore', 'web', 'default').spec.defaultCertificate.secretName).toBe('tls')
    expect(r.report.addons.find((a: any) => a.name === 'ingress')).toMatchObject({
      status: 'cycled',
      args: 'default-ssl-certificate=web/tls',
      argsSource: 'recovered'
    })
  })
})

describe('the dashboard on 1.36', () => {
  it('is refused before any change when requested', async () => {
    const r = await run(
      { ...fullStack, installed: { channel: '1.35/stable' }, images: {}, addons: ['dns'] },
      { channel: '1.36/stable', addons: 'dns dashboard' }
    )
    expect(r.code).not.toBe(0)
    expect(mutatingCommands(r)).toEqual([])
    expect(errorAnnotation(r)).toMatch(/Input 'addons': dashboard: the 1\.36 addon repository has no dashboard addon/)
  })

  it('is kept as it runs when enabled on the cluster being upgraded', async () => {
    const r = await run(
      {
        ...fullStack,
        installed: { channel: '1.35/stable' },
        images: {},
        addons: ['dns', 'metrics-server', 'dashboard']
      },
      { channel: '1.36/stable', 'cycle-addons': 'always' }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(commandLines(r).filter((l) => /^microk8s (enable|disable) dashboard/.test(l))).toEqual([])
    expect(r.report.addons.find((a: any) => a.name === 'dashboard')).toMatchObject({ status: 'kept' })
    expect(object(r, 'Deployment', 'kubernetes-dashboard', 'kubernetes-dashboard-web')).toBeDefined()
  })
})

/**
 * The user's workloads in namespace demo: web (2 replicas, a PodDisruptionBudget), api (its template changes on
 * 1.31: an unexpected rollout), db (a StatefulSet with a bound claim) and worker (crash-loops on 1.31).
 */
const userWorkload = (kind: string, name: string, spec: Record<string, any> = {}) => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name, namespace: 'demo' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `example/${name}:1` }] } },
    ...spec
  }
})
const userWorkloads = {
  objects: [
    userWorkload('Deployment', 'web', { replicas: 2 }),
    userWorkload('Deployment', 'api'),
    userWorkload('StatefulSet', 'db', { volumeClaimTemplates: [{ metadata: { name: 'data' } }] }),
    userWorkload('Deployment', 'worker'),
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'demo' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } }
    }
  ],
  volumes: [{ name: 'data-db-0', namespace: 'demo' }],
  templateChanges: [{ workload: 'demo/api', on: ['1.31/stable'] }],
  crashLoops: [{ workload: 'demo/worker', on: ['1.31/stable'], log: 'panic: config v2 not understood' }]
}

/** 1.31's kubelet restarts every container in place (pod-lifecycle.mjs): counted per pod; api's rollout reported. */
function expectWorkloadsCompared(r: ActionRun): void {
  const w = r.report.workloads
  expect(w).toMatchObject({ compared: true, namespaces: ['demo'], before: { read: true }, after: { read: true } })
  const row = (name: string) => w.workloads.find((x: any) => x.name === name)
  // What the simulator did to web's pods: one in-place restart of each container, pods kept.
  expect(object(r, 'Deployment', 'demo', 'web')._pods).toMatchObject({ gen: 0, restarts: 1 })
  expect(row('web')).toMatchObject({ presence: 'kept', restarts: 2, podsGone: [], podsNew: [], budgets: ['web'] })
  expect(row('web').restartedPods.map((p: any) => p.restarts)).toEqual([1, 1])
  expect(row('web').rollout).toBeUndefined()
  expect(row('api').rollout.before).not.toBe(row('api').rollout.after)
  expect(row('api')).toMatchObject({
    podsGone: [expect.stringMatching(/^api-/)],
    podsNew: [expect.stringMatching(/^api-/)]
  })
  expect(row('db')).toMatchObject({ restarts: 1, podsGone: [], availableAfter: 1, budgets: [] })
  expect(row('worker')).toMatchObject({ desired: 1, availableBefore: 1, availableAfter: 0 })
  expect(row('worker').restarts).toBeGreaterThan(0)
  // Only the user's namespace: no addon's workload is compared.
  expect(w.workloads.map((x: any) => x.name).sort()).toEqual(['api', 'db', 'web', 'worker'])
  expect(w.claims).toEqual([
    { namespace: 'demo', name: 'data-db-0', before: 'Bound', after: 'Bound', usedBy: 'StatefulSet demo/db' }
  ])
  expect(r.stdout).toMatch(
    /::warning title=workloads::Deployment demo\/api was rolled out during the run \(api-\S+ → api-\S+\)/
  )
  expect(r.stdout).toMatch(/::warning title=workloads::Deployment demo\/worker: 0 of 1 available at the end/)
  expect(r.summary).toContain('<td>Deployment demo/api ⚠️</td>')
  expect(r.summary).toMatch(/<td>Deployment demo\/web<\/td><td>2\/2<\/td><td>2 <sub>/)
}

describe('cycle-addons: auto', () => {
  const base = { ...fullStack, images: {}, volumes: [], helmReleases: [] }

  it('1.29 → 1.30 cycles nothing (no addon directory changed) and still updates the addon repository', async () => {
    const r = await run(
      { ...base, installed: { channel: '1.29/stable' }, addons: ['dns:1.1.1.1', 'ingress', 'hostpath-storage'] },
      { channel: '1.30/stable' }
    )
    expect(r.code, r.stdout).toBe(0)
    const lines = commandLines(r)
    expect(lines.filter((l) => /^microk8s (enable|disable)/.test(l))).toEqual([])
    expect(lines).toContain('microk8s addons repo update core')
    expect(r.state.cluster.repoBranch).toBe('1.30')
    for (const name of ['dns', 'ingress', 'hostpath-storage'])
      expect(r.report.addons.find((a: any) => a.name === name)).toMatchObject({
        status: 'kept',
        note: 'unchanged between 1.29 and 1.30'
      })
  })

  it('1.30 → 1.31 cycles only the changed addons (ingress, metallb) and says why per addon', async () => {
    const r = await run(
      {
        ...base,
        installed: { channel: '1.30/stable' },
        addons: ['dns:1.1.1.1', 'ingress', 'hostpath-storage', 'metallb:10.64.140.43-10.64.140.49'],
        // The user's workloads (docs/disruption.md "Workloads"), asserted on below.
        ...userWorkloads
      },
      { channel: '1.31/stable' }
    )
    expect(r.code, r.stdout).toBe(0)
    expectWorkloadsCompared(r)
    const lines = commandLines(r)
    expect(lines.filter((l) => /^microk8s (enable|disable)/.test(l))).toEqual([
      'microk8s disable metallb',
      'microk8s disable ingress',
      'microk8s enable ingress',
      'microk8s enable metallb:10.64.140.43-10.64.140.49'
    ])
    expect(r.report.addons.find((a: any) => a.name === 'ingress').note).toMatch(
      /its addon directory changed between 1\.30 and 1\.31/
    )
    expect(r.report.addons.find((a: any) => a.name === 'dns')).toMatchObject({
      status: 'kept',
      note: 'unchanged between 1.30 and 1.31'
    })
    expect(r.report.plan.cyclingWhy).toMatch(/auto/)
  })
})

describe('addon names and arguments checked against the target release before any change', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['typo', 'ingres', /Input 'addons': ingres: no such addon in 1\.30; did you mean ingress\?/],
    ['a word split by a newline', 'dns\nid', /Input 'addons': id: no such addon in 1\.30/],
    [
      'an option smuggled as a value',
      'dns:--foo',
      /Input 'addons': dns:--foo: a value starting with - .*accepts upstream/
    ],
    [
      'a bad upstream',
      'dns:8.8.8.888',
      /Input 'addons': dns:8\.8\.8\.888: '8\.8\.8\.888' is not an IPv4 or IPv6 address/
    ]
  ]
  for (const [what, addons, message] of cases) {
    it(`refuses ${what}`, async () => {
      const r = await run('demo', { channel: '1.30/stable', addons }, { overrides: { timeScale: 0.001 } })
      expect(r.code).not.toBe(0)
      expect(mutatingCommands(r)).toEqual([])
      expect(errorAnnotation(r)).toMatch(message)
    })
  }
})
