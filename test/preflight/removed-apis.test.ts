import { describe, it, expect } from 'vitest'
import {
  removalsBetween,
  resourcesToList,
  findInObjects,
  findInHelmReleases,
  decodeHelmRelease,
  REMOVED_APIS
} from '../../src/preflight/removed-apis.js'
import { helmReleaseSecret } from '../../sim/lib/scenario.mjs'

const flowSchema = (name: string, extra: Record<string, unknown>) => ({
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
  kind: 'FlowSchema',
  metadata: { name, ...extra }
})

describe('removed-API table', () => {
  it('has the removals the migration guide lists for the hops of 1.28 → 1.34', () => {
    const r = removalsBetween(28, 34).filter((x) => x.source === 'guide')
    expect(r.map((x) => `${x.removedIn} ${x.apiVersion} ${x.kind}`)).toEqual([
      '29 flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema',
      '29 flowcontrol.apiserver.k8s.io/v1beta2 PriorityLevelConfiguration',
      '32 flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema',
      '32 flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration'
    ])
    expect(removalsBetween(29, 30)).toEqual([])
  })

  it('covers 1.22 … 1.36 and recommends flowcontrol v1 (v1beta3 is itself removed in 1.32)', () => {
    expect(new Set(REMOVED_APIS.map((r) => r.removedIn))).toEqual(new Set([22, 25, 26, 27, 29, 32, 33, 34, 35, 36]))
    for (const r of REMOVED_APIS.filter((x) => x.kind === 'FlowSchema'))
      expect(r.replacement).toBe('flowcontrol.apiserver.k8s.io/v1')
  })

  it('lists each resource once for one kubectl get', () => {
    expect(resourcesToList(removalsBetween(28, 30))).toEqual([
      'flowschemas.flowcontrol.apiserver.k8s.io',
      'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io'
    ])
  })
})

describe('finding objects authored with removed APIs', () => {
  const removals = removalsBetween(28, 34)

  it('finds a FlowSchema applied as v1beta2 through its last-applied annotation', () => {
    const o = flowSchema('legacy', {
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
          apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
          kind: 'FlowSchema',
          metadata: { name: 'legacy' }
        })
      }
    })
    expect(findInObjects([o], removals)).toEqual([
      {
        removedIn: 29,
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
        kind: 'FlowSchema',
        namespace: undefined,
        name: 'legacy',
        replacement: 'flowcontrol.apiserver.k8s.io/v1',
        evidence: 'last-applied',
        source: 'guide'
      }
    ])
  })

  it('finds server-side-applied objects through managedFields, naming the manager', () => {
    const o = flowSchema('ssa', {
      managedFields: [
        { manager: 'argocd-controller', operation: 'Apply', apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3' }
      ]
    })
    expect(findInObjects([o], removals).map((f) => [f.removedIn, f.evidence])).toEqual([
      [32, 'managedFields:argocd-controller']
    ])
  })

  it('ignores the API server’s own defaults and control-plane writers (a fresh 1.28 cluster flags nothing)', () => {
    const defaults = ['exempt', 'catch-all'].map((n) =>
      flowSchema(n, {
        annotations: { 'apf.kubernetes.io/autoupdate-spec': 'true' },
        managedFields: [
          {
            manager: 'api-priority-and-fairness-config-producer-v1',
            apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3'
          }
        ]
      })
    )
    const controller = flowSchema('x', {
      managedFields: [
        { manager: 'kube-controller-manager', apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3' },
        { manager: 'kubectl', subresource: 'status', apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3' }
      ]
    })
    expect(findInObjects([...defaults, controller], removals)).toEqual([])
  })

  it('ignores a last-applied annotation for another kind or that cannot be read', () => {
    const other = flowSchema('a', {
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
          apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
          kind: 'PriorityLevelConfiguration'
        })
      }
    })
    const broken = flowSchema('b', { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{not json' } })
    expect(findInObjects([other, broken], removals)).toEqual([])
  })

  it('decodes Helm v3 release secrets and finds removed APIs in the deployed manifest only', () => {
    const manifest =
      'apiVersion: flowcontrol.apiserver.k8s.io/v1beta2\nkind: FlowSchema\nmetadata:\n  name: chart-fs\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n'
    const deployed = helmReleaseSecret({ name: 'web', namespace: 'apps', revision: 3, manifest })
    const superseded = helmReleaseSecret({
      name: 'web',
      namespace: 'apps',
      revision: 2,
      manifest,
      status: 'superseded'
    })
    expect(decodeHelmRelease(deployed)).toMatchObject({
      name: 'web',
      namespace: 'apps',
      version: 3,
      status: 'deployed'
    })
    expect(findInHelmReleases([superseded, deployed], removals)).toEqual([
      {
        removedIn: 29,
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
        kind: 'FlowSchema',
        namespace: 'apps',
        name: 'chart-fs',
        replacement: 'flowcontrol.apiserver.k8s.io/v1',
        evidence: 'helm:apps/web',
        source: 'guide'
      }
    ])
  })

  it('skips secrets that are not readable releases', () => {
    expect(decodeHelmRelease({ data: { release: 'bm90IGJhc2U2NA==' } })).toBeUndefined()
    expect(findInHelmReleases([{ data: {} }], removals)).toEqual([])
  })
})
