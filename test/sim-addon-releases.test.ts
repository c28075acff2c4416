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
