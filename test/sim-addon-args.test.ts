// The simulator's dns, metallb and nvidia scripts against what the upstream ones do per branch
// (canonical/microk8s-core-addons addons/{dns,metallb,nvidia}/{enable,disable}; docs/addon-catalog.md, addon-state.md):
// dns's Service IP and cluster domain and the kubelet arguments its enable sets and its disable removes, the
// MetalLB range forms each branch accepts, and what nvidia's disable deletes.
import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { sim, runSim, state } from './helpers/sim.js'
import { metallbRanges } from '../sim/lib/addon-args.mjs'

const kubeletArgs = (dir: string) =>
  fs.readFileSync(path.join(dir, 'root/var/snap/microk8s/current/args/kubelet'), 'utf8')
const find = (dir: string, kind: string, name: string) =>
  state(dir).cluster.objects.find((o: any) => o.kind === kind && o.metadata.name === name)

describe('simulated dns: Service IP, cluster domain and the kubelet arguments', () => {
  it('a fresh install points the kubelet at 10.152.183.10 in cluster.local', () => {
    const dir = sim({ installed: { channel: '1.30/stable' } })
    expect(find(dir, 'Service', 'kube-dns').spec.clusterIP).toBe('10.152.183.10')
    expect(kubeletArgs(dir)).toMatch(/^--cluster-dns=10\.152\.183\.10$/m)
    expect(kubeletArgs(dir)).toMatch(/^--cluster-domain=cluster\.local$/m)
  })

  it('the disable removes both kubelet arguments; the enable with $2 puts the Service and the kubelet there', () => {
    const dir = sim({ installed: { channel: '1.28/stable' } })
    expect(runSim(['microk8s', 'disable', 'dns']).status).toBe(0)
    expect(kubeletArgs(dir)).not.toMatch(/--cluster-dns|--cluster-domain/)
    expect(kubeletArgs(dir)).toContain('--fail-swap-on=false')
    expect(find(dir, 'Service', 'kube-dns')).toBeUndefined()
    expect(runSim(['microk8s', 'enable', 'dns', '1.1.1.1', '10.152.183.20']).status).toBe(0)
    expect(find(dir, 'Service', 'kube-dns').spec.clusterIP).toBe('10.152.183.20')
    expect(kubeletArgs(dir).split('\n')[0]).toMatch(/^--cluster-(dns|domain)=/)
    expect(kubeletArgs(dir)).toMatch(/^--cluster-dns=10\.152\.183\.20$/m)
  })

  it('a third argument sets the cluster domain from 1.33 and is ignored before', () => {
    for (const [channel, domain] of [
      ['1.32/stable', 'cluster.local'],
      ['1.33/stable', 'corp.local']
    ]) {
      const dir = sim({ installed: { channel } })
      runSim(['microk8s', 'disable', 'dns'])
      expect(runSim(['microk8s', 'enable', 'dns', '1.1.1.1', '10.152.183.10', 'corp.local']).status).toBe(0)
      expect(kubeletArgs(dir)).toMatch(new RegExp(`^--cluster-domain=${domain.replace('.', '\\.')}$`, 'm'))
      expect(find(dir, 'ConfigMap', 'coredns').data.Corefile).toContain(`kubernetes ${domain} in-addr.arpa`)
    }
  })

  it('without $2 on a custom service range the Service gets an address Kubernetes allocates, not .10', () => {
    const dir = sim({ installed: { channel: '1.30/stable' } })
    const apiserver = path.join(dir, 'root/var/snap/microk8s/current/args/kube-apiserver')
    fs.writeFileSync(apiserver, '--service-cluster-ip-range=10.153.183.0/24\n')
    runSim(['microk8s', 'disable', 'dns'])
    expect(runSim(['microk8s', 'enable', 'dns']).status).toBe(0)
    const ip = find(dir, 'Service', 'kube-dns').spec.clusterIP
    expect(ip).toMatch(/^10\.153\.183\./)
    expect(kubeletArgs(dir)).toContain(`--cluster-dns=${ip}\n`)
  })
})

describe('simulated metallb: the range forms each branch accepts', () => {
  it('1.28–1.30 take IPv4 ranges and CIDRs only; from 1.31 IPv6 written from its first group', () => {
    expect(metallbRanges('1.30', '10.0.0.1-10.0.0.9,192.168.0.0/28')).toEqual({
      ranges: ['10.0.0.1-10.0.0.9', '192.168.0.0/28']
    })
    expect(metallbRanges('1.30', 'fd00::10-fd00::20')).toEqual({ bad: 'fd00::10-fd00::20' })
    expect(metallbRanges('1.31', 'fd00::10-fd00::20,fd00::/120')).toEqual({
      ranges: ['fd00::10-fd00::20', 'fd00::/120']
    })
    for (const bad of ['::1-::9', '::/0', '::ffff:10.0.0.0/120', '10.0.0.1', 'fd00::1'])
      expect(metallbRanges('1.35', bad)).toEqual({ bad })
  })

  it('an IPv6 range on 1.30 is refused by the enable, exit 1, with nothing deployed', () => {
    const dir = sim({ installed: { channel: '1.30/stable' } })
    const r = runSim(['microk8s', 'enable', 'metallb', 'fd00::10-fd00::20'])
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('Your input value (fd00::10-fd00::20) is not a valid IP Range')
    expect(find(dir, 'DaemonSet', 'speaker')).toBeUndefined()
    sim({ installed: { channel: '1.31/stable' } })
    expect(runSim(['microk8s', 'enable', 'metallb', 'fd00::10-fd00::20']).status).toBe(0)
  })
})

describe('simulated nvidia: what its disable deletes', () => {
  const driver = { apiVersion: 'nvidia.com/v1alpha1', kind: 'NVIDIADriver', metadata: { name: 'gpu-a100' } }

  it('from 1.33 the CRDs go, and with them the ClusterPolicy and every NVIDIADriver', () => {
    const dir = sim({ installed: { channel: '1.33/stable' }, addons: ['nvidia'], objects: [driver] })
    expect(runSim(['microk8s', 'status', '-a', 'nvidia']).stdout).toBe('enabled\n')
    const r = runSim(['microk8s', 'disable', 'nvidia'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('customresourcedefinition.apiextensions.k8s.io "clusterpolicies.nvidia.com" deleted')
    expect(find(dir, 'ClusterPolicy', 'cluster-policy')).toBeUndefined()
    expect(find(dir, 'NVIDIADriver', 'gpu-a100')).toBeUndefined()
  })

  it('on 1.32 only the release is uninstalled: a user NVIDIADriver stays', () => {
    const dir = sim({ installed: { channel: '1.32/stable' }, addons: ['nvidia'], objects: [driver] })
    expect(runSim(['microk8s', 'disable', 'nvidia']).status).toBe(0)
    expect(find(dir, 'ClusterPolicy', 'cluster-policy')).toBeUndefined()
    expect(find(dir, 'NVIDIADriver', 'gpu-a100')).toBeDefined()
    expect(runSim(['microk8s', 'status', '-a', 'nvidia']).stdout).toBe('disabled\n')
  })
})
