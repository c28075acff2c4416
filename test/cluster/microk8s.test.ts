import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import { parseStatusYaml, parseMicroK8sVersion, parseInspectTarball, MicroK8s } from '../../src/cluster/microk8s.js'
import { scriptedCmd } from '../helpers/fake-cmd.js'
import { listObjects } from '../../src/cluster/objects.js'

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')

describe('microk8s status --format yaml', () => {
  it('reads a fresh 1.30 install: enabled first, Python booleans, labels as strings', () => {
    const s = parseStatusYaml(fixture('status-yaml-fresh-1.30.txt'))
    expect(s.running).toBe(true)
    expect(s.haEnabled).toBe(true)
    expect(s.addons.filter((a) => a.enabled).map((a) => a.name)).toEqual(['dns', 'ha-cluster', 'helm', 'helm3'])
    expect(s.addons).toHaveLength(24)
    expect(s.addons.find((a) => a.name === 'ingress')).toEqual({
      name: 'ingress',
      repository: 'core',
      label: '1.8.0',
      enabled: false
    })
    // `version:  ` (empty, one padding space) is no label at all
    expect(s.addons.find((a) => a.name === 'rbac')?.label).toBeUndefined()
  })

  it('keeps a version like 3.9 as text, not a number', () => {
    const s = parseStatusYaml(
      'microk8s:\n  running: True\nhigh-availability:\n  enabled: False\naddons:\n  - name: multus\n    repository: community\n    description: Multus CNI\n    version: 3.10\n    status: enabled\n'
    )
    expect(s.addons[0]).toEqual({ name: 'multus', repository: 'community', label: '3.10', enabled: true })
  })

  it('reads not ready: no addons, the message under high-availability', () => {
    const s = parseStatusYaml(fixture('status-yaml-not-ready.txt'))
    expect(s).toMatchObject({
      running: false,
      addons: [],
      message: 'microk8s is not running. Use microk8s inspect for a deeper inspection.'
    })
  })

  it('reads a stopped cluster, which prints plain text even with --format yaml', () => {
    expect(parseStatusYaml(fixture('status-stopped.txt'))).toMatchObject({
      running: false,
      message: 'microk8s is not running, try microk8s start'
    })
  })

  it('refuses output it does not understand', () => {
    expect(() => parseStatusYaml('something else')).toThrow(/unexpected/)
  })
})

describe('other microk8s output', () => {
  it('reads microk8s version', () => {
    expect(parseMicroK8sVersion('MicroK8s v1.30.14 revision 8159\n')).toEqual({ version: 'v1.30.14', revision: 8159 })
  })
  it('finds the inspect tarball', () => {
    expect(
      parseInspectTarball(
        'Building the report tarball\n  Report tarball is at /var/snap/microk8s/8248/inspection-report-20261124_120000.tar.gz\n'
      )
    ).toBe('/var/snap/microk8s/8248/inspection-report-20261124_120000.tar.gz')
  })
})

describe('MicroK8s commands', () => {
  it('bounds the readiness wait by wait-timeout and reports the status in the same call', async () => {
    const cmd = scriptedCmd([{ code: 0, stdout: fixture('status-yaml-fresh-1.30.txt') }])
    const s = await new MicroK8s(cmd, { waitTimeout: 42 }).waitReady()
    expect(cmd.calls[0]).toEqual(['microk8s', 'status', '--wait-ready', '--timeout', '42', '--format', 'yaml'])
    expect(s.running).toBe(true)
  })

  it('fails a wait that times out with the wait-timeout named', async () => {
    const cmd = scriptedCmd([{ code: 1, stdout: fixture('status-yaml-not-ready.txt') }])
    await expect(new MicroK8s(cmd, { waitTimeout: 5 }).waitReady()).rejects.toThrow(
      /did not become ready within wait-timeout \(5s\)/
    )
  })

  it('closes stdin of a disable and answers its prompt with the given input', async () => {
    const seen: Array<string | undefined> = []
    const cmd = scriptedCmd([{ code: 1, stdout: 'Storage removed.' }])
    const run = cmd.run.bind(cmd)
    cmd.run = async (f, a, o) => (seen.push(o?.input), run(f, a, o))
    await new MicroK8s(cmd, { waitTimeout: 5 }).disable('hostpath-storage', 'N\n')
    expect(seen).toEqual(['N\n'])
  })

  it('retries an enable while snapd holds a service-control change', async () => {
    const cmd = scriptedCmd([
      { code: 1, stderr: 'error: error running snapctl: snap "microk8s" has "service-control" change in progress' },
      { code: 0, stdout: 'DNS is enabled' }
    ])
    const r = await new MicroK8s(cmd, { waitTimeout: 5, conflictRetryMs: 1 }).enable(['dns'])
    expect(r.code).toBe(0)
    expect(cmd.calls).toHaveLength(2)
  })

  it('says clearly when the microk8s command is missing', async () => {
    const cmd = scriptedCmd([{ code: 127, stderr: 'microk8s: command not found' }])
    await expect(new MicroK8s(cmd, { waitTimeout: 5 }).status()).rejects.toThrow(/'microk8s' command was not found/)
  })
})

describe('listing objects of several resources', () => {
  it('uses one kubectl get when the server serves them all', async () => {
    const cmd = scriptedCmd([{ code: 0, stdout: JSON.stringify({ items: [{ kind: 'FlowSchema' }] }) }])
    const r = await listObjects(new MicroK8s(cmd, { waitTimeout: 5 }), [
      'flowschemas.flowcontrol.apiserver.k8s.io',
      'cronjobs.batch'
    ])
    expect(r).toEqual({ objects: [{ kind: 'FlowSchema' }], unavailable: [] })
    expect(cmd.calls).toEqual([
      ['microk8s', 'kubectl', 'get', 'flowschemas.flowcontrol.apiserver.k8s.io,cronjobs.batch', '-A', '-o', 'json']
    ])
  })

  it('falls back to one get per resource and names those the server does not serve', async () => {
    const missing = { code: 1, stderr: 'error: the server doesn\'t have a resource type "csistoragecapacities"' }
    const cmd = scriptedCmd([missing, { code: 0, stdout: JSON.stringify({ items: [{ kind: 'CronJob' }] }) }, missing])
    const r = await listObjects(new MicroK8s(cmd, { waitTimeout: 5 }), [
      'cronjobs.batch',
      'csistoragecapacities.storage.k8s.io'
    ])
    expect(r).toEqual({ objects: [{ kind: 'CronJob' }], unavailable: ['csistoragecapacities.storage.k8s.io'] })
  })

  it('fails on any other error', async () => {
    const cmd = scriptedCmd([{ code: 1, stderr: 'The connection to the server 127.0.0.1:16443 was refused' }])
    await expect(listObjects(new MicroK8s(cmd, { waitTimeout: 5 }), ['cronjobs.batch'])).rejects.toThrow(
      /exited with code 1/
    )
  })
})
