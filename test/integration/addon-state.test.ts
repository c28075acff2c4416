// What the addons' disables delete is captured before the cycle, put back after it and checked: ingress
// ConfigMaps and Secrets, MetalLB pools/advertisements and Service IPs, the hostpath reclaim policy, the
// Corefile (with requested upstreams), and every read the plan needs retried or the run stopped before a change.
import { describe, it, expect, beforeAll } from 'vitest'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { run, commandLines, mutatingCommands, object } from './harness.js'
import { validateReport } from '../helpers/schema.js'
import type { ActionRun } from '../../scripts/run-action.mjs'

const corefileOf = (r: ActionRun) => object(r, 'ConfigMap', 'kube-system', 'coredns')?.data.Corefile as string
const check = (r: ActionRun, name: string) => r.report.dataChecks.find((c: any) => c.name === name)
const METALLB_CHECK = 'MetalLB pools, advertisements, BGP peers, BFD profiles and communities'
const lbIp = (r: ActionRun, ns: string, name: string) =>
  object(r, 'Service', ns, name)?.status?.loadBalancer?.ingress?.[0]?.ip

describe('cycling addons whose disables delete user settings (1.28 → 1.30)', () => {
  let r: ActionRun
  let lines: string[]
  beforeAll(async () => {
    // always: every addon goes through the cycle (auto cycles only the directories that changed).
    r = await run('addon-state', { channel: '1.30/stable', 'cycle-addons': 'always' })
    lines = commandLines(r)
  })

  it('succeeds, with a report that validates', () => {
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(validateReport(r.report)).toEqual([])
  })

  it('keeps the edited ingress ConfigMaps and the TLS Secret in namespace ingress', () => {
    expect(lines).toContain('microk8s disable ingress')
    expect(object(r, 'ConfigMap', 'ingress', 'nginx-load-balancer-microk8s-conf').data).toEqual({
      'proxy-body-size': '64m',
      'use-forwarded-headers': 'true'
    })
    expect(object(r, 'ConfigMap', 'ingress', 'nginx-ingress-tcp-microk8s-conf').data).toEqual({
      '5432': 'db/postgres:5432'
    })
    const tls = object(r, 'Secret', 'ingress', 'default-tls')
    expect(tls.type).toBe('kubernetes.io/tls')
    expect(tls.data['tls.key']).toBe('a2V5')
    expect(lines).toContain('microk8s enable ingress:default-ssl-certificate=ingress/default-tls')
    expect(check(r, 'ingress ConfigMaps and Secrets')).toMatchObject({ ok: true, checked: true })
  })

  it('re-applies both MetalLB pools and the L2Advertisement; every LoadBalancer Service keeps its IP', () => {
    // The enable needs a range: the default pool's; the other pools are re-applied as they were.
    expect(lines).toContain('microk8s enable metallb:10.64.140.43-10.64.140.49')
    expect(object(r, 'IPAddressPool', 'metallb-system', 'default-addresspool').spec.addresses).toEqual([
      '10.64.140.43-10.64.140.49'
    ])
    expect(object(r, 'IPAddressPool', 'metallb-system', 'reserved').spec).toEqual({
      addresses: ['10.64.150.0/28'],
      autoAssign: false
    })
    expect(object(r, 'L2Advertisement', 'metallb-system', 'all-pools').spec.ipAddressPools).toEqual([
      'default-addresspool',
      'reserved'
    ])
    expect(lbIp(r, 'web', 'web')).toBe('10.64.140.45')
    expect(lbIp(r, 'db', 'postgres-public')).toBe('10.64.150.5')
    expect(check(r, METALLB_CHECK)).toMatchObject({ ok: true, checked: true })
    expect(check(r, 'LoadBalancer Service IPs')).toMatchObject({ ok: true, checked: true })
  })

  it('re-applies the BGP and BFD settings and the legacy AddressPool, which the 1.28 disable deletes with the CRDs', () => {
    // The 1.28 disable deleted them: each is back with its content, and the check counts every kind.
    expect(object(r, 'BFDProfile', 'metallb-system', 'fast').spec.receiveInterval).toBe(300)
    expect(object(r, 'Community', 'metallb-system', 'communities').spec.communities[0].value).toBe('65535:65281')
    expect(object(r, 'BGPPeer', 'metallb-system', 'tor').spec).toMatchObject({ peerASN: 64513, bfdProfile: 'fast' })
    expect(object(r, 'BGPAdvertisement', 'metallb-system', 'reserved-bgp').spec.communities).toEqual(['no-export'])
    expect(object(r, 'AddressPool', 'metallb-system', 'legacy').spec.addresses).toEqual(['10.64.160.0/29'])
    const before = check(r, METALLB_CHECK).before
    for (const kind of ['1 BFDProfile', '1 Community', '1 BGPPeer', '1 BGPAdvertisement', '1 AddressPool'])
      expect(before).toContain(kind)
    expect(check(r, METALLB_CHECK).after).toBe(before)
  })

  it('enables hostpath-storage again with its Retain reclaim policy', () => {
    expect(lines).toContain('microk8s enable hostpath-storage --reclaim-policy Retain')
    expect(object(r, 'StorageClass', undefined, 'microk8s-hostpath').reclaimPolicy).toBe('Retain')
    expect(check(r, 'hostpath StorageClass')).toMatchObject({
      ok: true,
      before: 'reclaim Retain, default class not set'
    })
    expect(r.state.cluster.hostpathData.destroyed).toBe(false)
  })

  it('compares the Helm release by its latest deployed revision', () => {
    expect(check(r, 'Helm releases (latest deployed revision)')).toMatchObject({ before: '1', after: '1', ok: true })
  })

  it('names every check behind "nothing lost"', () => {
    expect(r.summary).toContain('· nothing lost')
    for (const name of [
      'PersistentVolumes',
      'PersistentVolumeClaims bound',
      'Helm releases (latest deployed revision)',
      'CoreDNS Corefile',
      'ingress ConfigMaps and Secrets',
      METALLB_CHECK,
      'LoadBalancer Service IPs',
      'hostpath StorageClass'
    ])
      expect(r.summary).toContain(name)
  })
})

