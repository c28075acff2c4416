// The simulator must agree with the real commands (docs/microk8s-behaviour.md), not with what is convenient: its
// output is compared with the captures (test/fixtures, the formats described there), and its traps behave as the real commands do.
import { describe, it, expect, beforeEach } from 'vitest'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import { sim, runSim, state, env } from './helpers/sim.js'

const fixture = (name: string) => fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

describe('simulated microk8s status, compared with the reference captures', () => {
  beforeEach(() => void sim({ installed: { channel: '1.30/stable' } }))

  it('--format yaml on a fresh 1.30 install is byte-identical to the reference', () => {
    expect(runSim(['microk8s', 'status', '--format', 'yaml']).stdout).toBe(fixture('status-yaml-fresh-1.30.txt'))
  })

  it('the pretty format is byte-identical to the real 1.30 capture', () => {
    expect(runSim(['microk8s', 'status']).stdout).toBe(fixture('status-pretty-1.30.txt'))
  })

  it('not ready: the reference shape, exit 1', () => {
    sim({ installed: { channel: '1.30/stable' }, readyAtStart: false })
    const r = runSim(['microk8s', 'status', '--format', 'yaml'])
    expect(r.status).toBe(1)
    expect(r.stdout).toBe(fixture('status-yaml-not-ready.txt'))
  })

  it('microk8s version prints one line in the reference format', () => {
    expect(runSim(['microk8s', 'version']).stdout).toBe('MicroK8s v1.30.14 revision 8248\n')
  })
})

