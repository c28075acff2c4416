import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import { planCore, servingChannel } from '../../src/upgrade/plan.js'
import { planAddons, narrowToChanged } from '../../src/upgrade/addon-plan.js'
import { parseChannel, parseKubeVersion } from '../../src/cluster/channel.js'
import { parseSnapInfoChannels, parseSnapList, type InstalledSnap } from '../../src/cluster/snap.js'

const store = parseSnapInfoChannels(
  fs.readFileSync(new URL('../fixtures/snap-info-2025-10.txt', import.meta.url), 'utf8')
)
// The capture is abridged (`…`): add the rows the tests walk through, in the same shape.
for (const [ch, version, revision] of [
  ['1.25/stable', 'v1.25.16', 6281],
  ['1.26/stable', 'v1.26.15', 6594],
  ['1.27/stable', 'v1.27.16', 7090],
  ['1.29/candidate', 'v1.29.15', 8006],
  ['1.30/candidate', 'v1.30.14', 8248],
  ['1.29-strict/stable', 'v1.29.15', 8001],
  ['1.28-strict/stable', 'v1.28.15', 7960],
  ['1.30-strict/stable', 'v1.30.14', 8240],
  ['1.31-strict/stable', 'v1.31.13', 8450],
  ['1.32-strict/stable', 'v1.32.9', 8505],
  ['1.33-strict/stable', 'v1.33.5', 8500]
] as const) {
  store.set(ch, { channel: ch, version, revision, confinement: ch.includes('strict') ? 'strict' : 'classic' })
}

const installed = (
  tracking: string,
  version: string,
  revision = 1,
  confinement: 'classic' | 'strict' = 'classic'
): InstalledSnap =>
  parseSnapList(
    `Name Version Rev Tracking Publisher Notes\nmicrok8s ${version} ${revision} ${tracking} canonical** ${confinement === 'classic' ? 'classic' : '-'}`
  )!

