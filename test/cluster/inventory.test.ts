import { describe, it, expect } from 'vitest'
import { parseImage, formatImage, compareVersions, changeState, readObjects } from '../../src/cluster/inventory.js'
import { typicalUpgrade } from '../helpers/reports.js'

describe('images', () => {
  it.each([
    [
      'registry.k8s.io/ingress-nginx/controller:v1.11.5@sha256:744ae2afd433a395eeb13dc03d3313facba92e96ad71d9feaafc85925493fee3',
      { repository: 'registry.k8s.io/ingress-nginx/controller', tag: 'v1.11.5', digest: '744ae2afd433' }
    ],
    ['docker.io/calico/node:v3.25.1', { repository: 'calico/node', tag: 'v3.25.1' }],
    ['docker.io/library/registry:2.8.1', { repository: 'registry', tag: '2.8.1' }],
    ['localhost:32000/app', { repository: 'localhost:32000/app' }],
    ['localhost:32000/app:1.0', { repository: 'localhost:32000/app', tag: '1.0' }]
  ])('parses %s', (text, expected) => {
    expect(parseImage(text)).toEqual(expected)
  })

  it('formats back with the shortened digest', () => {
    expect(formatImage({ repository: 'a/b', tag: 'v1', digest: '0123456789ab' })).toBe('a/b:v1@0123456789ab')
  })
})

describe('comparison', () => {
  it('orders versions numerically, not as text', () => {
    expect(compareVersions('v1.11.5', 'v1.8.0')).toBe(1)
    expect(compareVersions('1.10.1', '1.10.1')).toBe(0)
    expect(compareVersions('v0.6.3', 'v0.8.0')).toBe(-1)
    expect(compareVersions('latest', 'v1')).toBeUndefined()
  })

  it('orders pre-releases before their release, as semver does', () => {
    expect(compareVersions('v0.8.0-rc.1', 'v0.8.0')).toBe(-1)
    expect(compareVersions('v0.8.0', 'v0.8.0-rc.1')).toBe(1)
    expect(compareVersions('v0.8.0-rc.1', 'v0.8.0-rc.2')).toBe(-1)
    expect(changeState('v0.8.0-rc.1', 'v0.8.0')).toBe('upgraded')
  })

  it('reads one- and two-number tags as versions and refuses other shapes', () => {
    expect(compareVersions('3.10', '3.9')).toBe(1)
    expect(compareVersions('v3', 'v2.9.9')).toBe(1)
    expect(compareVersions('1.2.3.4', '1.2.3.5')).toBeUndefined()
  })

  it('names each state', () => {
    expect(changeState('v1.8.0', 'v1.11.5')).toBe('upgraded')
    expect(changeState('v1.11.5', 'v1.8.0')).toBe('downgraded')
    expect(changeState('x', 'x')).toBe('unchanged')
    expect(changeState(undefined, 'v1')).toBe('added')
    expect(changeState('v1', undefined)).toBe('removed')
    expect(changeState('stable', 'edge')).toBe('changed')
  })

  it('has one row per component, and claims no shipped version for addon images', () => {
    const rows = typicalUpgrade().changes
    expect(rows.find((c) => c.component === 'registry.k8s.io/ingress-nginx/controller')).toMatchObject({
      before: 'v1.8.0@744ae2afd433',
      after: 'v1.11.5',
      state: 'upgraded',
      addon: 'ingress'
    })
    expect(rows.find((c) => c.component === 'registry.k8s.io/ingress-nginx/controller')?.shipped).toBeUndefined()
    expect(rows.find((c) => c.component === 'API server')).toMatchObject({
      before: 'v1.28.15',
      after: 'v1.30.14',
      state: 'upgraded'
    })
    expect(rows.find((c) => c.kind === 'cni')).toMatchObject({ component: 'calico/node', state: 'unchanged' })
    expect(rows.find((c) => c.component === 'coredns/coredns')).toMatchObject({ state: 'unchanged' })
  })

  it('counts volumes and bound claims', () => {
    const v = readObjects([
      { kind: 'PersistentVolume', metadata: { name: 'a' } },
      { kind: 'PersistentVolumeClaim', metadata: { namespace: 'd', name: 'x' }, status: { phase: 'Bound' } },
      { kind: 'PersistentVolumeClaim', metadata: { namespace: 'd', name: 'y' }, status: { phase: 'Pending' } }
    ]).volumes
    expect(v).toMatchObject({ pvs: 1, pvcs: 2, bound: 1 })
  })
})
