// The addon plan where a cycle would lose a setting: MetalLB ranges the target's enable does not take, dns's
// Service IP and cluster domain carried through the addons input, and nvidia kept unless cycle-also names it.
import { describe, it, expect } from 'vitest'
import { planAddons, narrowToChanged } from '../../src/upgrade/addon-plan.js'
import type { RecoveredArgs } from '../../src/addons/state-specs.js'
import { recoverDns } from '../../src/addons/dns-settings.js'
import { addonSpec } from '../../src/catalog/index.js'

const base = {
  requested: [],
  mode: 'always' as const,
  neverCycle: [],
  recovered: new Map<string, RecoveredArgs>(),
  fromRelease: '1.28',
  toRelease: '1.30'
}
const corefile = '.:53 {\n    forward . 1.1.1.1\n}\n'

describe('MetalLB ranges read back, against the enabling release', () => {
  const metallb = (args: string) =>
    new Map([['metallb', { args, note: 'from IPAddressPool default-addresspool' }]]) as Map<string, RecoveredArgs>

  it('an IPv6 pool on a 1.30 target: kept with the reason, nothing cycled', () => {
    const plan = planAddons({
      ...base,
      enabled: ['metallb'],
      recovered: metallb('10.0.0.1-10.0.0.9,fd00::10-fd00::20')
    })
    expect(plan.cycle).toEqual([])
    expect(plan.kept).toEqual([
      {
        name: 'metallb',
        policy: 'args-not-accepted',
        reason: expect.stringMatching(
          /runs with 10\.0\.0\.1-10\.0\.0\.9,fd00::10-fd00::20 .*'fd00::10-fd00::20' is an IPv6 range, which the metallb addon of 1\.30 does not take \(it does from 1\.31\).*keeps running as it is/
        )
      }
    ])
  })

  it('the same pool on a 1.31 target is cycled with it', () => {
    const plan = planAddons({
      ...base,
      fromRelease: '1.30',
      toRelease: '1.31',
      enabled: ['metallb'],
      recovered: metallb('fd00::10-fd00::20')
    })
    expect(plan.cycle).toMatchObject([{ name: 'metallb', args: 'fd00::10-fd00::20', argsSource: 'recovered' }])
  })

  it('ranges the addons input gives win (the captured pools are re-applied after the enable)', () => {
    const plan = planAddons({
      ...base,
      enabled: ['metallb'],
      requested: [{ name: 'metallb', args: '10.0.0.1-10.0.0.9' }],
      recovered: metallb('fd00::10-fd00::20')
    })
    expect(plan.cycle).toMatchObject([{ name: 'metallb', args: '10.0.0.1-10.0.0.9', argsSource: 'input' }])
  })
})

