// The custom resources the 1.35+ ingress disable deletes with their CRDs: reading the CRDs, which ones go, what the
// enabling release serves, the restore order, capture with its failures (the ingress kept), the check that names
// them; and MetalLB's kinds a newer release no longer defines.
import { describe, it, expect } from 'vitest'
import {
  checkCustomResources,
  crdDeletion,
  inRestoreOrder,
  kindOfCrd,
  notServedAfter,
  resourceOf,
  servedAfterEnable
} from '../../src/addons/custom-resources.js'
import { captureCustomResources } from '../../src/addons/capture-custom.js'
import { notRestorable, objectsToRestore } from '../../src/addons/restore-plan.js'
import { restoreAddonState } from '../../src/addons/capture-restore.js'
import { content, recoverArgs } from '../../src/addons/state-specs.js'
import { planAddons } from '../../src/upgrade/addon-plan.js'
import { MicroK8s } from '../../src/cluster/microk8s.js'
import type { Cmd, CmdOptions, CmdResult } from '../../src/base/cmd.js'
import { makeCrd, gatewayApiCrds, traefikCrds } from '../../sim/lib/crds.mjs'

/** A Cmd answering `microk8s kubectl …` by a function of its argv; records argv and stdin. */
function fakeCmd(
  answer: (args: string[]) => Partial<CmdResult>
): Cmd & { calls: Array<{ args: string[]; input?: string }> } {
  const calls: Array<{ args: string[]; input?: string }> = []
  return {
    calls,
    history: [],
    async run(_file: string, args: string[], options?: CmdOptions) {
      calls.push({ args, input: options?.input })
      return { code: 0, stdout: '', stderr: '', ms: 0, ...answer(args) }
    }
  }
}

const list = (items: unknown[]) => ({ stdout: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) })
const crds135 = [...traefikCrds({ hub: true }), ...gatewayApiCrds('v1.4.0')].map(makeCrd)
const other = makeCrd({
  group: 'cert-manager.io',
  kind: 'Certificate',
  plural: 'certificates',
  scope: 'Namespaced',
  versions: ['v1*']
})
const obj = (apiVersion: string, kind: string, name: string, namespace?: string, extra: object = {}) => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}), uid: 'u', resourceVersion: '7' },
  spec: { x: name },
  ...extra
})
const gateway = obj('gateway.networking.k8s.io/v1', 'Gateway', 'shop', 'web', { status: { conditions: [] } })
const route = obj('gateway.networking.k8s.io/v1', 'HTTPRoute', 'shop', 'web')
const klass = obj('gateway.networking.k8s.io/v1', 'GatewayClass', 'mine')
const grant = obj('gateway.networking.k8s.io/v1beta1', 'ReferenceGrant', 'allow', 'db')
const ingressRoute = obj('traefik.io/v1alpha1', 'IngressRoute', 'api', 'api')
const middleware = obj('traefik.io/v1alpha1', 'Middleware', 'strip', 'api')
const tlsOption = obj('traefik.io/v1alpha1', 'TLSOption', 'modern', 'api')
const chartGateway = {
  ...obj('gateway.networking.k8s.io/v1', 'Gateway', 'traefik-gateway', 'ingress'),
  metadata: {
    name: 'traefik-gateway',
    namespace: 'ingress',
    annotations: { 'meta.helm.sh/release-name': 'traefik', 'meta.helm.sh/release-namespace': 'ingress' }
  }
}