describe('planCore: one Kubernetes minor at a time', () => {
  it('installs at the target when MicroK8s is absent (strict without --classic is the snap wrapper’s job)', () => {
    const plan = planCore({}, parseChannel('1.30/stable'), store)
    expect(plan.kind).toBe('install')
    expect(plan.hops.map((h) => [h.kind, h.channelText, h.minor])).toEqual([['install', '1.30/stable', 30]])
  })

  it('does nothing when the channel and revision are already installed', () => {
    const plan = planCore({ snap: installed('1.30/stable', 'v1.30.14', 8248) }, parseChannel('1.30/stable'), store)
    expect(plan).toMatchObject({ kind: 'none', hops: [] })
  })

  it('refreshes within the minor when the revision differs (a patch release)', () => {
    const plan = planCore({ snap: installed('1.30/stable', 'v1.30.10', 7000) }, parseChannel('1.30/stable'), store)
    expect(plan.kind).toBe('refresh')
    expect(plan.hops.map((h) => h.channelText)).toEqual(['1.30/stable'])
  })

  it('refreshes within the minor when only the risk differs', () => {
    const plan = planCore({ snap: installed('1.30/stable', 'v1.30.14', 8248) }, parseChannel('1.30/candidate'), store)
    expect(plan.hops.map((h) => h.channelText)).toEqual(['1.30/candidate'])
  })

  it('takes 1.28 → 1.30 in two hops, in order, at the target risk', () => {
    const plan = planCore({ snap: installed('1.28/stable', 'v1.28.15', 7971) }, parseChannel('1.30/stable'), store)
    expect(plan.kind).toBe('upgrade')
    expect(plan.hops.map((h) => [h.channelText, h.minor, h.storeVersion])).toEqual([
      ['1.29/stable', 29, 'v1.29.15'],
      ['1.30/stable', 30, 'v1.30.14']
    ])
  })

  it('takes 1.25 → 1.30 in five hops', () => {
    const plan = planCore({ snap: installed('1.25/stable', 'v1.25.16') }, parseChannel('1.30/stable'), store)
    expect(plan.hops.map((h) => h.channelText)).toEqual([
      '1.26/stable',
      '1.27/stable',
      '1.28/stable',
      '1.29/stable',
      '1.30/stable'
    ])
  })

  it('uses the API server’s minor over the snap’s label', () => {
    const plan = planCore(
      { snap: installed('1.29/stable', 'v1.29.15'), kubeVersion: parseKubeVersion('v1.28.15') },
      parseChannel('1.30/stable'),
      store
    )
    expect(plan.hops.map((h) => h.channelText)).toEqual(['1.29/stable', '1.30/stable'])
  })

  it('refuses a downgrade, naming both minors and the supported way back', () => {
    expect(() => planCore({ snap: installed('1.30/stable', 'v1.30.14') }, parseChannel('1.28/stable'), store)).toThrow(
      /older than the installed Kubernetes 1\.30.*does not support downgrades.*snap revert/
    )
  })

  it('keeps the strict flavour through every hop', () => {
    const plan = planCore(
      { snap: installed('1.28-strict/stable', 'v1.28.15', 7960, 'strict') },
      parseChannel('1.30-strict/stable'),
      store
    )
    expect(plan.hops.map((h) => [h.channelText, h.channel.confinement])).toEqual([
      ['1.29-strict/stable', 'strict'],
      ['1.30-strict/stable', 'strict']
    ])
  })

  it('refuses to switch between classic and strict', () => {
    expect(() =>
      planCore({ snap: installed('1.28/stable', 'v1.28.15') }, parseChannel('1.30-strict/stable'), store)
    ).toThrow(/does not switch confinement/)
    expect(() =>
      planCore({ snap: installed('1.28-strict/stable', 'v1.28.15', 1, 'strict') }, parseChannel('1.30/stable'), store)
    ).toThrow(/'X.Y-strict' track/)
  })

  it('resolves latest/<risk> to the minor it carries, hopping through the numbered tracks', () => {
    const plan = planCore({ snap: installed('1.32/stable', 'v1.32.9', 8511) }, parseChannel('latest/stable'), store)
    expect(plan.targetMinor).toBe(34)
    expect(plan.hops.map((h) => h.channelText)).toEqual(['1.33/stable', 'latest/stable'])
    expect(plan.notes.join()).toMatch(/latest\/stable carries Kubernetes 1.34/)
  })

  it('fails before anything changes when a hop channel is missing, naming it', () => {
    const partial = new Map(store)
    partial.delete('1.29/stable')
    partial.delete('1.29/candidate')
    expect(() =>
      planCore({ snap: installed('1.28/stable', 'v1.28.15') }, parseChannel('1.30/stable'), partial)
    ).toThrow(/channel 1\.29\/stable \(Kubernetes 1\.29\) is not published/)
  })

  it('fails when the target channel itself does not exist', () => {
    expect(() => planCore({}, parseChannel('1.99/stable'), store)).toThrow(/1\.99\/stable is not published/)
  })

  it('follows a closed channel (^) to the next safer risk', () => {
    expect(servingChannel(store, '1.23-eksd/candidate')?.channel).toBe('1.23-eksd/stable')
  })
})

