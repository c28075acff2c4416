/**
 * Reading dns's settings outside the Corefile (dns-settings.ts): the kube-dns Service, and the kubelet's and API
 * server's argument files under $SNAP_DATA/args through the system-files reader (`cat`, with sudo on a runner).
 * Both files exist on every install, so one that cannot be read is a failed read, never "not set".
 */
import * as core from '@actions/core'
import type { MicroK8s } from '../cluster/microk8s.js'
import { SNAP_DATA, type SystemFiles } from '../cluster/system-files.js'
import { ReadError, getObject, readRetried } from './capture-restore.js'
import { type DnsSettings, settingsFromArgs } from './dns-settings.js'

export const KUBELET_ARGS = `${SNAP_DATA}/args/kubelet`
export const APISERVER_ARGS = `${SNAP_DATA}/args/kube-apiserver`

async function readArgs(files: SystemFiles, file: string): Promise<string> {
  const text = await files.read(file)
  if (text === undefined) throw new Error(`cat ${file} failed`)
  return text
}

/** The kube-dns Service IP and the DNS arguments of this node's kubelet, each read retried (a ReadError when not). */
export async function readDnsSettings(microk8s: MicroK8s, files: SystemFiles): Promise<DnsSettings> {
  const service = await readRetried('the kube-dns Service (kube-system/kube-dns)', () =>
    getObject(microk8s, 'service', 'kube-dns', 'kube-system')
  )
  const kubelet = await readRetried(`the kubelet arguments (${KUBELET_ARGS})`, () => readArgs(files, KUBELET_ARGS))
  const apiserver = await readRetried(`the API server arguments (${APISERVER_ARGS})`, () =>
    readArgs(files, APISERVER_ARGS)
  )
  const ip = service?.spec?.clusterIP
  return settingsFromArgs(kubelet, apiserver, typeof ip === 'string' && ip !== 'None' ? ip : undefined)
}

/** The same after the cycle, for the check: undefined ("not checked") when a read fails. */
export async function readDnsSettingsAfter(microk8s: MicroK8s, files: SystemFiles): Promise<DnsSettings | undefined> {
  try {
    return await readDnsSettings(microk8s, files)
  } catch (error) {
    if (!(error instanceof ReadError)) throw error
    core.warning(`${error.message}: that check is reported as not checked`, { title: 'data check' })
    return undefined
  }
}
