// The job summary's Workloads section (src/report/workloads.ts) and the record in the report JSON: what it shows for
// a compared record, for one side not read, and that it escapes what came from the cluster.
import { describe, it, expect } from 'vitest'
import { workloadsSection, COMPACT_UNCOVERED } from '../../src/report/workloads.js'
import { renderSummary } from '../../src/report/summary.js'
import type { WorkloadsRecord } from '../../src/cluster/workload-changes.js'
import { typicalUpgrade } from '../helpers/reports.js'
import { validateReport } from '../helpers/schema.js'

const read = { read: true as const, takenAt: '2026-01-01T00:00:00.000Z' }
const record = (): WorkloadsRecord => ({
  before: read,
  after: read,
  compared: true,
  namespaces: ['demo'],
  workloads: [
    {
      namespace: 'demo',
      kind: 'Deployment',
      name: 'web',
      presence: 'kept',
      desired: 2,
      availableBefore: 2,
      availableAfter: 2,
      restarts: 2,
      restartedPods: [
        { pod: 'web-a', restarts: 1 },
        { pod: 'web-b', restarts: 1 }
      ],
      podsGone: [],
      podsNew: [],
      budgets: ['web-pdb']
    },
    {
      namespace: 'demo',
      kind: 'Deployment',
      name: 'api<script>',
      presence: 'kept',
      desired: 1,
      availableBefore: 1,
      availableAfter: 0,
      restarts: 0,
      restartedPods: [],
      podsGone: ['api-old-1'],
      podsNew: ['api-new-1'],
      rollout: { before: 'api-old', after: 'api-new' },
      budgets: []
    },
    {
      namespace: 'demo',
      kind: 'DaemonSet',
      name: 'quiet',
      presence: 'kept',
      desired: 1,
      availableBefore: 1,
      availableAfter: 1,
      restarts: 0,
      restartedPods: [],
      podsGone: [],
      podsNew: [],
      budgets: ['all']
    }
  ],
  claims: [
    { namespace: 'demo', name: 'data', before: 'Bound', after: 'Bound' },
    { namespace: 'demo', name: 'scratch', before: 'Bound', after: 'Lost', usedBy: 'StatefulSet demo/db' }
  ]
})

describe('the Workloads section', () => {
  it('lists what changed first, with restarts by pod, the rollout, the budgets and the claims no longer Bound', () => {
    const s = workloadsSection({ ...typicalUpgrade(), workloads: record() })!
    const text = s.head + s.rows.join('') + s.foot
    expect(s.rows[0]).toBe(
      '<tr><td>Deployment demo/api&lt;script&gt; ⚠️</td><td>0/1 (was 1)</td><td>0</td>' +
        '<td>api-old-1 gone; api-new-1 new</td><td>api-old → api-new</td><td>none</td></tr>\n'
    )
    expect(s.rows[1]).toBe(
      '<tr><td>Deployment demo/web</td><td>2/2</td><td>2 <sub>(web-a: 1, web-b: 1)</sub></td><td>none</td><td>none</td><td>web-pdb</td></tr>\n'
    )
    expect(text).toContain("the user's namespace: <code>demo</code>;")
    expect(text).toContain(
      'Claims: 1 of 2 Bound at the end; ⚠️ no longer Bound: demo/scratch Bound → Lost (StatefulSet demo/db).'
    )
    expect(text).not.toContain('<script>')
  })

  it('keeps in the PR comment only the workloads that changed, restarted or have no budget', () => {
    const s = workloadsSection({ ...typicalUpgrade(), workloads: record() }, true)!
    expect(s.rows).toHaveLength(2)
    expect(s.foot).toContain('1 more workload unchanged and available (the job summary lists every one).')
  })

  it('lists at most COMPACT_UNCOVERED workloads in the PR comment only for having no budget', () => {
    const r = record()
    // A row there only for having no budget: the quiet DaemonSet, uncovered.
    const plain = { ...r.workloads.find((w) => w.name === 'quiet')!, budgets: [] }
    const many = Array.from({ length: COMPACT_UNCOVERED + 5 }, (_, i) => ({ ...plain, name: `svc-${i}` }))
    const s = workloadsSection({ ...typicalUpgrade(), workloads: { ...r, workloads: many } }, true)!
    expect(s.rows).toHaveLength(COMPACT_UNCOVERED)
    expect(s.foot).toContain('5 more workloads unchanged and available, 5 of them without a PodDisruptionBudget')
    expect(workloadsSection({ ...typicalUpgrade(), workloads: { ...r, workloads: many } })!.rows).toHaveLength(15)
  })

  it('shows a dash, not 0, for the restarts of a workload gone at the end', () => {
    const r = record()
    const gone = { ...r.workloads[0], presence: 'gone' as const, restarts: undefined, restartedPods: undefined }
    const s = workloadsSection({ ...typicalUpgrade(), workloads: { ...r, workloads: [gone] } })!
    expect(s.rows[0]).toMatch(/<td>gone<\/td><td>—<\/td>/)
  })

  it("says when the user's namespaces hold claims but no workload", () => {
    const s = workloadsSection({ ...typicalUpgrade(), workloads: { ...record(), workloads: [] } })!
    expect(s.head).not.toContain('<table>')
    expect(s.foot).toMatch(/^No Deployment, StatefulSet or DaemonSet in them\.\n\nClaims: 1 of 2 Bound/)
  })

  it('says a side was not read and claims no change', () => {
    const r = record()
    const unread: WorkloadsRecord = {
      ...r,
      after: { read: false, reason: 'the cluster is not ready' },
      compared: false,
      workloads: r.workloads.map(({ namespace, kind, name, desired, budgets }) => ({
        namespace,
        kind,
        name,
        desired,
        availableBefore: desired,
        budgets
      }))
    }
    const s = workloadsSection({ ...typicalUpgrade(), workloads: unread })!
    expect(s.head).toBe(
      '**Workloads**: not compared — before the first change read, at the end not read (the cluster is not ready). ' +
        'Before: 3 workloads; without a PodDisruptionBudget: demo/api&lt;script&gt;.\n\n'
    )
    expect(s.rows).toEqual([])
  })

  it('is part of the summary, and the record validates against the schema', () => {
    const report = { ...typicalUpgrade(), workloads: record() }
    expect(renderSummary(report, { limit: 1 << 20 })).toContain('**Workloads**')
    expect(validateReport(report)).toEqual([])
    expect(workloadsSection(typicalUpgrade())).toBeUndefined()
    const bad: any = { ...report, workloads: { ...record(), before: { read: true } } }
    expect(validateReport(bad).join('\n')).toMatch(/workloads\/before/)
  })
})
