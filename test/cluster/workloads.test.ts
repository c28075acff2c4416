// The user's workloads read from one `kubectl get -o json` list (src/cluster/workloads.ts) and two reads compared
// (src/cluster/workload-changes.ts): objects shaped as the API server returns them (ownerReferences with uids,
// pod-template-hash, controller-revision-hash, deployment.kubernetes.io/revision).
import { describe, it, expect } from 'vitest'
import { readWorkloads, userNamespaceRule, selects, type WorkloadSnapshot } from '../../src/cluster/workloads.js'
import { compareWorkloads, workloadFindings } from '../../src/cluster/workload-changes.js'

const owner = (kind: string, name: string, uid: string) => [
  { apiVersion: 'apps/v1', kind, name, uid, controller: true, blockOwnerDeletion: true }
]
const deployment = (name: string, uid: string, o: { replicas?: number; available?: number; ns?: string } = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: o.ns ?? 'demo', uid },
  spec: {
    replicas: o.replicas ?? 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name, tier: 'web' } } }
  },
  status: { replicas: o.replicas ?? 1, availableReplicas: o.available ?? o.replicas ?? 1 }
})
const replicaSet = (deploy: string, deployUid: string, hash: string, revision: number, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: `${deploy}-${hash}`,
    namespace: 'demo',
    uid: `rs-${deploy}-${hash}`,
    labels: { app: deploy, 'pod-template-hash': hash },
    annotations: { 'deployment.kubernetes.io/revision': String(revision) },
    ownerReferences: owner('Deployment', deploy, deployUid)
  },
  spec: { replicas }
})
const pod = (name: string, uid: string, owners: any[], restarts: number[], extra: any = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: extra.ns ?? 'demo', uid, labels: extra.labels ?? {}, ownerReferences: owners },
  spec: { containers: restarts.map((_, i) => ({ name: `c${i}` })), volumes: extra.volumes ?? [] },
  status: { phase: 'Running', containerStatuses: restarts.map((n, i) => ({ name: `c${i}`, restartCount: n })) }
})
const statefulSet = (name: string, uid: string, revision: string, ready = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: 'demo', uid },
  spec: { replicas: 1, template: { metadata: { labels: { app: name } } } },
  status: { replicas: 1, readyReplicas: ready, currentRevision: revision, updateRevision: revision }
})
const daemonSet = (name: string, uid: string, available = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace: 'demo', uid },
  spec: { template: { metadata: { labels: { app: name } } } },
  status: { desiredNumberScheduled: 1, numberAvailable: available }
})
const claim = (name: string, phase: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'demo' },
  status: { phase }
})
const budget = (name: string, selector: any, ns = 'demo') => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name, namespace: ns },
  spec: selector === undefined ? {} : { selector }
})

const isUser = userNamespaceRule([])
const dbClaim = [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }]

/** One read of namespace demo: web (2 pods, a PDB), api, db with its claim, agent, and claim scratch. */
function cluster(o: {
  webRestarts: [number[], number[]]
  apiSets: Array<[string, number]>
  dbPod: string
  dbReady: number
  agentPod: string
  scratch: string
}) {
  const apiCurrent = o.apiSets[o.apiSets.length - 1][0]
  return [
    deployment('web', 'd-web', { replicas: 2 }),
    replicaSet('web', 'd-web', 'aaa', 1, 2),
    ...o.webRestarts.map((r, i) =>
      pod(`web-aaa-${i + 1}`, `p-web-${i + 1}`, owner('ReplicaSet', 'web-aaa', 'rs-web-aaa'), r)
    ),
    deployment('api', 'd-api'),
    ...o.apiSets.map(([hash, replicas], i) => replicaSet('api', 'd-api', hash, i + 1, replicas)),
    pod(
      `api-${apiCurrent}-1`,
      `p-api-${apiCurrent}`,
      owner('ReplicaSet', `api-${apiCurrent}`, `rs-api-${apiCurrent}`),
      [0]
    ),
    statefulSet('db', 's-db', 'db-111', o.dbReady),
    pod('db-0', o.dbPod, owner('StatefulSet', 'db', 's-db'), [0], { volumes: dbClaim }),
    daemonSet('agent', 'ds-agent'),
    pod(o.agentPod, `p-${o.agentPod}`, owner('DaemonSet', 'agent', 'ds-agent'), [0], {
      labels: { 'controller-revision-hash': 'r1' }
    }),
    claim('data-db-0', 'Bound'),
    claim('scratch', o.scratch),
    budget('web', { matchLabels: { app: 'web' } })
  ]
}

const before = cluster({
  webRestarts: [[0], [2, 0]],
  apiSets: [
    ['old', 0],
    ['bbb', 1]
  ],
  dbPod: 'p-db-0',
  dbReady: 1,
  agentPod: 'agent-x',
  scratch: 'Bound'
})