describe('reading the CRDs', () => {
  it('gives each kind its scope and the version to read: the storage version, served', () => {
    const kinds = crds135.map(kindOfCrd)
    expect(kinds).toContainEqual({
      crd: 'gatewayclasses.gateway.networking.k8s.io',
      group: 'gateway.networking.k8s.io',
      kind: 'GatewayClass',
      plural: 'gatewayclasses',
      version: 'v1',
      namespaced: false
    })
    expect(kinds.find((k) => 'kind' in k && k.kind === 'ReferenceGrant')).toMatchObject({ version: 'v1beta1' })
    expect(resourceOf(kinds.find((k) => 'kind' in k && k.kind === 'IngressRoute') as any)).toBe(
      'ingressroutes.v1alpha1.traefik.io'
    )
  })

  it('takes the first served version when the storage one is not served, and names a CRD that serves none', () => {
    const notServed = makeCrd({
      group: 'g.io',
      kind: 'K',
      plural: 'ks',
      scope: 'Namespaced',
      versions: ['(v2)*', 'v1']
    })
    notServed.spec.versions[0].storage = true
    expect(kindOfCrd(notServed)).toMatchObject({ version: 'v1' })
    const none = makeCrd({ group: 'g.io', kind: 'K', plural: 'ks', scope: 'Namespaced', versions: ['(v1)'] })
    expect(kindOfCrd(none)).toEqual({ crd: 'ks.g.io', problem: 'its CRD serves no version of K' })
  })
})

describe('what the 1.35+ ingress disable deletes, and what the enabling release serves again', () => {
  it('the Gateway API v1.4.0 CRDs by name and every CRD whose name matches traefik.io, from 1.35 only', () => {
    const d = crdDeletion('ingress', 35)!
    expect(crdDeletion('ingress', 34)).toBeUndefined()
    expect(crdDeletion('ingress', 36)).toBe(d)
    expect(d.deletes('httproutes.gateway.networking.k8s.io')).toBe(true)
    expect(d.deletes('accesscontrolpolicies.hub.traefik.io')).toBe(true)
    // Not in v1.4.0's standard-install.yaml: left by the disable (main installs it).
    expect(d.deletes('listenersets.gateway.networking.k8s.io')).toBe(false)
    expect(d.deletes('certificates.cert-manager.io')).toBe(false)
  })

  it('1.35 serves hub.traefik.io again; main (Gateway API v1.5.1, traefik.io only) does not', () => {
    expect(servedAfterEnable('ingress', 35).get('hub.traefik.io/AccessControlPolicy')).toEqual(['v1alpha1'])
    expect(servedAfterEnable('ingress', 36).has('hub.traefik.io/AccessControlPolicy')).toBe(false)
    expect(servedAfterEnable('ingress', 36).get('gateway.networking.k8s.io/ReferenceGrant')).toEqual(['v1', 'v1beta1'])
    expect(notServedAfter('ingress', 36, [gateway, grant, ingressRoute])).toBeUndefined()
    const policy = obj('hub.traefik.io/v1alpha1', 'AccessControlPolicy', 'jwt')
    expect(notServedAfter('ingress', 36, [policy, policy])).toBe('2 AccessControlPolicy (hub.traefik.io/v1alpha1)')
  })
})

