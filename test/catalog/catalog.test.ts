import { describe, it, expect } from 'vitest'
import {
  addonOrder as orderWith,
  addonSpec,
  catalogAt,
  dnsUpstreams,
  isCorefileCustomised,
  metallbRanges,
  ingressArgs,
  DEFAULT_COREFILE,
  addonBranch,
  type AddonSpec
} from '../../src/catalog/index.js'

const addonOrder = (names: string[], specOf = (n: string) => addonSpec(n, '1.30')) => orderWith(names, specOf)

describe('addon order', () => {
  it('seeds CNI, DNS, ingress, storage, then the rest', () => {
    expect(addonOrder(['metrics-server', 'hostpath-storage', 'ingress', 'dns', 'kube-ovn'])).toEqual([
      'kube-ovn',
      'dns',
      'ingress',
      'hostpath-storage',
      'metrics-server'
    ])
  })

  it('puts dependencies first even across ranks', () => {
    const specs: Record<string, AddonSpec> = {
      a: { ...addonSpec('x', '1.30'), name: 'a', rank: 'dns', needs: ['b'] },
      b: { ...addonSpec('x', '1.30'), name: 'b', rank: 'other', needs: [] }
    }
    expect(addonOrder(['a', 'b'], (n) => specs[n])).toEqual(['b', 'a'])
  })

  it('orders dashboard after metrics-server and registry after hostpath-storage', () => {
    expect(addonOrder(['dashboard', 'registry', 'metrics-server', 'hostpath-storage'])).toEqual([
      'hostpath-storage',
      'registry',
      'metrics-server',
      'dashboard'
    ])
  })

  it('keeps the found order among unknown addons, after the known ones', () => {
    expect(addonOrder(['zeta', 'dns', 'alpha'])).toEqual(['dns', 'zeta', 'alpha'])
  })

  it('names a dependency cycle', () => {
    const row = (name: string, needs: string[]): AddonSpec => ({
      ...addonSpec('x', '1.30'),
      name,
      rank: 'other',
      needs
    })
    const specs: Record<string, AddonSpec> = { a: row('a', ['b']), b: row('b', ['c']), c: row('c', ['a']) }
    expect(() => addonOrder(['a', 'b', 'c'], (n) => specs[n])).toThrow('addon dependency cycle: a -> b -> c -> a')
  })
})

describe('catalog', () => {
  it('never cycles ha-cluster and says why', () => {
    expect(addonSpec('ha-cluster', '1.30')).toMatchObject({ policy: 'never' })
    expect(addonSpec('ha-cluster', '1.30').reason).toMatch(/resets the datastore/)
  })

  it('answers the hostpath-storage prompt with N, never yes, and expects its exit 1', () => {
    const spec = addonSpec('hostpath-storage', '1.30')
    expect(spec.disableInput).toBe('N\n')
    expect(spec.disableKeepsDataExit).toEqual({ code: 1, marker: 'Storage removed.' })
  })

  it('gives unknown addons a row that is not cycled', () => {
    expect(addonSpec('argocd', '1.30')).toMatchObject({ rank: 'unknown', policy: 'unknown', needs: [] })
  })

  it('has no dependency cycle and names only catalog addons as dependencies', () => {
    for (const release of ['1.28', '1.30', '1.33', '1.35', 'main']) {
      const rows = catalogAt(release)
      const names = rows.map((a) => a.name)
      expect(() => addonOrder(names, (n) => addonSpec(n, release))).not.toThrow()
      for (const a of rows) for (const d of a.needs) expect(names).toContain(d)
    }
  })

  it('names the addon branch a snap ships (latest builds bundle main)', () => {
    expect(addonBranch(30)).toBe('1.30')
    expect(addonBranch(undefined)).toBe('main')
  })
})

describe('argument recovery', () => {
  it('reads DNS upstreams from the forward line', () => {
    expect(dnsUpstreams(DEFAULT_COREFILE.replace('$NAMESERVERS', '1.1.1.1 8.8.8.8'))).toBe('1.1.1.1,8.8.8.8')
    expect(dnsUpstreams('forward . 2001:4860:4860::8888 {\n max_concurrent 1000\n}')).toBe('2001:4860:4860::8888')
  })

  it('gives no argument when CoreDNS forwards to resolv.conf (a plain enable does the same)', () => {
    expect(dnsUpstreams(DEFAULT_COREFILE.replace('$NAMESERVERS', '/etc/resolv.conf'))).toBeUndefined()
  })

  it('tells a customised Corefile from one that differs only in upstreams', () => {
    expect(isCorefileCustomised(DEFAULT_COREFILE.replace('$NAMESERVERS', '9.9.9.9'))).toBe(false)
    expect(
      isCorefileCustomised(
        DEFAULT_COREFILE.replace('    cache 30\n', '    cache 30\n    hosts {\n      10.0.0.5 cache.internal\n    }\n')
      )
    ).toBe(true)
  })

  it('reads MetalLB ranges from IPAddressPools', () => {
    expect(
      metallbRanges([
        { spec: { addresses: ['10.64.140.43-10.64.140.49'] } },
        { spec: { addresses: ['192.168.0.0/28'] } }
      ])
    ).toBe('10.64.140.43-10.64.140.49,192.168.0.0/28')
    expect(metallbRanges([])).toBeUndefined()
  })

  it('reads the ingress default certificate from the controller arguments', () => {
    const ds = {
      spec: {
        template: {
          spec: { containers: [{ args: ['/nginx-ingress-controller', '--default-ssl-certificate=web/tls'] }] }
        }
      }
    }
    expect(ingressArgs(ds)).toBe('default-ssl-certificate=web/tls')
    expect(ingressArgs({})).toBeUndefined()
  })
})