describe('hostpath-storage enabled on 1.29 with Retain and not as the default class', () => {
  it('is enabled again with both options, and the check compares both', async () => {
    const r = await run(
      'demo',
      // always: hostpath-storage's directory is the same on 1.29 and 1.30, so auto would keep it.
      { channel: '1.30/stable', 'never-cycle': 'dns ingress', 'cycle-addons': 'always' },
      {
        overrides: {
          timeScale: 0.001,
          installed: { channel: '1.29/stable' },
          addons: ['dns', 'ingress', 'hostpath-storage --reclaim-policy=Retain --default-class=false']
        }
      }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(commandLines(r)).toContain('microk8s enable hostpath-storage --reclaim-policy Retain --default-class false')
    const sc = object(r, 'StorageClass', undefined, 'microk8s-hostpath')
    expect(sc.reclaimPolicy).toBe('Retain')
    expect(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('false')
    expect(check(r, 'hostpath StorageClass')).toMatchObject({
      before: 'reclaim Retain, default class false',
      after: 'reclaim Retain, default class false',
      ok: true
    })
  })
})

describe('dns:9.9.9.9 asked over a customised Corefile', () => {
  it('keeps the customisation with the requested upstreams, and says so', async () => {
    const r = await run('addon-state', { channel: '1.28/stable', addons: 'dns:9.9.9.9' })
    expect(r.code, r.stdout).toBe(0)
    expect(commandLines(r)).toContain('microk8s enable dns:9.9.9.9')
    const corefile = corefileOf(r)
    expect(corefile).toContain('10.0.0.5 build-cache.internal')
    expect(corefile).toMatch(/forward \. 9\.9\.9\.9\n/)
    expect(corefile).not.toContain('1.1.1.1')
    expect(check(r, 'CoreDNS Corefile')).toMatchObject({ ok: true, after: 'restored, upstreams 9.9.9.9 as requested' })
    expect(r.report.addons.find((a: any) => a.name === 'dns').note).toContain(
      'customised Corefile restored with the requested upstreams 9.9.9.9'
    )
  })

  it('when the enable with the new upstreams fails, enables dns again with the ones that ran before', async () => {
    const r = await run(
      'addon-state',
      { channel: '1.28/stable', addons: 'dns:9.9.9.9' },
      {
        overrides: {
          faults: [
            {
              match: '^microk8s enable dns:9\\.9\\.9\\.9$',
              exit: 1,
              stdout: 'Your input value (9.9.9.9) is not a valid and reachable IP address'
            }
          ]
        }
      }
    )
    expect(r.code).toBe(1)
    const enables = commandLines(r).filter((l) => l.startsWith('microk8s enable dns'))
    expect(enables).toEqual(['microk8s enable dns:9.9.9.9', 'microk8s enable dns:1.1.1.1'])
    expect(corefileOf(r)).toContain('build-cache.internal')
    expect(corefileOf(r)).toMatch(/forward \. 1\.1\.1\.1\n/)
    expect(r.report.failure.message).toContain('dns: re-enabled with its previous arguments (1.1.1.1)')
  })
})

describe('a read the plan depends on fails', () => {
  const corefileRead = 'microk8s kubectl get configmap coredns -n kube-system -o json'
  const unreachable = { exit: 1, stderr: 'Unable to connect to the server: net/http: TLS handshake timeout' }

  it('once: it is read again and the run goes on, the customisation kept', async () => {
    // Only dns is cycled, to keep the run short.
    const r = await run(
      'demo',
      { channel: '1.28/stable', 'cycle-addons': 'always', 'never-cycle': 'ingress hostpath-storage' },
      {
        overrides: {
          timeScale: 0.001,
          faults: [{ match: '^microk8s kubectl get configmap coredns ', times: 1, ...unreachable }]
        }
      }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(commandLines(r).filter((l) => l === corefileRead).length).toBeGreaterThanOrEqual(2)
    expect(corefileOf(r)).toContain('build-cache.internal')
    expect(check(r, 'CoreDNS Corefile')).toMatchObject({ ok: true, after: 'restored' })
  })

  it('every time: the run stops before any change, naming what could not be read', async () => {
    const r = await run(
      'demo',
      { channel: '1.29/stable' },
      {
        overrides: {
          timeScale: 0.001,
          faults: [{ match: '^microk8s kubectl get configmap coredns ', times: 99, ...unreachable }]
        }
      }
    )
    expect(r.code).toBe(1)
    expect(mutatingCommands(r)).toEqual([])
    expect(r.report.failure.message).toMatch(/could not read the CoreDNS ConfigMap .*stopped before any change/)
    expect(r.report.failure.clusterState).toMatch(/not touched/)
    expect(validateReport(r.report)).toEqual([])
  })
})

describe('a job stopped in the middle of the addon cycle', () => {
  let r: ActionRun
  let report: any
  beforeAll(async () => {
    // Killed (SIGKILL, with every process it started) once the last disable has completed; the repository update
    // that follows is slow enough that the kill lands before it. Then the post step runs as the runner runs it.
    r = await run(
      'addon-state',
      { channel: '1.30/stable', 'cycle-addons': 'always' },
      {
        post: true,
        interruptAfter: '^microk8s disable dns$',
        overrides: { latency: { microk8s: 1, 'microk8s enable': 8, 'microk8s disable': 5, 'microk8s addons': 300 } }
      }
    )
    const file = path.join(r.files.temp, 'microk8s-report.json')
    report = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined
  })

  it('was killed after every disable and before the enables', () => {
    expect(r.signal).toBe('SIGKILL')
    const lines = commandLines(r)
    const killedAt = lines.indexOf('microk8s disable dns')
    expect(killedAt).toBeGreaterThan(-1)
    // Everything after the kill is the post step's: it starts by waiting for the cluster.
    expect(lines.slice(0, killedAt).filter((l) => l.startsWith('microk8s enable'))).toEqual([])
    expect(r.savedState['cycle-journal']).toMatch(/microk8s-upgrade-cycle-[0-9a-f]+\.json$/)
  })

  it('the post step enables every addon again with its arguments and restores what the disables deleted', () => {
    expect(r.post?.code, r.post?.stdout).toBe(0)
    const lines = commandLines(r)
    expect(lines).toContain('microk8s addons repo update core')
    for (const enable of [
      'microk8s enable dns:1.1.1.1',
      'microk8s enable ingress:default-ssl-certificate=ingress/default-tls',
      'microk8s enable hostpath-storage --reclaim-policy Retain',
      'microk8s enable metallb:10.64.140.43-10.64.140.49'
    ])
      expect(lines).toContain(enable)
    expect(r.state.cluster.repoBranch).toBe('1.30')
    expect(corefileOf(r)).toContain('10.0.0.5 build-cache.internal')
    expect(object(r, 'ConfigMap', 'ingress', 'nginx-load-balancer-microk8s-conf').data['proxy-body-size']).toBe('64m')
    expect(object(r, 'Secret', 'ingress', 'default-tls')).toBeDefined()
    expect(object(r, 'IPAddressPool', 'metallb-system', 'reserved')).toBeDefined()
    expect(object(r, 'L2Advertisement', 'metallb-system', 'all-pools')).toBeDefined()
    expect(lbIp(r, 'db', 'postgres-public')).toBe('10.64.150.5')
    expect(object(r, 'BGPPeer', 'metallb-system', 'tor').spec.bfdProfile).toBe('fast')
    expect(object(r, 'BFDProfile', 'metallb-system', 'fast')).toBeDefined()
    expect(object(r, 'StorageClass', undefined, 'microk8s-hostpath').reclaimPolicy).toBe('Retain')
  })

  it('keeps the volumes, releases the hold and removes the journal', () => {
    expect(object(r, 'PersistentVolumeClaim', 'db', 'postgres-data').status.phase).toBe('Bound')
    expect(r.state.cluster.hostpathData.destroyed).toBe(false)
    expect(commandLines(r)).toContain('snap refresh --unhold microk8s')
    expect(r.state.snap.held).toBe(false)
    expect(fs.readdirSync(r.files.temp).filter((f) => f.startsWith('microk8s-upgrade-cycle'))).toEqual([])
  })

  it('says in the summary and the JSON report that the run was interrupted and what it restored', () => {
    expect(r.summary).toContain('Interrupted: the run stopped in the middle of the addon cycle')
    for (const name of ['dns', 'ingress', 'hostpath-storage', 'metallb'])
      expect(r.summary).toContain(`<code>${name}</code>`)
    expect(report.status).toBe('failure')
    expect(report.interrupted.cause).toBe('interrupted')
    expect(report.interrupted.addons.map((a: any) => [a.name, a.result])).toEqual([
      ['dns', 'restored'],
      ['ingress', 'restored'],
      ['hostpath-storage', 'restored'],
      ['metallb', 'restored']
    ])
    expect(report.interrupted.addons.find((a: any) => a.name === 'dns').detail).toContain(
      'customised Corefile restored'
    )
    expect(validateReport(report)).toEqual([])
  })
})

describe('a cycle whose recovery leaves an addon down', () => {
  it('is tried again by the post step, which says so', async () => {
    const r = await run(
      'demo',
      { channel: '1.28/stable', 'cycle-addons': 'always', 'never-cycle': 'hostpath-storage' },
      {
        post: true,
        overrides: {
          timeScale: 0.001,
          faults: [{ match: '^microk8s enable ingress$', times: 2, exit: 1, stdout: 'Failed to enable ingress' }]
        }
      }
    )
    expect(r.code).toBe(1)
    expect(r.report.addons.find((a: any) => a.name === 'ingress').status).toBe('failed')
    expect(r.post?.code, r.post?.stdout).toBe(0)
    expect(commandLines(r).filter((l) => l === 'microk8s enable ingress')).toHaveLength(3)
    expect(object(r, 'DaemonSet', 'ingress', 'nginx-ingress-microk8s-controller')).toBeDefined()
    const report = JSON.parse(fs.readFileSync(r.outputs['report-file'], 'utf8'))
    expect(report.interrupted).toMatchObject({ cause: 'failed', addons: [{ name: 'ingress', result: 'restored' }] })
    expect(r.summary).toContain('Unfinished: the addon cycle failed and left addons down')
    expect(validateReport(report)).toEqual([])
  })
})