describe('restore order', () => {
  it('GatewayClass, Gateway, then routes and grants; Middlewares and TLSOptions before IngressRoutes; stable otherwise', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'ingress' } }
    const order = inRestoreOrder([ingressRoute, route, grant, gateway, middleware, klass, secret, tlsOption])
    expect(order.map((o) => o.kind)).toEqual([
      'Secret',
      'GatewayClass',
      'Gateway',
      'Middleware',
      'TLSOption',
      'IngressRoute',
      'HTTPRoute',
      'ReferenceGrant'
    ])
  })

  it('MetalLB: pools, BFD profiles and communities, then peers, then advertisements', () => {
    const m = (kind: string) => ({ kind, metadata: { name: kind } })
    const kinds = ['BGPAdvertisement', 'L2Advertisement', 'BGPPeer', 'Community', 'BFDProfile', 'IPAddressPool']
    expect(inRestoreOrder(kinds.map(m)).map((o) => o.kind)).toEqual([
      'Community',
      'BFDProfile',
      'IPAddressPool',
      'BGPPeer',
      'BGPAdvertisement',
      'L2Advertisement'
    ])
  })

  it('is the order the single server-side apply sends, after the Secrets', async () => {
    const cmd = fakeCmd(() => ({}))
    await restoreAddonState(new MicroK8s(cmd, { waitTimeout: 5 }), 'ingress', {
      objects: { ingress: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'ingress' } }] },
      customResources: { ingress: { what: 'x', kinds: [], objects: [route, ingressRoute, gateway, middleware, klass] } }
    })
    expect(cmd.calls).toHaveLength(1)
    expect(cmd.calls[0].args.slice(0, 3)).toEqual(['kubectl', 'apply', '--server-side'])
    const sent = JSON.parse(cmd.calls[0].input!).items.map((o: any) => o.kind)
    expect(sent).toEqual(['Secret', 'GatewayClass', 'Gateway', 'Middleware', 'HTTPRoute', 'IngressRoute'])
  })

  it('leaves out the captured default TLSStore when the addons input gives ingress another certificate', () => {
    const store = obj('traefik.io/v1alpha1', 'TLSStore', 'default', 'web')
    const captured = { objects: {}, customResources: { ingress: { what: 'x', kinds: [], objects: [store, route] } } }
    expect(objectsToRestore('ingress', captured)).toHaveLength(2)
    expect(objectsToRestore('ingress', captured, 'default-ssl-certificate=prod/tls').map((o) => o.kind)).toEqual([
      'HTTPRoute'
    ])
  })
})

describe('capturing the Gateway API and Traefik objects (1.35+ ingress)', () => {
  const answer = (args: string[]) => {
    if (args[2] === 'customresourcedefinitions') return list([...crds135, other])
    if (args[1] === 'get') return list([gateway, route, klass, ingressRoute, middleware, chartGateway])
    return {}
  }

  it('reads every deleted CRD’s objects at its version across namespaces, without the chart’s own or server fields', async () => {
    const cmd = fakeCmd(answer)
    const c = await captureCustomResources(new MicroK8s(cmd, { waitTimeout: 5 }), ['dns', 'ingress'], 35, 36)
    expect(c.uncapturable).toEqual({})
    const listed = cmd.calls[1].args
    expect(listed[2]).toContain('gateways.v1.gateway.networking.k8s.io')
    expect(listed[2]).toContain('referencegrants.v1beta1.gateway.networking.k8s.io')
    expect(listed[2]).toContain('middlewares.v1alpha1.traefik.io')
    expect(listed[2]).not.toContain('cert-manager')
    expect(listed.slice(3)).toEqual(['-A', '-o', 'json'])
    const objects = c.customResources!.ingress.objects
    expect(objects.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'Gateway shop',
      'HTTPRoute shop',
      'GatewayClass mine',
      'IngressRoute api',
      'Middleware strip'
    ])
    expect(objects[0].status).toBeUndefined()
    expect(objects[0].metadata.uid).toBeUndefined()
  })

  it('reads nothing when the disabling release deletes no CRDs (1.34, nginx)', async () => {
    const cmd = fakeCmd(answer)
    expect(await captureCustomResources(new MicroK8s(cmd, { waitTimeout: 5 }), ['ingress'], 34, 35)).toEqual({})
    expect(cmd.calls).toEqual([])
  })

  it('a read that fails every attempt keeps the ingress, with the reason', async () => {
    const cmd = fakeCmd((args) =>
      args[1] === 'get' && args[2] !== 'customresourcedefinitions'
        ? { code: 1, stderr: 'Unable to connect to the server' }
        : answer(args)
    )
    const c = await captureCustomResources(new MicroK8s(cmd, { waitTimeout: 5 }), ['ingress'], 35, 35)
    expect(c.customResources).toEqual({})
    expect(c.uncapturable!.ingress).toMatch(/could not read the objects of .*\(3 attempts\).*Unable to connect/)
    expect(c.uncapturable!.ingress).toMatch(/ingress is kept as it runs \(not cycled\)/)
  }, 20_000)

  it('objects of a kind the enabling release does not install again keep the ingress (hub.traefik.io on main)', async () => {
    const policy = obj('hub.traefik.io/v1alpha1', 'AccessControlPolicy', 'jwt')
    const cmd = fakeCmd((args) => (args[2] === 'customresourcedefinitions' ? answer(args) : list([route, policy])))
    const microk8s = new MicroK8s(cmd, { waitTimeout: 5 })
    const upgrade = await captureCustomResources(microk8s, ['ingress'], 35, 36)
    expect(upgrade.uncapturable!.ingress).toMatch(
      /1 AccessControlPolicy \(hub\.traefik\.io\/v1alpha1\).*1\.36 ingress enable/
    )
    // A refresh of 1.35 installs them again.
    expect((await captureCustomResources(microk8s, ['ingress'], 35, 35)).uncapturable).toEqual({})
  })

  it('the plan keeps the uncapturable ingress with the reason, and cycles the rest', () => {
    const plan = planAddons({
      enabled: ['dns', 'ingress'],
      requested: [],
      mode: 'always',
      neverCycle: [],
      recovered: new Map(),
      uncapturable: { ingress: 'could not read the CustomResourceDefinitions' },
      fromRelease: '1.35',
      toRelease: 'main'
    })
    expect(plan.cycle.map((s) => s.name)).toEqual(['dns'])
    expect(plan.kept).toContainEqual({
      name: 'ingress',
      policy: 'not-captured',
      reason: 'could not read the CustomResourceDefinitions'
    })
  })

  it('the default certificate is read from the captured default TLSStore', () => {
    const store = {
      ...obj('traefik.io/v1alpha1', 'TLSStore', 'default', 'web'),
      spec: { defaultCertificate: { secretName: 'tls' } }
    }
    const captured = { objects: {}, customResources: { ingress: { what: 'x', kinds: [], objects: [store] } } }
    expect(recoverArgs(['ingress'], [], captured, 36).get('ingress')?.args).toBe('default-ssl-certificate=web/tls')
  })
})