describe('simulated traps a naive action falls into', () => {
  it('disable hostpath-storage with stdin at EOF keeps the data and exits 1 after "Storage removed."', () => {
    const dir = sim({ installed: { channel: '1.28/stable' }, addons: ['hostpath-storage'] })
    const r = runSim(['microk8s', 'disable', 'hostpath-storage'])
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('Storage removed.')
    // The script asks with `read -p`, which shows the prompt only on a terminal (core-addons 1.30
    // addons/hostpath-storage/disable): with a pipe, as in CI, nothing says a question was asked.
    expect(r.stdout + r.stderr).not.toContain('Remove PVC storage')
    expect(state(dir).cluster.hostpathData.destroyed).toBe(false)
  })

  it('answering y deletes every volume', () => {
    const dir = sim({ installed: { channel: '1.28/stable' }, addons: ['hostpath-storage'] })
    expect(runSim(['microk8s', 'disable', 'hostpath-storage'], 'y\n').status).toBe(0)
    expect(state(dir).cluster.hostpathData.destroyed).toBe(true)
  })

  it('with stdin left open (as @actions/exec leaves it without input) it hangs at the prompt', async () => {
    sim({ installed: { channel: '1.28/stable' }, addons: ['hostpath-storage'] })
    const child = spawn('microk8s', ['disable', 'hostpath-storage'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    const exited = await new Promise<boolean>((resolve) => {
      child.on('exit', () => resolve(true))
      setTimeout(() => resolve(false), 1500)
    })
    child.kill()
    expect(exited).toBe(false)
  })

  it('ha-cluster shows enabled on every install and its disable refuses without --force (exit 2)', () => {
    sim({ installed: { channel: '1.30/stable' } })
    expect(runSim(['microk8s', 'status', '-a', 'ha-cluster']).stdout).toBe('enabled\n')
    const r = runSim(['microk8s', 'disable', 'ha-cluster'])
    expect(r.status).toBe(2)
    expect(r.stdout).toContain('Disabling HA will reset your cluster in a clean state.')
  })

  it('a refresh changes the core only: addons and Calico keep running what they ran', () => {
    const dir = sim({
      installed: { channel: '1.28/stable' },
      addons: ['ingress'],
      images: { 'ingress/nginx-ingress-microk8s-controller': 'registry.k8s.io/ingress-nginx/controller:v1.8.0' }
    })
    expect(runSim(['snap', 'refresh', 'microk8s', '--channel=1.29/stable', '--classic']).stdout).toBe(
      'microk8s (1.29/stable) v1.29.15 from Canonical** refreshed\n'
    )
    const objects = state(dir).cluster.objects
    expect(
      objects.find((o: any) => o.metadata.name === 'nginx-ingress-microk8s-controller').spec.template.spec.containers[0]
        .image
    ).toBe('registry.k8s.io/ingress-nginx/controller:v1.8.0')
    expect(objects.find((o: any) => o.metadata.name === 'calico-node').spec.template.spec.containers[0].image).toBe(
      'docker.io/calico/node:v3.25.1'
    )
    expect(state(dir).cluster.repoBranch).toBe('1.28')
  })

  it('skipping a minor breaks the datastore, as in the field (canonical/microk8s#3007)', () => {
    sim({ installed: { channel: '1.28/stable' } })
    runSim(['snap', 'refresh', 'microk8s', '--channel=1.30/stable', '--classic'])
    expect(runSim(['microk8s', 'status', '--wait-ready', '--timeout', '5', '--format', 'yaml']).status).toBe(1)
  })

  it('the status version is a label: ingress reads 1.8.0 on 1.30 while the controller runs v1.11.5', () => {
    const dir = sim({ installed: { channel: '1.30/stable' }, addons: ['ingress'] })
    expect(runSim(['microk8s', 'status', '--format', 'yaml']).stdout).toMatch(
      /- name: ingress\n {4}repository: core\n {4}description: Ingress controller for external access\n {4}version: 1\.8\.0/
    )
    expect(
      state(dir).cluster.objects.find((o: any) => o.metadata.name === 'nginx-ingress-microk8s-controller').spec.template
        .spec.containers[0].image
    ).toMatch(/v1\.11\.5$/)
  })

  it('snap list prints the CI (non-TTY) table of the reference', () => {
    sim({ installed: { channel: '1.28/stable' } })
    const r = runSim(['snap', 'list', 'microk8s'])
    expect(r.stdout).toBe(
      'Name      Version   Rev   Tracking     Publisher    Notes\nmicrok8s  v1.28.15  7971  1.28/stable  canonical**  classic\n'
    )
  })
})

describe('simulated disables that delete user state, and what is put back', () => {
  const pool = (name: string, addresses: string[]) =>
    JSON.stringify({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name, namespace: 'metallb-system' },
      spec: { addresses }
    })

  it('metallb: its disable deletes every pool with the CRDs; the webhook refuses an overlapping pool', () => {
    const dir = sim({ installed: { channel: '1.30/stable' }, addons: ['metallb:10.0.0.10-10.0.0.20'] })
    const apply = ['microk8s', 'kubectl', 'apply', '--server-side', '-f', '-']
    expect(runSim(apply, pool('b', ['10.0.0.16/28'])).stderr).toMatch(/overlaps .* pool default-addresspool/)
    expect(runSim(apply, pool('b', ['10.0.1.0/28'])).status).toBe(0)
    expect(runSim(['microk8s', 'disable', 'metallb']).status).toBe(0)
    expect(state(dir).cluster.objects.filter((o: any) => o.kind === 'IPAddressPool')).toEqual([])
    expect(runSim(apply, pool('b', ['10.0.1.0/28'])).stderr).toMatch(/no matches for kind "IPAddressPool"/)
  })

  it('ingress: its disable deletes namespace ingress, a user Secret in it included', () => {
    const dir = sim({
      installed: { channel: '1.30/stable' },
      addons: ['ingress'],
      objects: [
        { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'tls', namespace: 'ingress' } }
      ]
    })
    expect(runSim(['microk8s', 'disable', 'ingress']).status).toBe(0)
    expect(state(dir).cluster.objects.filter((o: any) => o.metadata.namespace === 'ingress')).toEqual([])
  })

  it('hostpath-storage: unix-style options set the StorageClass; --default-class is refused on 1.28', () => {
    const dir = sim({ installed: { channel: '1.29/stable' } })
    const enable = ['microk8s', 'enable', 'hostpath-storage', '--reclaim-policy', 'Retain', '--default-class', 'false']
    expect(runSim(enable).status).toBe(0)
    const sc = state(dir).cluster.objects.find((o: any) => o.kind === 'StorageClass')
    expect([sc.reclaimPolicy, sc.metadata.annotations['storageclass.kubernetes.io/is-default-class']]).toEqual([
      'Retain',
      'false'
    ])
    sim({ installed: { channel: '1.28/stable' } })
    expect(runSim(enable).stdout).toMatch(/unrecognized option '--default-class'/)
  })
})
