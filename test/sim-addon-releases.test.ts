// The simulator's addon forms per release (canonical/microk8s-core-addons branches 1.32 … 1.35 and main) and its
// addon repositories as `git ls-tree` shows them.
import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { lsTree, BRANCHES } from '../sim/lib/addon-repo.mjs'
import { sim, runSim } from './helpers/sim.js'

const sudo = (...cmd: string[]) => runSim(['sudo', '-n', ...cmd])
const objects = (dir: string): any[] =>
  JSON.parse(fs.readFileSync(path.join(dir, 'sim-state.json'), 'utf8')).cluster.objects
const find = (dir: string, kind: string, name: string, namespace?: string) =>
  objects(dir).find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace)
const statusOf = (addon: string) => sudo('microk8s', 'status', '-a', addon).stdout.trim()

describe('ingress per release', () => {
  it('1.35 is Traefik from Helm; --default-ssl-certificate becomes the default TLSStore', () => {
    const dir = sim({ installed: { channel: '1.35/stable' } })
    const r = sudo('microk8s', 'enable', 'ingress', '--default-ssl-certificate', 'web/tls')
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(find(dir, 'DaemonSet', 'traefik', 'ingress')).toBeDefined()
    expect(find(dir, 'DaemonSet', 'nginx-ingress-microk8s-controller', 'ingress')).toBeUndefined()
    expect(find(dir, 'IngressClass', 'public')?.spec.controller).toBe('traefik.io/ingress-controller')
    expect(find(dir, 'Secret', 'sh.helm.release.v1.traefik.v1', 'ingress')?.metadata.labels.status).toBe('deployed')
    expect(find(dir, 'TLSStore', 'default', 'web')?.spec.defaultCertificate.secretName).toBe('tls')
    expect(statusOf('ingress')).toBe('enabled')
  })

  it('1.35 reads the old colon form as a plain word and ignores it', () => {
    const dir = sim({ installed: { channel: '1.35/stable' } })
    expect(sudo('microk8s', 'enable', 'ingress:default-ssl-certificate=web/tls').status).toBe(0)
    expect(objects(dir).filter((o) => o.kind === 'TLSStore')).toEqual([])
  })

  it('1.34 is the nginx DaemonSet with the certificate in its arguments', () => {
    const dir = sim({ installed: { channel: '1.34/stable' } })
    expect(sudo('microk8s', 'enable', 'ingress:default-ssl-certificate=web/tls').status).toBe(0)
    const ds = find(dir, 'DaemonSet', 'nginx-ingress-microk8s-controller', 'ingress')
    expect(ds.spec.template.spec.containers[0].args).toContain('--default-ssl-certificate=web/tls')
    const r = sudo('microk8s', 'enable', 'ingress', '--default-ssl-certificate', 'web/tls')
    expect(r.stdout).toMatch(/already enabled/)
  })
})

describe('dashboard per release', () => {
  it('1.33 installs the Helm chart in namespace kubernetes-dashboard', () => {
    const dir = sim({ installed: { channel: '1.33/stable' } })
    expect(sudo('microk8s', 'enable', 'dashboard').status).toBe(0)
    expect(find(dir, 'Deployment', 'kubernetes-dashboard-web', 'kubernetes-dashboard')).toBeDefined()
    expect(find(dir, 'Secret', 'sh.helm.release.v1.kubernetes-dashboard.v1', 'kubernetes-dashboard')).toBeDefined()
    expect(find(dir, 'Deployment', 'metrics-server', 'kube-system')).toBeDefined()
    expect(statusOf('dashboard')).toBe('enabled')
  })

  it('1.36 has no dashboard addon', () => {
    sim({ installed: { channel: '1.36/stable' } })
    const r = sudo('microk8s', 'enable', 'dashboard')
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/Addon dashboard was not found in any repository/)
    expect(sudo('microk8s', 'status', '--format', 'yaml').stdout).not.toMatch(/name: dashboard/)
  })
})

