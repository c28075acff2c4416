// Addon names and arguments checked against the target release, and the words each release's enable reads.
import { describe, it, expect } from 'vitest'
import { addonSpec, checkAddonInputs, checkArguments, closestName, enableWords } from '../../src/catalog/index.js'

const inputs = (addons: string, extra: { neverCycle?: string[]; cycleAlso?: string[] } = {}) => ({
  addons: addons
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => {
      const i = w.indexOf(':')
      return i === -1 ? { name: w } : { name: w.slice(0, i), args: w.slice(i + 1) }
    }),
  neverCycle: extra.neverCycle ?? [],
  cycleAlso: extra.cycleAlso ?? []
})

describe('addon inputs refused before any change', () => {
  const refused: Array<[string, string, string, RegExp]> = [
    ['1.30', 'ingres', 'addons', /ingres: no such addon in 1\.30; did you mean ingress\?/],
    ['1.30', 'metalb:10.0.0.1-10.0.0.9', 'addons', /did you mean metallb\?/],
    ['1.30', 'hostpath-storge', 'addons', /did you mean hostpath-storage\?/],
    ['1.30', 'id', 'addons', /id: no such addon in 1\.30/],
    ['1.36', 'dashboard', 'addons', /the 1\.36 addon repository has no dashboard addon/],
    ['main', 'dashboard', 'addons', /the main addon repository has no dashboard addon/],
    ['1.28', 'nvidia', 'addons', /the 1\.28 addon repository has no nvidia addon/],
    ['1.30', 'dns:--foo', 'addons', /a value starting with - would be read as an option/],
    ['1.30', 'dns:1.1.1.1,-x', 'addons', /a value starting with -/],
    ['1.30', 'dns:8.8.8.888', 'addons', /'8\.8\.8\.888' is not an IPv4 or IPv6 address/],
    ['1.30', 'dns:example.com', 'addons', /not an IPv4 or IPv6 address/],
    ['1.30', 'dns:1.1.1.1,domain=corp.local', 'addons', /takes no cluster domain \(it does from 1\.33\)/],
    ['1.33', 'dns:1.1.1.1,domain=corp.local', 'addons', /needs ip= as well/],
    ['1.33', 'dns:1.1.1.1,ip=10.152.183.10,domain=Bad_Domain', 'addons', /not a DNS domain name/],
    ['1.30', 'dns:1.1.1.1,ip=10.1.1', 'addons', /ip=10\.1\.1 is not an IP address/],
    ['1.30', 'dns:1.1.1.1,foo=bar', 'addons', /unknown key 'foo'/],
    ['1.30', 'dns:1.1.1.1,ip=10.152.183.10,ip=10.152.183.11', 'addons', /'ip' is given twice/],
    ['1.30', 'metallb:10.64.140.43', 'addons', /not a range FIRST-LAST or a CIDR/],
    ['1.30', 'metallb:10.64.140.43-fd00::1', 'addons', /not a range/],
    ['1.30', 'metallb:10.0.0.0/33', 'addons', /not a range/],
    // IPv6 from 1.31 (core-addons #282); the upstream patterns need a leading hex group on every release.
    [
      '1.30',
      'metallb:fd00::10-fd00::20',
      'addons',
      /'fd00::10-fd00::20' is an IPv6 range, which the metallb addon of 1\.30 does not take \(it does from 1\.31\); metallb on 1\.30 accepts IPv4 address ranges/
    ],
    ['1.28', 'metallb:10.0.0.1-10.0.0.9,fd00::/120', 'addons', /'fd00::\/120' is an IPv6 range/],
    ['1.31', 'metallb:::10-::20', 'addons', /'::10-::20' is not a range/],
    ['1.35', 'metallb:::/0', 'addons', /not a range/],
    ['1.35', 'metallb:::ffff:10.0.0.0/120', 'addons', /not a range/],
    ['1.35', 'metallb:fd00::1%eth0-fd00::9', 'addons', /not a range/],
    ['1.35', 'metallb:fd00::/129', 'addons', /not a range/],
    ['1.30', 'ingress:default-ssl-certificate=tls', 'addons', /'tls' is not NAMESPACE\/NAME/],
    ['1.30', 'ingress:default-ssl-certificate=a/b/c', 'addons', /not NAMESPACE\/NAME/],
    ['1.35', 'ingress:publish-status-address=1.2.3.4', 'addons', /unknown argument 'publish-status-address'/],
    ['1.30', 'hostpath-storage:reclaim-policy=Keep', 'addons', /reclaim-policy=Keep is not Delete or Retain/],
    ['1.28', 'hostpath-storage:default-class=false', 'addons', /of 1\.28 has no --default-class/],
    ['1.30', 'hostpath-storage:default-class=maybe', 'addons', /default-class=maybe is not true or false/],
    ['1.30', 'metrics-server:yes', 'addons', /metrics-server takes no arguments/]
  ]
  for (const [release, addons, input, message] of refused) {
    it(`${release}: ${addons}`, () => {
      let error: Error | undefined
      try {
        checkAddonInputs(inputs(addons), release)
      } catch (e) {
        error = e as Error
      }
      expect(error?.message).toMatch(new RegExp(`^Input '${input}': `))
      expect(error?.message).toMatch(message)
    })
  }

  it('checks never-cycle and cycle-also names too', () => {
    expect(() => checkAddonInputs({ ...inputs(''), neverCycle: ['ingres'] }, '1.30')).toThrow(
      /Input 'never-cycle': ingres: no such addon in 1\.30; did you mean ingress\?/
    )
    expect(() => checkAddonInputs({ ...inputs(''), cycleAlso: ['argocdd'] }, '1.30')).toThrow(
      /Input 'cycle-also': argocdd: .*did you mean argocd\?/
    )
    expect(() => checkAddonInputs({ ...inputs(''), cycleAlso: ['dns'] }, '1.30')).toThrow(
      /Input 'cycle-also': dns: the catalog knows this addon/
    )
    // nvidia (and gpu, its alias) are kept unless named there.
    expect(() => checkAddonInputs({ ...inputs(''), cycleAlso: ['nvidia', 'gpu'] }, '1.33')).not.toThrow()
    expect(() => checkAddonInputs({ ...inputs(''), cycleAlso: ['gpu'] }, '1.28')).not.toThrow()
  })
})

