// 1.28 → 1.30 with the user's workloads on the cluster: hops, addon cycle, data, outputs and report.
import { describe, it, expect, beforeAll } from 'vitest'
import * as fs from 'node:fs'
import { run, commandLines, object, mutatingCommands } from './harness.js'
import { validateReport } from '../helpers/schema.js'
import type { ActionRun } from '../../scripts/run-action.mjs'

describe.concurrent(
  'upgrading a 1.28 cluster with dns, ingress, hostpath-storage, metrics-server and dashboard to 1.30',
  () => {
    let r: ActionRun
    let lines: string[]
    beforeAll(async () => {
      // always: every cyclable addon goes through the cycle (auto would leave the unchanged ones: see below).
      r = await run(
        'full-stack',
        {
          channel: '1.30/stable',
          addons: 'dns ingress hostpath-storage metrics-server dashboard',
          'cycle-addons': 'always'
        },
        { post: true }
      )
      lines = commandLines(r)
    })

    it('succeeds and sets the outputs', () => {
      expect(r.code, r.stdout + r.stderr).toBe(0)
      expect(r.outputs).toMatchObject({
        'version-before': 'v1.28.15',
        version: 'v1.30.14',
        'channel-before': '1.28/stable',
        channel: '1.30/stable',
        revision: '8248',
        hops: '1.29/stable,1.30/stable',
        upgraded: 'true',
        'cycled-addons': 'dns ingress hostpath-storage metrics-server dashboard'
      })
    })

    it('refreshes one minor at a time, each hop verified before the next, nothing else in between', () => {
      const first = lines.indexOf('snap refresh microk8s --channel=1.29/stable --classic')
      const second = lines.indexOf('snap refresh microk8s --channel=1.30/stable --classic')
      expect(first).toBeGreaterThan(-1)
      expect(second).toBeGreaterThan(first)
      expect(lines.slice(first + 1, second)).toEqual([
        'microk8s status --wait-ready --timeout 600 --format yaml',
        'microk8s kubectl version -o json',
        'microk8s kubectl get nodes -o json',
        'microk8s kubectl get daemonsets,deployments,pods -n kube-system -o json',
        // The deprecated APIs the 1.29 API server was asked for, read before the refresh restarts it.
        'microk8s kubectl get --raw /metrics'
      ])
      expect(r.report.hops.map((h: any) => [h.channel, h.status, h.serverVersion])).toEqual([
        ['1.29/stable', 'done', 'v1.29.15'],
        ['1.30/stable', 'done', 'v1.30.14']
      ])
    })

    it('holds auto-refresh before the first hop and releases it in the post step', () => {
      expect(lines.indexOf('snap refresh --hold microk8s')).toBeLessThan(
        lines.indexOf('snap refresh microk8s --channel=1.29/stable --classic')
      )
      expect(r.post?.code).toBe(0)
      expect(lines).toContain('snap refresh --unhold microk8s')
      expect(r.state.snap.held).toBe(false)
    })

    it('disables in the reverse of the enable order, updates the addon repository in between, never touches ha-cluster', () => {
      const disables = lines.filter((l) => l.startsWith('microk8s disable')).map((l) => l.split(' ')[2])
      const enables = lines.filter((l) => l.startsWith('microk8s enable')).map((l) => l.split(' ')[2].split(':')[0])
      expect(enables).toEqual(['dns', 'ingress', 'hostpath-storage', 'metrics-server', 'dashboard'])
      expect(disables).toEqual([...enables].reverse())
      const repoUpdate = lines.indexOf('microk8s addons repo update core')
      expect(repoUpdate).toBeGreaterThan(lines.lastIndexOf(lines.find((l) => l === 'microk8s disable dns')!))
      expect(repoUpdate).toBeLessThan(lines.indexOf('microk8s enable dns:1.1.1.1'))
      expect(lines.filter((l) => /ha-cluster|helm3? /.test(l) && /enable|disable/.test(l))).toEqual([])
      expect(r.state.cluster.flags['ha-cluster']).toBe(true)
    })

    it('waits for each addon to roll out before enabling the next', () => {
      const dnsEnable = lines.indexOf('microk8s enable dns:1.1.1.1')
      const ingressEnable = lines.indexOf('microk8s enable ingress')
      expect(lines.slice(dnsEnable, ingressEnable)).toContain(
        'microk8s kubectl rollout status deployment/coredns -n kube-system --timeout=600s'
      )
    })

    it('keeps the addons’ arguments and the customised Corefile', () => {
      const corefile = object(r, 'ConfigMap', 'kube-system', 'coredns').data.Corefile
      expect(corefile).toContain('forward . 1.1.1.1')
      expect(corefile).toContain('10.0.0.5 build-cache.internal')
      expect(r.report.dataChecks.find((c: any) => c.name === 'CoreDNS Corefile')).toMatchObject({
        before: 'customised',
        after: 'restored',
        ok: true
      })
    })

    it('loses no volume and no Helm release, and never answers yes to the storage prompt', () => {
      const disable = r.state.calls.find(
        (c: any) => c.tool === 'microk8s' && c.args.join(' ') === 'disable hostpath-storage'
      )
      expect(disable.exit).toBe(1) // the script's answer to "N": data kept
      expect(r.state.cluster.hostpathData.destroyed).toBe(false)
      for (const name of ['postgres-data', 'uploads']) {
        expect(
          r.state.cluster.objects.find((o: any) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === name)
            .status.phase
        ).toBe('Bound')
      }
      expect(r.report.dataChecks.map((c: any) => [c.name, c.before, c.after, c.ok, c.checked])).toEqual([
        ['PersistentVolumes', '2', '2', true, true],
        ['PersistentVolumeClaims bound', '2 of 2', '2 of 2', true, true],
        ['Helm releases (latest deployed revision)', '2', '2', true, true],
        ['CoreDNS Corefile', 'customised', 'restored', true, true],
        [
          'kube-dns Service IP and kubelet DNS arguments',
          'kube-dns 10.152.183.10; kubelet --cluster-dns=10.152.183.10 --cluster-domain=cluster.local',
          'kube-dns 10.152.183.10; kubelet --cluster-dns=10.152.183.10 --cluster-domain=cluster.local',
          true,
          true
        ],
        ['ingress ConfigMaps and Secrets', '3 ConfigMaps', '3 ConfigMaps', true, true],
        [
          'hostpath StorageClass',
          'reclaim Delete, default class not set',
          'reclaim Delete, default class true (set by the enable)',
          true,
          true
        ],
        ['addons kept as they were', 'ha-cluster, helm, helm3', 'ha-cluster, helm, helm3', true, true]
      ])
    })

    it('leaves the addons running what the 1.30 snap ships, and reports before and after', () => {
      const ingress = object(r, 'DaemonSet', 'ingress', 'nginx-ingress-microk8s-controller')
      expect(ingress.spec.template.spec.containers[0].image).toBe('registry.k8s.io/ingress-nginx/controller:v1.11.5')
      expect(
        r.report.changes.find((c: any) => c.component === 'registry.k8s.io/ingress-nginx/controller')
      ).toMatchObject({ before: 'v1.8.0', after: 'v1.11.5', state: 'upgraded' })
      expect(r.report.changes.find((c: any) => c.component === 'cdkbot/hostpath-provisioner')).toMatchObject({
        before: '1.4.2',
        after: '1.5.0',
        state: 'upgraded'
      })
      // Calico is not an addon and a refresh does not upgrade it; the 1.30 snap's manifest names what runs.
      expect(r.report.targetCalico).toBe('v3.25.1')
      expect(r.report.changes.find((c: any) => c.kind === 'cni' && c.component === 'calico/node')).toMatchObject({
        component: 'calico/node',
        before: 'v3.25.1',
        after: 'v3.25.1',
        state: 'unchanged',
        shipped: 'v3.25.1'
      })
      expect(r.report.warnings.join('\n')).not.toMatch(/Calico/)
    })

    it('reports each cycled addon’s downtime, from its disable to its rollout', () => {
      const downtime = (name: string) => r.report.addons.find((a: any) => a.name === name).durationMs
      for (const a of r.report.addons.filter((x: any) => x.status === 'cycled')) {
        expect(a.durationMs).toBeGreaterThan(0)
        expect(a.note).toMatch(/cycle-addons is 'always'/)
      }
      // dashboard is disabled first and enabled last: its downtime spans dns's (disabled last, enabled first).
      expect(downtime('dashboard')).toBeGreaterThan(downtime('dns'))
    })

    it('writes a report that validates, a summary with the headline, and a 0600 kubeconfig', () => {
      expect(validateReport(r.report)).toEqual([])
      expect(r.summary).toContain('MicroK8s v1.28.15 → v1.30.14 · 5 addons cycled · nothing lost')
      const kubeconfig = r.outputs.kubeconfig
      expect(fs.readFileSync(kubeconfig, 'utf8')).toContain('server: https://127.0.0.1:16443')
      expect(fs.statSync(kubeconfig).mode & 0o777).toBe(0o600)
    })

    it('reads the inventory in three microk8s calls', () => {
      const inventory = r.report.steps.find((s: any) => s.name === 'inventory')
      expect(inventory.status).toBe('ok')
      const after = lines.slice(lines.lastIndexOf('snap list microk8s'))
      expect(after.slice(1, 4)).toEqual([
        'microk8s status --format yaml',
        'microk8s kubectl version -o json',
        'microk8s kubectl get nodes,deployments,daemonsets,statefulsets,persistentvolumes,persistentvolumeclaims,pods,replicasets,poddisruptionbudgets -A -o json'
      ])
    })
  }
)