describe('the check', () => {
  it('names every object kept, and every one missing or changed', () => {
    const ok = checkCustomResources('Gateway API and Traefik objects', [gateway, route], [route, gateway], content)
    expect(ok).toMatchObject({ ok: true, checked: true, before: 'Gateway web/shop, HTTPRoute web/shop' })
    expect(ok.after).toBe(ok.before)
    const changed = { ...route, spec: { x: 'other' } }
    expect(checkCustomResources('c', [gateway, route], [changed], content)).toMatchObject({
      ok: false,
      after: 'none',
      detail: 'missing or changed: Gateway web/shop, HTTPRoute web/shop'
    })
    expect(checkCustomResources('c', [gateway], undefined, content)).toMatchObject({ checked: false, ok: false })
  })

  it('names at most twelve, then how many more', () => {
    const many = Array.from({ length: 15 }, (_, i) => obj('traefik.io/v1alpha1', 'Middleware', `m${i}`, 'api'))
    expect(checkCustomResources('c', many, many, content).before).toMatch(/Middleware api\/m11 and 3 more$/)
  })
})

describe('MetalLB kinds the enabling release no longer defines', () => {
  it('legacy AddressPools cannot be put back after 1.32', () => {
    const legacy = { apiVersion: 'metallb.io/v1beta1', kind: 'AddressPool', metadata: { name: 'old' } }
    const peer = { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'tor' } }
    expect(notRestorable('metallb', [legacy, peer], 32)).toBeUndefined()
    expect(notRestorable('metallb', [legacy, legacy, peer], 33)).toBe('2 AddressPool')
    expect(notRestorable('metallb', [peer], 36)).toBeUndefined()
    // Not a CRD kind: the nginx ConfigMaps a 1.34 disable deletes are put back on 1.35 too.
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nginx-load-balancer-microk8s-conf' } }
    expect(notRestorable('ingress', [cm], 35)).toBeUndefined()
  })
})