describe('addon inputs accepted', () => {
  const accepted: Array<[string, string]> = [
    ['1.30', 'dns:1.1.1.1,8.8.8.8'],
    ['1.30', 'dns:2606:4700:4700::1111,1.1.1.1'],
    ['1.30', 'dns:/etc/resolv.conf'],
    ['1.30', 'dns:1.1.1.1,ip=10.152.183.10'],
    ['1.33', 'dns:1.1.1.1,ip=10.152.183.10,domain=corp.local'],
    ['1.30', 'metallb:10.64.140.43-10.64.140.49,192.168.0.0/28'],
    ['1.31', 'metallb:fd00::10-fd00::20'],
    ['1.35', 'metallb:10.0.0.1-10.0.0.9,FD00::/120,fd00:0:0:0:0:0:0:1-fd00::ff'],
    ['1.30', 'ingress:default-ssl-certificate=web/tls'],
    ['1.35', 'ingress:default-ssl-certificate=web/tls'],
    ['1.30', 'hostpath-storage:reclaim-policy=Retain,default-class=false'],
    ['1.30', 'argocd community ingress storage gpu'],
    ['1.35', 'dashboard cert-manager']
  ]
  for (const [release, addons] of accepted) {
    it(`${release}: ${addons}`, () => expect(() => checkAddonInputs(inputs(addons), release)).not.toThrow())
  }
})

describe('enable words per release', () => {
  const words: Array<[string, string, string | undefined, string[]]> = [
    ['dns', '1.30', '1.1.1.1,8.8.8.8', ['dns:1.1.1.1,8.8.8.8']],
    ['dns', '1.30', '2606:4700:4700::1111', ['dns', '2606:4700:4700::1111']],
    ['dns', '1.33', '1.1.1.1,ip=10.152.183.10,domain=corp.local', ['dns', '1.1.1.1', '10.152.183.10', 'corp.local']],
    ['ingress', '1.34', 'default-ssl-certificate=web/tls', ['ingress:default-ssl-certificate=web/tls']],
    ['ingress', '1.35', 'default-ssl-certificate=web/tls', ['ingress', '--default-ssl-certificate', 'web/tls']],
    [
      'hostpath-storage',
      '1.30',
      'reclaim-policy=Retain,default-class=false',
      ['hostpath-storage', '--reclaim-policy', 'Retain', '--default-class', 'false']
    ],
    ['metallb', '1.30', '10.0.0.1-10.0.0.9', ['metallb:10.0.0.1-10.0.0.9']],
    ['metallb', '1.31', 'fd00::10-fd00::20', ['metallb', 'fd00::10-fd00::20']],
    ['metallb', '1.28', '10.0.0.0/28', ['metallb:10.0.0.0/28']],
    ['argocd', '1.30', 'x=1', ['argocd:x=1']],
    ['metrics-server', '1.30', undefined, ['metrics-server']]
  ]
  for (const [name, release, args, expected] of words) {
    it(`${name}:${args ?? ''} on ${release}`, () =>
      expect(enableWords(addonSpec(name, release), args)).toEqual(expected))
  }

  it('accepts for unknown (community) addons whatever the input parser let through', () => {
    expect(checkArguments(addonSpec('argocd', '1.30'), 'anything=1')).toEqual({ ok: true })
  })

  it('suggests only close names', () => {
    expect(closestName('ingres', ['ingress', 'dns'])).toBe('ingress')
    expect(closestName('zzz', ['ingress', 'dns'])).toBeUndefined()
  })
})