/**
 * At the end: the hop restarted web's containers in place (same uids, restartCount + 1), api rolled out to a new
 * ReplicaSet, db-0 was recreated (same name, new uid) and is not ready, agent's pod replaced, scratch lost.
 */
const after = cluster({
  webRestarts: [[1], [3, 1]],
  apiSets: [
    ['old', 0],
    ['bbb', 0],
    ['ccc', 1]
  ],
  dbPod: 'p-db-0-new',
  dbReady: 0,
  agentPod: 'agent-y',
  scratch: 'Lost'
})

const side = (items: any[]) => ({ snapshot: readWorkloads(items, isUser), takenAt: '2026-01-01T00:00:00Z' })

describe("the user's namespaces", () => {
  it("are neither Kubernetes' own nor any addon's the catalog knows, nor an enabled community addon's", () => {
    for (const ns of ['default', 'demo', 'shop']) expect(isUser(ns), ns).toBe(true)
    for (const ns of [
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'ingress',
      'metallb-system',
      'container-registry',
      'cert-manager',
      'kubernetes-dashboard',
      'observability',
      'minio-operator',
      'rook-ceph',
      'gpu-operator-resources'
    ])
      expect(isUser(ns), ns).toBe(false)
    expect(userNamespaceRule(['argocd', 'dns'])('argocd')).toBe(false)
    expect(userNamespaceRule(['dns'])('argocd')).toBe(true)
  })
})

describe('one read', () => {
  const s: WorkloadSnapshot = readWorkloads(
    [...before, deployment('coredns', 'd-dns', { ns: 'kube-system' }), pod('stray', 'p-stray', [], [5])],
    isUser
  )

  it("finds each workload's pods by ownership, with their restart counts, and leaves the addons' out", () => {
    expect(s.workloads.map((w) => `${w.kind} ${w.name}`)).toEqual([
      'DaemonSet agent',
      'Deployment api',
      'Deployment web',
      'StatefulSet db'
    ])
    const web = s.workloads.find((w) => w.name === 'web')!
    expect(web.pods).toEqual([
      { name: 'web-aaa-1', uid: 'p-web-1', restarts: 0 },
      { name: 'web-aaa-2', uid: 'p-web-2', restarts: 2 }
    ])
    expect(web).toMatchObject({ desired: 2, available: 2, revision: 'web-aaa' })
  })

  it('takes the newest ReplicaSet, the update revision and the pods’ revision hash as the revision', () => {
    const by = (name: string) => s.workloads.find((w) => w.name === name)!
    expect(by('api').revision).toBe('api-bbb')
    expect(by('db').revision).toBe('db-111')
    expect(by('agent').revision).toBe('r1')
    expect(by('db').claims).toEqual(['data-db-0'])
  })

  it('owns by uid: a ReplicaSet of the same name from another Deployment does not count', () => {
    const impostor = pod('web-aaa-9', 'p-9', owner('ReplicaSet', 'web-aaa', 'rs-elsewhere'), [7])
    const web = readWorkloads([...before, impostor], isUser).workloads.find((w) => w.name === 'web')!
    expect(web.pods.map((p) => p.name)).toEqual(['web-aaa-1', 'web-aaa-2'])
  })
})

describe('PodDisruptionBudget selectors (policy/v1)', () => {
  const labels = { app: 'web', tier: 'front' }
  it('match labels and expressions; an empty selector takes every pod, none takes none', () => {
    expect(selects({ matchLabels: { app: 'web' } }, labels)).toBe(true)
    expect(selects({ matchLabels: { app: 'api' } }, labels)).toBe(false)
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels)).toBe(
      true
    )
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false)
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).toBe(true)
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels)).toBe(false)
    expect(selects({ matchExpressions: [{ key: 'app', operator: 'Bogus', values: [] }] }, labels)).toBe(false)
    expect(selects({}, labels)).toBe(true)
    expect(selects(undefined, labels)).toBe(false)
  })
})