describe('planAddons', () => {
  const base = {
    requested: [],
    mode: 'auto' as const,
    neverCycle: [],
    recovered: new Map(),
    fromRelease: '1.29',
    toRelease: '1.30'
  }

  it('cycles enabled addons in dependency order, never ha-cluster, helm as a no-op', () => {
    const plan = planAddons({
      ...base,
      enabled: ['dashboard', 'dns', 'ha-cluster', 'helm', 'helm3', 'hostpath-storage', 'ingress', 'metrics-server']
    })
    expect(plan.cycle.map((s) => s.name)).toEqual(['dns', 'ingress', 'hostpath-storage', 'metrics-server', 'dashboard'])
    expect(plan.kept.map((k) => [k.name, k.policy])).toEqual([
      ['ha-cluster', 'never'],
      ['helm', 'no-op'],
      ['helm3', 'no-op']
    ])
  })

  it('cycles hostpath-storage once when its storage alias also reads enabled', () => {
    const plan = planAddons({ ...base, enabled: ['hostpath-storage', 'storage'] })
    expect(plan.cycle.map((s) => s.name)).toEqual(['hostpath-storage'])
  })

  it('auto leaves the decision to the repository comparison; always cycles; never does not', () => {
    expect(planAddons({ ...base, enabled: ['dns'] })).toMatchObject({
      pendingComparison: true,
      cycle: [{ name: 'dns' }]
    })
    expect(planAddons({ ...base, mode: 'always', enabled: ['dns'] })).toMatchObject({
      pendingComparison: false,
      cycle: [{ name: 'dns', why: "cycle-addons is 'always'" }]
    })
    expect(planAddons({ ...base, mode: 'never', enabled: ['dns'] })).toMatchObject({ cycling: false, cycle: [] })
  })

  it('keeps addons listed in never-cycle and data-bearing ones, with the reason', () => {
    const plan = planAddons({
      ...base,
      neverCycle: ['ingress'],
      enabled: ['dns', 'ingress', 'registry', 'hostpath-storage']
    })
    expect(plan.cycle.map((s) => s.name)).toEqual(['dns', 'hostpath-storage'])
    expect(plan.kept.find((k) => k.name === 'registry')?.reason).toMatch(/registry-claim/)
    expect(plan.kept.find((k) => k.name === 'ingress')?.policy).toBe('user')
  })

  it('passes input arguments first, then recovered ones, and says when none could be recovered', () => {
    const plan = planAddons({
      ...base,
      requested: [{ name: 'dns', args: '9.9.9.9' }],
      enabled: ['dns', 'ingress', 'metallb'],
      recovered: new Map([
        ['dns', { args: '1.1.1.1', note: 'from ConfigMap' }],
        ['ingress', { note: 'no arguments in use' }],
        ['metallb', { args: '10.0.0.1-10.0.0.9', note: 'from pools' }]
      ])
    })
    expect(plan.cycle.map((s) => [s.name, s.args, s.argsSource])).toEqual([
      ['dns', '9.9.9.9', 'input'],
      ['ingress', undefined, 'none'],
      ['metallb', '10.0.0.1-10.0.0.9', 'recovered']
    ])
  })

  it('reconfigures an enabled addon whose requested arguments differ from the running ones, even when unchanged', () => {
    const recovered = new Map([['dns', { args: '8.8.8.8,1.1.1.1', note: '' }]])
    const unchanged = { changed: [] }
    const same = narrowToChanged(
      planAddons({ ...base, enabled: ['dns'], requested: [{ name: 'dns', args: '1.1.1.1,8.8.8.8' }], recovered }),
      unchanged
    )
    expect(same.cycle).toEqual([])
    const other = narrowToChanged(
      planAddons({ ...base, enabled: ['dns'], requested: [{ name: 'dns', args: '9.9.9.9' }], recovered }),
      unchanged
    )
    expect(other.cycle).toMatchObject([{ name: 'dns', args: '9.9.9.9', argsSource: 'input' }])
    expect(other.cycle[0].note).toMatch(/reconfigured/)
    const never = planAddons({
      ...base,
      mode: 'never',
      enabled: ['dns'],
      requested: [{ name: 'dns', args: '9.9.9.9' }],
      recovered
    })
    expect(never.cycle.map((s) => s.name)).toEqual(['dns'])
  })

  it('auto cycles the changed addons and those depending on a cycled one, and says why per addon', () => {
    const candidates = planAddons({
      ...base,
      enabled: ['dns', 'ingress', 'hostpath-storage', 'metrics-server', 'dashboard']
    })
    const plan = narrowToChanged(candidates, { changed: ['ingress', 'metrics-server'] })
    expect(plan.pendingComparison).toBe(false)
    expect(plan.cycle.map((s) => [s.name, s.why])).toEqual([
      ['ingress', 'its addon directory changed between 1.29 and 1.30'],
      ['metrics-server', 'its addon directory changed between 1.29 and 1.30'],
      ['dashboard', 'depends on metrics-server, which is cycled']
    ])
    expect(plan.kept.filter((k) => k.policy === 'unchanged')).toEqual([
      { name: 'dns', policy: 'unchanged', reason: 'unchanged between 1.29 and 1.30' },
      { name: 'hostpath-storage', policy: 'unchanged', reason: 'unchanged between 1.29 and 1.30' }
    ])
  })

  it('auto cycles every candidate, saying why, when the repositories could not be compared', () => {
    const plan = narrowToChanged(planAddons({ ...base, enabled: ['dns'] }), { error: 'git ls-tree exited 128' })
    expect(plan.cycle).toMatchObject([{ name: 'dns', why: expect.stringMatching(/could not compare.*exited 128/) }])
  })

  it('keeps an enabled addon the target release does not have (dashboard on 1.36)', () => {
    const plan = planAddons({ ...base, toRelease: 'main', enabled: ['metrics-server', 'dashboard'] })
    expect(plan.cycle.map((s) => s.name)).toEqual(['metrics-server'])
    expect(plan.kept).toMatchObject([{ name: 'dashboard', policy: 'not-in-target' }])
  })

  it('keeps, with the reason, an addon whose recovered argument the target release cannot take', () => {
    const recovered = new Map([['hostpath-storage', { args: 'default-class=false', note: 'from the StorageClass' }]])
    const plan = planAddons({
      ...base,
      fromRelease: '1.28',
      toRelease: '1.28',
      enabled: ['hostpath-storage'],
      recovered
    })
    expect(plan.cycle).toEqual([])
    expect(plan.kept).toEqual([
      {
        name: 'hostpath-storage',
        policy: 'args-not-accepted',
        reason: expect.stringMatching(/runs with default-class=false .*has no --default-class.*keeps running as it is/)
      }
    ])
  })

  it('does not cycle metallb when its ranges cannot be recovered (its enable would prompt)', () => {
    const plan = planAddons({ ...base, enabled: ['metallb'] })
    expect(plan.cycle).toEqual([])
    expect(plan.kept[0]).toMatchObject({ name: 'metallb', policy: 'no-args' })
  })

  it('enables requested addons that were not enabled, in dependency order', () => {
    const plan = planAddons({
      ...base,
      enabled: ['dns'],
      requested: [{ name: 'dashboard' }, { name: 'metrics-server' }, { name: 'dns', args: '1.1.1.1' }]
    })
    expect(plan.enableAfter.map((s) => s.name)).toEqual(['metrics-server', 'dashboard'])
  })

  it('keeps addons unknown to the catalog (community), saying their disable may delete data', () => {
    const plan = planAddons({ ...base, enabled: ['argocd', 'dns', 'ingress'] })
    expect(plan.cycle.map((s) => s.name)).toEqual(['dns', 'ingress'])
    expect(plan.kept).toMatchObject([{ name: 'argocd', policy: 'unknown' }])
    expect(plan.kept[0].reason).toMatch(/unknown to the catalog: its disable may delete data/)
  })

  it('cycles an unknown addon named in cycle-also, after the known ones, and lists it as of unknown order', () => {
    const plan = planAddons({ ...base, cycleAlso: ['argocd'], enabled: ['argocd', 'dns', 'ingress'] })
    expect(plan.cycle.map((s) => s.name)).toEqual(['dns', 'ingress', 'argocd'])
    expect(plan.unknownOrder).toEqual(['argocd'])
  })
})
