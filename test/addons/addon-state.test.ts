import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  stateSpecs,
  stripServerFields,
  corefileWithUpstreams,
  hostpathArgs,
  metallbEnableRange,
  extraDefaultPool,
  checkObjects,
  checkLoadBalancers,
  checkStorageClass,
  loadBalancerIps,
  recoverArgs
} from '../../src/addons/state-specs.js'
import { addonHelmReleases, latestDeployed } from '../../src/addons/data-checks.js'
import { queryNamespace } from '../../src/addons/capture-restore.js'
import { DEFAULT_COREFILE } from '../../src/catalog/index.js'
import { CycleJournal, type JournalData } from '../../src/upgrade/journal.js'
import { headline, renderSummary } from '../../src/report/summary.js'
import { typicalUpgrade } from '../helpers/reports.js'
import { scriptedCmd } from '../helpers/fake-cmd.js'
import { MicroK8s } from '../../src/cluster/microk8s.js'
import { restoreAddonState } from '../../src/addons/capture-restore.js'
import { helmReleaseSecret } from '../../sim/lib/scenario.mjs'

const pool = (name: string, addresses: string[]) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: 'metallb-system' },
  spec: { addresses }
})

describe('which addon state is captured', () => {
  it('ingress ConfigMaps for the nginx releases (1.28–1.34), its Secrets on every release; MetalLB objects on every release', () => {
    expect(stateSpecs('ingress', 28).map((s) => s.what)).toEqual(['ingress ConfigMaps and Secrets'])
    expect(stateSpecs('ingress', 34)).toHaveLength(1)
    expect(stateSpecs('ingress', 35).flatMap((s) => s.objects.map((q) => q.resource))).toEqual(['secrets'])
    const metallb = (minor: number) => stateSpecs('metallb', minor).flatMap((s) => s.objects.map((q) => q.resource))
    expect(metallb(35)).toEqual([
      'ipaddresspools.metallb.io',
      'l2advertisements.metallb.io',
      'bgppeers.metallb.io',
      'bgpadvertisements.metallb.io',
      'bfdprofiles.metallb.io',
      'communities.metallb.io'
    ])
    // The legacy AddressPool only where the branch's crd.yaml defines it.
    expect(metallb(32)).toContain('addresspools.metallb.io')
    expect(metallb(33)).not.toContain('addresspools.metallb.io')
    expect(stateSpecs('dns', 30)).toEqual([])
  })

  it('keeps user Secrets, not service-account tokens or Helm records', () => {
    const secrets = stateSpecs('ingress', 30)[0].objects.find((q) => q.resource === 'secrets')!
    expect(secrets.keep!({ type: 'kubernetes.io/tls' })).toBe(true)
    expect(secrets.keep!({ type: 'kubernetes.io/service-account-token' })).toBe(false)
    expect(secrets.keep!({ type: 'helm.sh/release.v1' })).toBe(false)
  })

  it('re-applies objects without status, server metadata or the client-side apply record', () => {
    const o = stripServerFields({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'x',
        namespace: 'ingress',
        uid: 'u',
        resourceVersion: '7',
        creationTimestamp: 't',
        managedFields: [{}],
        labels: { a: 'b' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }
      },
      data: { k: 'v' },
      status: {}
    })
    expect(o).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'ingress', labels: { a: 'b' } },
      data: { k: 'v' }
    })
  })
})