describe('dns arguments per release', () => {
  it('takes the cluster domain as its third argument from 1.33, and ignores it before', () => {
    let dir = sim({ installed: { channel: '1.33/stable' } })
    sudo('microk8s', 'disable', 'dns')
    expect(sudo('microk8s', 'enable', 'dns', '1.1.1.1', '10.152.183.10', 'example.local').status).toBe(0)
    expect(find(dir, 'ConfigMap', 'coredns', 'kube-system').data.Corefile).toMatch(/kubernetes example\.local in-addr/)
    dir = sim({ installed: { channel: '1.32/stable' } })
    sudo('microk8s', 'disable', 'dns')
    expect(sudo('microk8s', 'enable', 'dns', '1.1.1.1', '10.152.183.10', 'example.local').status).toBe(0)
    expect(find(dir, 'ConfigMap', 'coredns', 'kube-system').data.Corefile).toMatch(/kubernetes cluster\.local in-addr/)
  })
})

describe('addon repositories (git ls-tree HEAD addons/)', () => {
  const trees = (text: string) =>
    Object.fromEntries(
      text
        .trim()
        .split('\n')
        .map((l) => [l.split('\t')[1], l.split(/\s+/)[2]])
    )

  it('show the snap’s branch and the active repository’s, which stays old until it is updated', () => {
    sim({ installed: { channel: '1.30/stable' } })
    expect(sudo('snap', 'refresh', 'microk8s', '--channel=1.31/stable', '--classic').status).toBe(0)
    const snap = sudo('git', '-C', '/snap/microk8s/current/addons/core', 'ls-tree', 'HEAD', 'addons/')
    const active = sudo('git', '-C', '/var/snap/microk8s/common/addons/core', 'ls-tree', 'HEAD', 'addons/')
    expect(snap.status).toBe(0)
    expect(trees(snap.stdout)).toEqual(trees(lsTree('1.31')))
    expect(trees(active.stdout)).toEqual(trees(lsTree('1.30')))
    sudo('microk8s', 'addons', 'repo', 'update', 'core')
    const updated = sudo('git', '-C', '/var/snap/microk8s/common/addons/core', 'ls-tree', 'HEAD', 'addons/')
    expect(trees(updated.stdout)).toEqual(trees(lsTree('1.31')))
  })

  it('refuses unknown paths', () => {
    sim({ installed: { channel: '1.30/stable' } })
    expect(sudo('git', '-C', '/tmp', 'ls-tree', 'HEAD', 'addons/').status).toBe(128)
  })

  // Only meaningful where the tests do not themselves run as root.
  it.skipIf(process.getuid?.() === 0)('refuses a non-root reader: the repositories belong to root', () => {
    sim({ installed: { channel: '1.30/stable' } })
    const r = runSim(['git', '-C', '/var/snap/microk8s/common/addons/core', 'ls-tree', 'HEAD', 'addons/'])
    expect(r.status).toBe(128)
    expect(r.stderr).toMatch(/dubious ownership/)
  })

  it('hashes an addon directory equally across branches exactly when its simulated contents are equal', () => {
    const at = (b: string) => trees(lsTree(b))
    // Upstream: nothing under addons/ changed between the 1.29 and 1.30 branch heads.
    expect(at('1.30')).toEqual(at('1.29'))
    // 1.30 → 1.31 changed ingress, metallb, cert-manager (and others), not dns or hostpath-storage.
    const [a, b] = [at('1.30'), at('1.31')]
    const changed = Object.keys(b).filter((k) => a[k] !== b[k])
    expect(changed).toEqual(expect.arrayContaining(['addons/ingress', 'addons/metallb', 'addons/cert-manager']))
    expect(changed).not.toContain('addons/dns')
    expect(changed).not.toContain('addons/hostpath-storage')
    // A changed image is a changed directory: dns ships another CoreDNS on every branch from 1.33.
    const dns = BRANCHES.map((x: string) => at(x)['addons/dns'])
    expect(new Set(dns.slice(4)).size).toBe(5)
    expect(at('main')['addons/dashboard']).toBeUndefined()
  })
})