describe.concurrent('when nothing needs upgrading', () => {
  it('changes nothing and cycles nothing with cycle-addons: auto', async () => {
    // The active addon repository matches the snap's: nothing to cycle, nothing to update.
    const r = await run(
      'demo',
      { channel: '1.28/stable', 'hold-refresh': 'false' },
      { overrides: { installed: { channel: '1.28/stable', staleAddons: [] } } }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(mutatingCommands(r)).toEqual([])
    expect(commandLines(r).filter((l) => l.startsWith('git '))).toEqual([
      'git -C /var/snap/microk8s/common/addons/core ls-tree HEAD addons/',
      'git -C /snap/microk8s/current/addons/core ls-tree HEAD addons/'
    ])
    expect(r.report.addons.find((a: any) => a.name === 'dns')).toMatchObject({
      status: 'kept',
      note: "unchanged: the active addon repository matches the 1.28 snap's"
    })
    expect(r.outputs).toMatchObject({ upgraded: 'false', hops: '', 'cycled-addons': '' })
    expect(r.summary).toContain('MicroK8s v1.28.15 unchanged')
  })

  it('still cycles with cycle-addons: always, keeping data', async () => {
    const r = await run('demo', { channel: '1.28/stable', 'cycle-addons': 'always' })
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs['cycled-addons']).toBe('dns ingress hostpath-storage')
    expect(r.report.dataChecks.every((c: any) => c.ok)).toBe(true)
  })

  it('does not cycle with cycle-addons: never, and leaves the addon repository on the old branch', async () => {
    const r = await run('demo', { channel: '1.30/stable', 'cycle-addons': 'never' })
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs.hops).toBe('1.29/stable,1.30/stable')
    expect(commandLines(r).filter((l) => /enable|disable|repo update/.test(l))).toEqual([])
    expect(r.state.cluster.repoBranch).toBe('1.28')
    // never: the repositories are not read, and nothing is claimed about what the target ships.
    expect(commandLines(r).filter((l) => l.startsWith('git '))).toEqual([])
    expect(r.report.warnings.join('\n')).not.toMatch(/ships/)
  })
})