describe('enable arguments read from what was captured', () => {
  it('hostpath-storage: only what differs from the defaults; default-class only where the enable takes it', () => {
    expect(hostpathArgs({ reclaimPolicy: 'Retain', defaultClass: 'false' }, 30)).toBe(
      'reclaim-policy=Retain,default-class=false'
    )
    expect(hostpathArgs({ reclaimPolicy: 'Retain', defaultClass: 'false' }, 28)).toBe('reclaim-policy=Retain')
    expect(hostpathArgs({ reclaimPolicy: 'Delete', defaultClass: 'true' }, 30)).toBeUndefined()
  })

  it('metallb: the range of default-addresspool (which the enable makes), else of the first pool', () => {
    const pools = [pool('reserved', ['10.0.1.0/28']), pool('default-addresspool', ['10.0.0.1-10.0.0.9', '10.0.2.0/30'])]
    expect(metallbEnableRange(pools)).toBe('10.0.0.1-10.0.0.9,10.0.2.0/30')
    expect(metallbEnableRange([pools[0]])).toBe('10.0.1.0/28')
    expect(metallbEnableRange([])).toBeUndefined()
    expect(extraDefaultPool(pools)).toBe(false)
    expect(extraDefaultPool([pools[0]])).toBe(true)
  })

  it('recovers the flags into the plan input, pools no longer flattened into one range', () => {
    const captured = {
      objects: { metallb: [pool('default-addresspool', ['10.0.0.1-10.0.0.9']), pool('b', ['10.0.1.0/28'])] },
      storageClass: { reclaimPolicy: 'Retain', defaultClass: 'true' }
    }
    const rec = recoverArgs(['metallb', 'hostpath-storage'], [], captured, 30)
    expect(rec.get('metallb')?.args).toBe('10.0.0.1-10.0.0.9')
    expect(rec.get('hostpath-storage')).toMatchObject({ args: 'reclaim-policy=Retain' })
  })

  it('dns: the requested upstreams replace the forward targets, the rest of the Corefile kept', () => {
    const custom = DEFAULT_COREFILE.replace('$NAMESERVERS', '1.1.1.1 8.8.8.8').replace(
      '    cache 30',
      '    hosts {\n      10.0.0.5 cache.internal\n    }\n    cache 30'
    )
    const out = corefileWithUpstreams(custom, '9.9.9.9,149.112.112.112')
    expect(out).toContain('    forward . 9.9.9.9 149.112.112.112\n')
    expect(out).toContain('10.0.0.5 cache.internal')
    expect(corefileWithUpstreams('forward . 1.1.1.1 {\n  max_concurrent 10\n}\n', '9.9.9.9')).toBe(
      'forward . 9.9.9.9 {\n  max_concurrent 10\n}\n'
    )
  })
})