describe('CRDs and what the disables delete with them (1.35+ ingress, MetalLB per branch)', () => {
  const kubectl = (...args: string[]) => sudo('microk8s', 'kubectl', ...args)
  const apply = (o: object) =>
    runSim(['sudo', '-n', 'microk8s', 'kubectl', 'apply', '--server-side', '-f', '-'], JSON.stringify(o))
  const crdNames = (dir: string) =>
    objects(dir)
      .filter((o) => o.kind === 'CustomResourceDefinition')
      .map((o) => o.metadata.name)
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'shop', namespace: 'web' },
    spec: { parentRefs: [{ name: 'shop' }] }
  }
  const middleware = {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'Middleware',
    metadata: { name: 'strip', namespace: 'api' },
    spec: { stripPrefix: { prefixes: ['/api'] } }
  }
  const policy = {
    apiVersion: 'hub.traefik.io/v1alpha1',
    kind: 'AccessControlPolicy',
    metadata: { name: 'jwt' },
    spec: { jwt: {} }
  }

  it('1.35: the enable installs traefik.io, hub.traefik.io and Gateway API v1.4.0; the disable deletes them and every object of their kinds', () => {
    const dir = sim({ installed: { channel: '1.35/stable' }, addons: ['ingress'] })
    expect(crdNames(dir)).toEqual(
      expect.arrayContaining([
        'ingressroutes.traefik.io',
        'accesscontrolpolicies.hub.traefik.io',
        'backendtlspolicies.gateway.networking.k8s.io'
      ])
    )
    expect(crdNames(dir)).not.toContain('listenersets.gateway.networking.k8s.io')
    for (const o of [route, middleware, policy]) expect(apply(o).status).toBe(0)
    // Served as the CRDs say: a version they list is asked for by name; a cluster-scoped kind needs no namespace.
    expect(
      JSON.parse(kubectl('get', 'httproutes.v1beta1.gateway.networking.k8s.io', '-A', '-o', 'json').stdout).items[0]
        .apiVersion
    ).toBe('gateway.networking.k8s.io/v1beta1')
    expect(kubectl('get', 'backendtlspolicies.v1alpha3.gateway.networking.k8s.io', '-A', '-o', 'json').stderr).toMatch(
      /doesn't have a resource type/
    )
    expect(JSON.parse(kubectl('get', 'accesscontrolpolicies.hub.traefik.io', '-o', 'json').stdout).items).toHaveLength(
      1
    )
    // The chart's own objects carry Helm's release annotations.
    expect(find(dir, 'Gateway', 'traefik-gateway', 'ingress')?.metadata.annotations['meta.helm.sh/release-name']).toBe(
      'traefik'
    )
    expect(sudo('microk8s', 'disable', 'ingress').status).toBe(0)
    const left = objects(dir)
    expect(
      left.filter((o) =>
        ['HTTPRoute', 'Middleware', 'AccessControlPolicy', 'GatewayClass', 'TLSStore'].includes(o.kind)
      )
    ).toEqual([])
    expect(crdNames(dir).filter((n) => /gateway|traefik/.test(n))).toEqual([])
    expect(apply(route).stderr).toMatch(/no matches for kind "HTTPRoute"/)
  })

  it('main: the enable installs Gateway API v1.5.1 and traefik.io only; the disable (v1.4.0 by name) leaves ListenerSet and TLSRoute', () => {
    const dir = sim({ installed: { channel: '1.36/stable' }, addons: ['ingress'] })
    expect(crdNames(dir)).toContain('listenersets.gateway.networking.k8s.io')
    expect(crdNames(dir).filter((n) => n.endsWith('.hub.traefik.io'))).toEqual([])
    expect(find(dir, 'Secret', 'sh.helm.release.v1.traefik.v1', 'ingress')?.metadata.labels).toBeDefined()
    expect(sudo('microk8s', 'disable', 'ingress').status).toBe(0)
    expect(
      crdNames(dir)
        .filter((n) => /gateway|traefik/.test(n))
        .sort()
    ).toEqual(['listenersets.gateway.networking.k8s.io', 'tlsroutes.gateway.networking.k8s.io'])
  })

  it('without the internet: the 1.35 enable fails before creating anything, the disable keeps the Gateway API CRDs', () => {
    const dir = sim({ installed: { channel: '1.35/stable' }, addons: ['ingress'], internet: { reachable: false } })
    expect(apply(route).status).toBe(0)
    expect(sudo('microk8s', 'disable', 'ingress').status).toBe(0)
    // `kubectl delete -f https://…` failed silently: the routes survive, the traefik.io CRDs do not.
    expect(find(dir, 'HTTPRoute', 'shop', 'web')).toBeDefined()
    expect(crdNames(dir).filter((n) => n.includes('traefik'))).toEqual([])
    const r = sudo('microk8s', 'enable', 'ingress')
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/cannot be reached/)
    expect(find(dir, 'DaemonSet', 'traefik', 'ingress')).toBeUndefined()
    expect(sudo('microk8s', 'enable', 'cert-manager').status).toBe(1)
  })

  it('the snap ships the downloading enable scripts of its branch, with their addresses', () => {
    const dir = sim({ installed: { channel: '1.36/stable' } })
    const script = fs.readFileSync(
      path.join(dir, 'root/snap/microk8s/current/addons/core/addons/ingress/enable'),
      'utf8'
    )
    expect(script).toMatch(/^REPO="http:\/\/127\.0\.0\.1:\d+\/traefik\/charts"$/m)
    expect(script).toMatch(/^GW_VERSION="v1\.5\.1"$/m)
    expect(fs.existsSync(path.join(dir, 'root/snap/microk8s/current/addons/core/addons/dashboard/enable'))).toBe(false)
  })

  it('metallb: BFD profiles, communities, BGP peers and (1.28–1.32) AddressPools go with its CRDs', () => {
    const dir = sim({ installed: { channel: '1.32/stable' }, addons: ['metallb:10.0.0.10-10.0.0.20'] })
    const ns = { namespace: 'metallb-system' }
    for (const [kind, apiVersion] of [
      ['BFDProfile', 'metallb.io/v1beta1'],
      ['Community', 'metallb.io/v1beta1'],
      ['BGPPeer', 'metallb.io/v1beta2'],
      ['AddressPool', 'metallb.io/v1beta1']
    ])
      expect(apply({ apiVersion, kind, metadata: { name: 'x', ...ns }, spec: {} }).status).toBe(0)
    expect(
      JSON.parse(kubectl('get', 'bgppeers.metallb.io', '-n', 'metallb-system', '-o', 'json').stdout).items[0].apiVersion
    ).toBe('metallb.io/v1beta2')
    expect(sudo('microk8s', 'disable', 'metallb').status).toBe(0)
    expect(objects(dir).filter((o) => String(o.apiVersion).startsWith('metallb.io/'))).toEqual([])
    expect(crdNames(dir)).toEqual([])
  })

  it('metallb: a disable whose crd.yaml lists a CRD the install lacks fails before deleting the namespace', () => {
    // Enabled from 1.32 (no ServiceL2Status), the active repository updated to 1.33's without cycling metallb.
    const dir = sim({ installed: { channel: '1.32/stable' }, addons: ['metallb:10.0.0.10-10.0.0.20'] })
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'sim-state.json'), 'utf8'))
    s.cluster.repoBranch = '1.33'
    fs.writeFileSync(path.join(dir, 'sim-state.json'), JSON.stringify(s))
    const r = sudo('microk8s', 'disable', 'metallb')
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/servicel2statuses\.metallb\.io" not found/)
    expect(find(dir, 'DaemonSet', 'speaker', 'metallb-system')).toBeDefined()
  })
})