describe.concurrent('installing on a fresh runner', () => {
  it('installs the target channel, holds refreshes, enables the requested addons in order', async () => {
    const r = await run('fresh-runner', { channel: '1.30/stable', addons: 'hostpath-storage dns:9.9.9.9 ingress' })
    expect(r.code, r.stdout).toBe(0)
    const lines = commandLines(r)
    expect(lines).toContain('snap install microk8s --classic --channel=1.30/stable')
    expect(lines.indexOf('snap refresh --hold microk8s')).toBeGreaterThan(
      lines.indexOf('snap install microk8s --classic --channel=1.30/stable')
    )
    // dns comes with every install, forwarding to the host's resolvers: it is reconfigured with the upstream asked
    // for; the others are enabled after it, in dependency order.
    expect(lines.filter((l) => /^microk8s (enable|disable)/.test(l))).toEqual([
      'microk8s disable dns',
      'microk8s enable dns:9.9.9.9',
      'microk8s enable ingress',
      'microk8s enable hostpath-storage'
    ])
    expect(object(r, 'ConfigMap', 'kube-system', 'coredns').data.Corefile).toContain('forward . 9.9.9.9')
    expect(r.report.addons.find((a: any) => a.name === 'dns').note).toMatch(/reconfigured/)
    expect(r.outputs).toMatchObject({
      'version-before': '',
      version: 'v1.30.14',
      'channel-before': '',
      channel: '1.30/stable',
      // A fresh install is not a hop between versions, and nothing was upgraded.
      hops: '',
      upgraded: 'false'
    })
    expect(r.summary).toContain('MicroK8s v1.30.14 installed (1.30/stable)')
  })

  it('installs strict tracks without --classic', async () => {
    const r = await run('fresh-runner', { channel: '1.30-strict/stable' })
    expect(r.code, r.stdout).toBe(0)
    expect(commandLines(r)).toContain('snap install microk8s --channel=1.30-strict/stable')
  })
})