describe('checks', () => {
  const cm = (data: Record<string, string>) => ({
    kind: 'ConfigMap',
    metadata: { name: 'nginx-load-balancer-microk8s-conf', namespace: 'ingress' },
    data
  })

  it('an object missing or changed fails its check, naming it; one that could not be read is not checked', () => {
    expect(checkObjects('ingress', [cm({ a: '1' })], [cm({ a: '1' })])).toMatchObject({ ok: true, checked: true })
    expect(checkObjects('ingress', [cm({ a: '1' })], [cm({})])).toMatchObject({
      ok: false,
      checked: true,
      detail: 'missing or changed: ConfigMap ingress/nginx-load-balancer-microk8s-conf'
    })
    expect(checkObjects('ingress', [cm({ a: '1' })], undefined)).toMatchObject({ ok: false, checked: false })
  })

  it('a LoadBalancer Service whose IP changed fails the check', () => {
    const svc = (ip: string) => ({
      kind: 'Service',
      metadata: { namespace: 'web', name: 'web' },
      spec: { type: 'LoadBalancer' },
      status: { loadBalancer: { ingress: [{ ip }] } }
    })
    const before = loadBalancerIps([svc('10.0.0.5')])
    expect(checkLoadBalancers(before, loadBalancerIps([svc('10.0.0.5')])).ok).toBe(true)
    expect(checkLoadBalancers(before, loadBalancerIps([svc('10.0.0.6')]))).toMatchObject({
      ok: false,
      detail: 'lost or changed their IP: web/web'
    })
  })

  it('the reclaim policy must come back; a 1.28 class without the annotation accepts the new default', () => {
    expect(
      checkStorageClass({ reclaimPolicy: 'Retain' }, { reclaimPolicy: 'Delete', defaultClass: 'true' }, 30).ok
    ).toBe(false)
    expect(
      checkStorageClass({ reclaimPolicy: 'Retain' }, { reclaimPolicy: 'Retain', defaultClass: 'true' }, 30).ok
    ).toBe(true)
    expect(
      checkStorageClass(
        { reclaimPolicy: 'Delete', defaultClass: 'false' },
        { reclaimPolicy: 'Delete', defaultClass: 'true' },
        30
      ).ok
    ).toBe(false)
  })

  it('shows the same fields before and after, and says when the enable set the default-class annotation', () => {
    const check = checkStorageClass({ reclaimPolicy: 'Delete' }, { reclaimPolicy: 'Delete', defaultClass: 'true' }, 30)
    const fields = (text: string) => [...text.matchAll(/(reclaim|default class) /g)].map((m) => m[1])
    expect(fields(check.before)).toEqual(['reclaim', 'default class'])
    expect(fields(check.after)).toEqual(fields(check.before))
    expect(check).toMatchObject({
      before: 'reclaim Delete, default class not set',
      after: 'reclaim Delete, default class true (set by the enable)',
      ok: true
    })
    const kept = checkStorageClass(
      { reclaimPolicy: 'Retain', defaultClass: 'false' },
      { reclaimPolicy: 'Retain', defaultClass: 'false' },
      30
    )
    expect(kept.after).toBe(kept.before)
  })

  it('Helm: the latest deployed revision per release; releases of cycled addons are theirs', () => {
    const secrets = [
      helmReleaseSecret({
        name: 'shop',
        namespace: 'web',
        revision: 1,
        chartVersion: '1.0.0',
        status: 'superseded',
        manifest: ''
      }),
      helmReleaseSecret({
        name: 'shop',
        namespace: 'web',
        revision: 2,
        chartVersion: '1.1.0',
        status: 'deployed',
        manifest: ''
      }),
      helmReleaseSecret({
        name: 'shop',
        namespace: 'web',
        revision: 3,
        chartVersion: '1.2.0',
        status: 'failed',
        manifest: ''
      }),
      helmReleaseSecret({
        name: 'kubernetes-dashboard',
        namespace: 'kubernetes-dashboard',
        chartVersion: '7.11.1',
        manifest: ''
      })
    ]
    expect(addonHelmReleases(['dashboard', 'dns'], ['1.32', '1.33'])).toEqual([
      { namespace: 'kubernetes-dashboard', name: 'kubernetes-dashboard' }
    ])
    expect(latestDeployed(secrets, addonHelmReleases(['dashboard'], ['1.33']))).toEqual([
      { namespace: 'web', name: 'shop', chart: 'shop-1.1.0', revision: 2 }
    ])
    expect(latestDeployed(secrets).map((r) => r.name)).toEqual(['kubernetes-dashboard', 'shop'])
  })

  it('the headline claims only what was checked, and the summary shows a check that could not run', () => {
    const r = typicalUpgrade()
    r.dataChecks.push({ name: 'LoadBalancer Service IPs', before: '1', after: 'not read', ok: false, checked: false })
    expect(headline(r)).toContain('nothing lost · not checked: LoadBalancer Service IPs')
    expect(renderSummary(r, { limit: 1 << 20 })).toContain('not checked')
    r.dataChecks = r.dataChecks.filter((c) => c.checked === false)
    expect(headline(r)).not.toContain('nothing lost')
  })
})

describe('the cycle journal', () => {
  const data = (): JournalData => ({
    version: 1,
    startedAt: 't',
    channel: '1.30/stable',
    toRelease: '1.30',
    reportFile: '/tmp/r.json',
    waitTimeout: 600,
    repos: ['core'],
    reposUpdated: false,
    steps: [{ name: 'dns', args: '1.1.1.1', argsSource: 'recovered' }],
    addonStates: { dns: 'up' },
    captured: { objects: {}, corefile: 'x' }
  })

  it('is written 0600, updated by rename, and read back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-'))
    const j = await CycleJournal.create(dir, data())
    expect(fs.statSync(j.file).mode & 0o777).toBe(0o600)
    await j.mark('dns', 'down')
    expect(fs.statSync(j.file).mode & 0o777).toBe(0o600)
    expect((await CycleJournal.read(j.file))?.data.addonStates).toEqual({ dns: 'down' })
    expect(fs.readdirSync(dir)).toEqual([path.basename(j.file)])
    await j.remove()
    expect(await CycleJournal.read(j.file)).toBeUndefined()
  })

  it('is not read through a symlink', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-'))
    const j = await CycleJournal.create(dir, data())
    const link = path.join(dir, 'link.json')
    fs.symlinkSync(j.file, link)
    await expect(CycleJournal.read(link)).rejects.toThrow(/ELOOP|symbolic link/)
  })
})