describe('two reads compared', () => {
  const r = compareWorkloads(side(before), side(after))
  const row = (name: string) => r.workloads.find((w) => w.name === name)!

  it('counts a pod restarted by the hop: restartCount growth per pod, by uid', () => {
    expect(r.compared).toBe(true)
    expect(row('web')).toMatchObject({
      presence: 'kept',
      restarts: 3,
      restartedPods: [
        { pod: 'web-aaa-1', restarts: 1 },
        { pod: 'web-aaa-2', restarts: 2 }
      ],
      podsGone: [],
      podsNew: [],
      budgets: ['web']
    })
    expect(row('web').rollout).toBeUndefined()
  })

  it('reports a new ReplicaSet as a rollout, and its pods as replaced', () => {
    expect(row('api')).toMatchObject({
      rollout: { before: 'api-bbb', after: 'api-ccc' },
      podsGone: ['api-bbb-1'],
      podsNew: ['api-ccc-1'],
      restarts: 0,
      budgets: []
    })
  })

  it('a pod recreated under the same name is replaced (new uid), and a workload short of pods unavailable', () => {
    expect(row('db')).toMatchObject({
      podsGone: ['db-0'],
      podsNew: ['db-0'],
      availableBefore: 1,
      availableAfter: 0,
      desired: 1
    })
    expect(row('db').rollout).toBeUndefined()
    expect(row('agent')).toMatchObject({ podsGone: ['agent-x'], podsNew: ['agent-y'] })
    expect(row('agent').rollout).toBeUndefined()
  })

  it('says which claims are no longer Bound, and who mounts them', () => {
    expect(r.claims).toEqual([
      { namespace: 'demo', name: 'data-db-0', before: 'Bound', after: 'Bound', usedBy: 'StatefulSet demo/db' },
      { namespace: 'demo', name: 'scratch', before: 'Bound', after: 'Lost' }
    ])
    expect(r.namespaces).toEqual(['demo'])
  })

  it('names workloads gone or new, and lists the findings', () => {
    const later = compareWorkloads(side(before), side([...after.filter((o) => o.metadata.name !== 'agent')]))
    expect(later.workloads.find((w) => w.name === 'agent')).toMatchObject({ presence: 'gone', podsGone: ['agent-x'] })
    const added = compareWorkloads(
      side(before.filter((o) => !String(o.metadata.name).startsWith('agent'))),
      side(after)
    )
    expect(added.workloads.find((w) => w.name === 'agent')).toMatchObject({ presence: 'new', podsNew: [] })
    expect(workloadFindings(r)).toEqual([
      'DaemonSet demo/agent: pods replaced (agent-x gone)',
      'Deployment demo/api was rolled out during the run (api-bbb → api-ccc)',
      'StatefulSet demo/db: pods replaced (db-0 gone)',
      'StatefulSet demo/db: 0 of 1 available at the end',
      'claim demo/scratch was Bound and is Lost at the end'
    ])
  })

  it('a workload gone at the end has no restarts measured (not 0)', () => {
    const later = compareWorkloads(side(before), side([...after.filter((o) => o.metadata.name !== 'agent')]))
    const gone = later.workloads.find((w) => w.name === 'agent')!
    expect(gone.restarts).toBeUndefined()
    expect(gone.restartedPods).toBeUndefined()
  })

  it('a Deployment without availableReplicas (omitted when 0) has none available, however many are ready', () => {
    const d = deployment('web', 'd-web', { replicas: 2 })
    d.status = { replicas: 2, readyReplicas: 2, unavailableReplicas: 2 } as any
    expect(readWorkloads([d], isUser).workloads[0]).toMatchObject({ desired: 2, available: 0 })
    const st = statefulSet('db', 's-db', 'db-1', 1)
    expect(readWorkloads([st], isUser).workloads[0]).toMatchObject({ available: 1 })
  })

  it('pods without a uid are told apart by name, so restarts are not subtracted across pods', () => {
    const sts = statefulSet('db', 's-db', 'db-1')
    const bare = (name: string, restarts: number) => {
      const p = pod(name, 'x', owner('StatefulSet', 'db', 's-db'), [restarts])
      delete (p.metadata as any).uid
      return p
    }
    const r = compareWorkloads(
      side([sts, bare('db-0', 5), bare('db-1', 0)]),
      side([sts, bare('db-0', 5), bare('db-1', 1)])
    )
    expect(r.workloads[0]).toMatchObject({ restarts: 1, podsGone: [], podsNew: [] })
    expect(r.workloads[0].restartedPods).toEqual([{ pod: 'db-1', restarts: 1 }])
  })

  it('reads objects of the wrong shape as empty rather than failing the report', () => {
    const d = deployment('web', 'd-web')
    const p = pod('web-1', 'p1', owner('StatefulSet', 'web', 'd-web'), [1]) as any
    p.status.containerStatuses = {}
    p.spec.volumes = 'data'
    p.metadata.ownerReferences = { kind: 'StatefulSet' }
    const b = budget('odd', { matchLabels: ['app'], matchExpressions: { key: 'app' } })
    const items = [d, p, b, { kind: 'StatefulSet', metadata: null, status: 7 }, null, 'text']
    expect(readWorkloads(items, isUser).workloads.map((w) => w.kind)).toEqual(['Deployment', 'StatefulSet'])
    expect(compareWorkloads(side(items), side(items)).compared).toBe(true)
  })

  it('a side that was not read compares nothing and claims nothing changed', () => {
    const unread = compareWorkloads(side(before), { reason: 'the cluster is not ready' })
    expect(unread).toMatchObject({ compared: false, after: { read: false, reason: 'the cluster is not ready' } })
    expect(unread.workloads.every((w) => w.restarts === undefined && w.presence === undefined)).toBe(true)
    expect(unread.workloads.find((w) => w.name === 'web')).toMatchObject({ availableBefore: 2, budgets: ['web'] })
    expect(unread.claims.every((c) => c.after === undefined)).toBe(true)
    expect(workloadFindings(unread)).toEqual([])
  })
})