describe.concurrent('community addons', () => {
  it('are kept when unknown to the catalog, with the reason', async () => {
    const r = await run('community', { channel: '1.29/stable' })
    expect(r.code, r.stdout).toBe(0)
    const lines = commandLines(r)
    expect(lines.filter((l) => /^microk8s (enable|disable) argocd/.test(l))).toEqual([])
    expect(r.report.addons.find((a: any) => a.name === 'argocd')).toMatchObject({ status: 'kept' })
    expect(r.report.addons.find((a: any) => a.name === 'argocd').note).toMatch(
      /unknown to the catalog: its disable may delete data/
    )
    expect(lines.filter((l) => l.startsWith('microk8s enable')).length).toBeGreaterThan(0)
    // The check behind "nothing lost" for what was kept: still enabled afterwards.
    const kept = r.report.dataChecks.find((c: any) => c.name === 'addons kept as they were')
    expect(kept).toMatchObject({ ok: true, checked: true })
    expect(kept.after).toContain('argocd')
  })

  it('named in cycle-also are cycled after the known addons, and the report says their order was not known', async () => {
    const r = await run('community', { channel: '1.29/stable', 'cycle-also': 'argocd' })
    expect(r.code, r.stdout).toBe(0)
    const lines = commandLines(r)
    // auto: dns is unchanged between 1.28 and 1.29; ingress's directory is older than the branch's (staleAddons).
    expect(lines.filter((l) => l.startsWith('microk8s enable')).map((l) => l.split(' ')[2].split(':')[0])).toEqual([
      'ingress',
      'hostpath-storage',
      'argocd'
    ])
    expect(lines.filter((l) => l.startsWith('microk8s disable')).map((l) => l.split(' ')[2])).toEqual([
      'argocd',
      'hostpath-storage',
      'ingress'
    ])
    expect(r.report.addons.find((a: any) => a.name === 'argocd').note).toMatch(/named in cycle-also/)
    expect(lines).toContain('microk8s addons repo update community')
    expect(r.report.plan.notes.join()).toMatch(/dependency order of argocd is not known/)
  })
})

describe.concurrent('a hold the user already took', () => {
  it('is neither taken again nor released by the post step', async () => {
    const r = await run(
      'demo',
      { channel: '1.29/stable' },
      { overrides: { timeScale: 0.001, installed: { channel: '1.28/stable', held: true } }, post: true }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(commandLines(r).filter((l) => /--(un)?hold/.test(l))).toEqual([])
    expect(r.state.snap.held).toBe(true)
  })
})

describe.concurrent('credentials in debug mode', () => {
  it('never echoes the kubeconfig or Helm release records, even with ACTIONS_STEP_DEBUG, and masks the key', async () => {
    const r = await run(
      'demo',
      { channel: '1.28/stable' },
      { env: { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' }, overrides: { timeScale: 0.001 } }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(r.stdout).toContain('::debug::run: microk8s config')
    expect(r.stdout).toContain('"kind": "List"') // other reads are echoed in debug mode
    expect(r.stdout).not.toContain('client-key-data')
    expect(r.stdout).not.toContain('helm.sh/release.v1')
    expect(r.stdout).toContain('::add-mask::U0lNVUxBVE9SLUtFWQ==')
  })
})

describe.concurrent('a multi-node cluster', () => {
  it('is upgraded on this node only, with a warning saying so', async () => {
    const r = await run('multi-node', { channel: '1.29/stable' })
    expect(r.code, r.stdout).toBe(0)
    expect(r.stdout).toMatch(
      /::warning title=multi-node cluster::the cluster has 1 other node\(s\): worker-1 \(worker, kubelet v1\.28\.15\)\. This action refreshes only the node it runs on/
    )
    expect(r.report.warnings[0]).toMatch(/worker-1/)
    // The worker was left as it was; this node was verified on its own kubelet.
    expect(r.report.after.nodes.find((n: any) => n.name === 'worker-1').kubeletVersion).toBe('v1.28.15')
  })
})

describe.concurrent('a long way: 1.25 → 1.30', () => {
  it('takes five verified hops, and the pre-flight skips kinds the old server does not serve', async () => {
    const r = await run(
      'demo',
      { channel: '1.30/stable' },
      { overrides: { timeScale: 0.001, installed: { channel: '1.25/stable' } } }
    )
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs.hops).toBe('1.26/stable,1.27/stable,1.28/stable,1.29/stable,1.30/stable')
    expect(r.report.hops.map((h: any) => h.serverVersion)).toEqual([
      'v1.26.15',
      'v1.27.16',
      'v1.28.15',
      'v1.29.15',
      'v1.30.14'
    ])
    expect(r.report.warnings.join('\n')).toMatch(
      /pre-flight: the API server does not serve csistoragecapacities\.storage\.k8s\.io/
    )
    expect(r.report.dataChecks.every((c: any) => c.ok)).toBe(true)
  })
})