describe('putting captured state back', () => {
  const l2 = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name: 'l2', namespace: 'metallb-system' }
  }

  it('metallb: deletes the pool the enable made when the user had none (it overlaps theirs), then re-applies theirs', async () => {
    const cmd = scriptedCmd([])
    const microk8s = new MicroK8s(cmd, { waitTimeout: 5 })
    const done = await restoreAddonState(microk8s, 'metallb', {
      objects: { metallb: [pool('reserved', ['10.0.1.0/28']), l2] }
    })
    expect(cmd.calls.map((c) => c.slice(1, 4).join(' '))).toEqual([
      'kubectl delete ipaddresspools.metallb.io',
      'kubectl apply --server-side'
    ])
    expect(cmd.calls[0]).toContain('default-addresspool')
    expect(done).toBe('removed the pool the enable created; re-applied 2 captured object(s)')
  })

  it('keeps default-addresspool when the user had it', async () => {
    const cmd = scriptedCmd([])
    const objects = { metallb: [pool('default-addresspool', ['10.0.0.1-10.0.0.9'])] }
    await restoreAddonState(new MicroK8s(cmd, { waitTimeout: 5 }), 'metallb', { objects })
    expect(cmd.calls.map((c) => c[2])).toEqual(['apply'])
  })

  it('a failed apply is an error, not a silent skip', async () => {
    const cmd = scriptedCmd([{ code: 1, stderr: 'Error from server (InternalError)' }])
    const objects = { metallb: [pool('default-addresspool', ['10.0.0.1-10.0.0.9'])] }
    await expect(restoreAddonState(new MicroK8s(cmd, { waitTimeout: 5 }), 'metallb', { objects })).rejects.toThrow(
      /exited with code 1/
    )
  })

  it('secrets are applied without their output ever echoed', async () => {
    const cmd = scriptedCmd([])
    const run = cmd.run.bind(cmd)
    const options: unknown[] = []
    cmd.run = async (file, args, o) => {
      options.push(o)
      return run(file, args, o)
    }
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 't', namespace: 'ingress' },
      data: { k: 'dg==' }
    }
    await restoreAddonState(new MicroK8s(cmd, { waitTimeout: 5 }), 'ingress', { objects: { ingress: [secret] } })
    expect(options[0]).toMatchObject({ secret: true })
  })
})

describe('reading what a disable deletes, one get per namespace', () => {
  const list = (...items: object[]) => ({ code: 0, stdout: JSON.stringify({ items }) })
  const mk = (cmd: ReturnType<typeof scriptedCmd>) => new MicroK8s(cmd, { waitTimeout: 5 })

  it('reads ConfigMaps and Secrets of one namespace in one call and gives each query its own kind', async () => {
    const cmd = scriptedCmd([
      list(
        { kind: 'ConfigMap', metadata: { name: 'nginx-load-balancer-microk8s-conf' } },
        { kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' } },
        { kind: 'Secret', metadata: { name: 'tls' } }
      )
    ])
    const found = await queryNamespace(mk(cmd), [
      { resource: 'configmaps', namespace: 'ingress', names: ['nginx-load-balancer-microk8s-conf'] },
      { resource: 'secrets', namespace: 'ingress' }
    ])
    expect(cmd.calls).toEqual([['microk8s', 'kubectl', 'get', 'configmaps,secrets', '-n', 'ingress', '-o', 'json']])
    expect(found.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/nginx-load-balancer-microk8s-conf',
      'Secret/tls'
    ])
  })

  it('reads each kind on its own when one CRD is not served, and finds none of that one', async () => {
    const unserved = { code: 1, stderr: 'error: the server doesn\'t have a resource type "bgppeers"' }
    const cmd = scriptedCmd([unserved, list({ kind: 'IPAddressPool', metadata: { name: 'a' } }), unserved])
    const found = await queryNamespace(mk(cmd), [
      { resource: 'ipaddresspools.metallb.io', namespace: 'metallb-system', crd: true },
      { resource: 'bgppeers.metallb.io', namespace: 'metallb-system', crd: true }
    ])
    expect(cmd.calls).toHaveLength(3)
    expect(found.map((o) => o.metadata.name)).toEqual(['a'])
  })

  it('fails on any other error: a failed read is never "nothing there"', async () => {
    const cmd = scriptedCmd([{ code: 1, stderr: 'The connection to the server 127.0.0.1:16443 was refused' }])
    await expect(
      queryNamespace(mk(cmd), [
        { resource: 'configmaps', namespace: 'ingress' },
        { resource: 'secrets', namespace: 'ingress' }
      ])
    ).rejects.toThrow(/exited with code 1/)
  })
})
