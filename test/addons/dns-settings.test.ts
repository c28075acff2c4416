// dns's settings outside the Corefile: read from the argument files and the kube-dns Service, checked after the
// cycle against what the enable was given (src/addons/dns-settings.ts, dns-read.ts).
import { describe, it, expect } from 'vitest'
import { argValue, checkDns, settingsFromArgs } from '../../src/addons/dns-settings.js'
import { readDnsSettings } from '../../src/addons/dns-read.js'
import { MicroK8s } from '../../src/cluster/microk8s.js'
import { SystemFiles } from '../../src/cluster/system-files.js'
import type { Cmd, CmdResult } from '../../src/base/cmd.js'

const KUBELET =
  '--cluster-dns=10.152.183.20\n--cluster-domain=cluster.local\n--kubeconfig=${SNAP_DATA}/credentials/kubelet.config\n'
const APISERVER = '--cert-dir=${SNAP_DATA}/certs\n--service-cluster-ip-range=10.152.183.0/24\n'

describe('dns settings from the argument files', () => {
  it('reads --cluster-dns and --cluster-domain, and whether the service range is the shipped one', () => {
    expect(settingsFromArgs(KUBELET, APISERVER, '10.152.183.20')).toEqual({
      serviceIp: '10.152.183.20',
      kubeletDns: '10.152.183.20',
      kubeletDomain: 'cluster.local',
      defaultServiceRange: true
    })
    expect(settingsFromArgs('--fail-swap-on=false\n', '--service-cluster-ip-range=10.153.0.0/16\n', undefined)).toEqual(
      {
        defaultServiceRange: false
      }
    )
    expect(argValue('--node-labels="a=b"\n', 'node-labels')).toBe('a=b')
    expect(argValue('--cluster-dnsx=1\n', 'cluster-dns')).toBeUndefined()
  })

  it('a kubelet argument file that cannot be read stops the read, never "not set"', async () => {
    const calls: string[] = []
    const cmd: Cmd = {
      async run(tool: string, args: string[]): Promise<CmdResult> {
        calls.push([tool, ...args].join(' '))
        if (tool === 'microk8s')
          return {
            code: 0,
            stdout: JSON.stringify({ kind: 'Service', spec: { clusterIP: '10.152.183.20' } }),
            stderr: '',
            ms: 1
          }
        return { code: 1, stdout: '', stderr: 'cat: Permission denied', ms: 1 }
      }
    } as unknown as Cmd
    await expect(readDnsSettings(new MicroK8s(cmd, { waitTimeout: 5 }), new SystemFiles(cmd))).rejects.toThrow(
      /could not read the kubelet arguments \(\/var\/snap\/microk8s\/current\/args\/kubelet\)/
    )
    expect(calls.filter((c) => c === 'cat /var/snap/microk8s/current/args/kubelet').length).toBe(3)
  }, 20_000)
})

describe('the check after the cycle', () => {
  const before = {
    serviceIp: '10.152.183.20',
    kubeletDns: '10.152.183.20',
    kubeletDomain: 'cluster.local',
    defaultServiceRange: true
  }

  it('passes when kube-dns and the kubelet are back where they were', () => {
    expect(checkDns(before, before, '1.1.1.1,ip=10.152.183.20')).toMatchObject({ ok: true, checked: true })
  })

  it('names what moved: kube-dns back at .10, the kubelet still at .20', () => {
    const after = { ...before, serviceIp: '10.152.183.10', kubeletDns: '10.152.183.10' }
    const check = checkDns(before, after, '1.1.1.1')
    expect(check.ok).toBe(false)
    expect(check.detail).toMatch(/kube-dns is at 10\.152\.183\.10, not 10\.152\.183\.20/)
  })

  it('expects what the enable was asked for, and is "not checked" when the state could not be read', () => {
    const after = { ...before, serviceIp: '10.152.183.30', kubeletDns: '10.152.183.30' }
    expect(checkDns(before, after, '9.9.9.9,ip=10.152.183.30').ok).toBe(true)
    expect(checkDns(before, undefined, undefined)).toMatchObject({ ok: false, checked: false, after: 'not read' })
    expect(checkDns(before, { ...before, kubeletDomain: undefined }, undefined).detail).toMatch(
      /--cluster-domain is unset, not cluster\.local/
    )
  })
})