describe('dns: its Service IP and cluster domain', () => {
  const settings = { serviceIp: '10.152.183.20', kubeletDns: '10.152.183.20', kubeletDomain: 'cluster.local' }

  it('a Service IP off the default is passed again, and carried into upstreams the addons input gives', () => {
    const rec = recoverDns(corefile, { ...settings, defaultServiceRange: true }, 30)
    expect(rec).toMatchObject({ args: '1.1.1.1,ip=10.152.183.20', carry: 'ip=10.152.183.20' })
    const recovered = new Map([['dns', rec]])
    expect(planAddons({ ...base, enabled: ['dns'], recovered }).cycle).toMatchObject([
      { name: 'dns', args: '1.1.1.1,ip=10.152.183.20', argsSource: 'recovered' }
    ])
    // The same upstreams: nothing to reconfigure (the IP is kept, not asked to change).
    const same = planAddons({
      ...base,
      mode: 'never',
      enabled: ['dns'],
      recovered,
      requested: [{ name: 'dns', args: '1.1.1.1' }]
    })
    expect(same.cycle).toEqual([])
    const other = planAddons({ ...base, enabled: ['dns'], recovered, requested: [{ name: 'dns', args: '9.9.9.9' }] })
    expect(other.cycle).toMatchObject([
      {
        name: 'dns',
        args: '9.9.9.9,ip=10.152.183.20',
        argsSource: 'input',
        previous: { args: '1.1.1.1,ip=10.152.183.20' },
        note: expect.stringContaining('ip=10.152.183.20 kept as it runs')
      }
    ])
    // An ip= the input gives is the input's.
    const asked = planAddons({
      ...base,
      enabled: ['dns'],
      recovered,
      requested: [{ name: 'dns', args: '9.9.9.9,ip=10.152.183.30' }]
    })
    expect(asked.cycle[0].args).toBe('9.9.9.9,ip=10.152.183.30')
  })

  it('what the enable picks by itself is not passed: 10.152.183.10 on the shipped range, cluster.local', () => {
    const defaults = { serviceIp: '10.152.183.10', kubeletDns: '10.152.183.10', kubeletDomain: 'cluster.local' }
    expect(recoverDns(corefile, { ...defaults, defaultServiceRange: true }, 30)).toEqual({
      args: '1.1.1.1',
      note: 'upstreams 1.1.1.1 read from the CoreDNS ConfigMap'
    })
    // On another service range the enable would leave the IP to Kubernetes: passed, resolv.conf mode kept.
    expect(
      recoverDns('.:53 {\n    forward . /etc/resolv.conf\n}\n', { ...defaults, defaultServiceRange: false }, 30)
    ).toMatchObject({
      args: '/etc/resolv.conf,ip=10.152.183.10'
    })
  })

  it('a cluster domain is passed from 1.33 and keeps dns on an older target', () => {
    const corp = { ...settings, serviceIp: '10.152.183.10', kubeletDns: '10.152.183.10', kubeletDomain: 'corp.local' }
    expect(recoverDns(corefile, { ...corp, defaultServiceRange: true }, 33)).toMatchObject({
      args: '1.1.1.1,ip=10.152.183.10,domain=corp.local'
    })
    const rec = recoverDns(corefile, { ...corp, defaultServiceRange: true }, 30)
    const plan = planAddons({ ...base, enabled: ['dns'], recovered: new Map([['dns', rec]]) })
    expect(plan.cycle).toEqual([])
    expect(plan.kept).toEqual([
      {
        name: 'dns',
        policy: 'args-not-accepted',
        reason: expect.stringMatching(/cluster domain is corp\.local .*1\.30 dns enable cannot set .*from 1\.33/)
      }
    ])
  })

  it('a kubelet that does not point at kube-dns (a node-local cache) keeps dns', () => {
    const rec = recoverDns(corefile, { ...settings, kubeletDns: '169.254.20.10', defaultServiceRange: true }, 30)
    expect(rec.keep).toMatch(/--cluster-dns is 169\.254\.20\.10, not the kube-dns Service IP 10\.152\.183\.20/)
  })
})

describe('nvidia: kept unless cycle-also names it', () => {
  it('is kept, saying its options cannot be read back; from a 1.33 disable, that its CRDs go too', () => {
    const early = planAddons({ ...base, fromRelease: '1.32', toRelease: '1.33', enabled: ['dns', 'gpu', 'nvidia'] })
    expect(early.cycle.map((s) => s.name)).toEqual(['dns'])
    expect(early.kept).toEqual([
      { name: 'nvidia', policy: 'opt-in', reason: expect.stringMatching(/--gpu-operator-\*.*cannot be read back/) }
    ])
    expect(early.kept[0].reason).not.toMatch(/CRD/)
    const late = planAddons({ ...base, fromRelease: '1.33', toRelease: '1.34', enabled: ['gpu', 'nvidia'] })
    expect(late.kept[0]).toMatchObject({ name: 'nvidia', policy: 'opt-in' })
    expect(late.kept[0].reason).toMatch(
      /deletes the ClusterPolicy, NVIDIADriver and network-operator CRDs and every object/
    )
    // 1.28's `gpu` is the addon itself, kept the same way.
    const gpu = planAddons({ ...base, enabled: ['gpu'] })
    expect(gpu.kept).toMatchObject([{ name: 'gpu', policy: 'opt-in' }])
  })

  it('is cycled when cycle-also names it or its alias; with auto, only when its directory changed', () => {
    for (const named of ['nvidia', 'gpu']) {
      const plan = planAddons({
        ...base,
        fromRelease: '1.32',
        toRelease: '1.33',
        enabled: ['gpu', 'nvidia'],
        cycleAlso: [named]
      })
      expect(plan.cycle).toMatchObject([
        { name: 'nvidia', argsSource: 'none', note: expect.stringContaining('enabled again with the defaults') }
      ])
    }
    const auto = planAddons({
      ...base,
      mode: 'auto',
      enabled: ['nvidia'],
      fromRelease: '1.32',
      toRelease: '1.33',
      cycleAlso: ['nvidia']
    })
    expect(narrowToChanged(auto, { changed: [] }).kept).toMatchObject([{ name: 'nvidia', policy: 'unchanged' }])
    expect(narrowToChanged(auto, { changed: ['nvidia'] }).cycle.map((s) => s.name)).toEqual(['nvidia'])
  })

  it('says from 1.33 what its disable deletes', () => {
    expect(addonSpec('nvidia', '1.32').disableDeletes.join(' ')).not.toMatch(/clusterpolicies/)
    expect(addonSpec('nvidia', '1.33').disableDeletes).toContain('CustomResourceDefinition clusterpolicies.nvidia.com')
  })
})
