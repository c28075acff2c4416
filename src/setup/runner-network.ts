/**
 * Runner networking: Docker (installed on GitHub-hosted runners) sets the iptables FORWARD policy to DROP, so
 * traffic forwarded to and from pods is dropped and addon pods never become ready. Docker leaves the
 * DOCKER-USER chain, evaluated first, to the user: the action inserts ACCEPT rules there for the pod and
 * service networks (both directions), nothing broader. MicroK8s' own CI accepts everything there
 * (canonical/microk8s .github/workflows/build-snap.yml: `iptables -I DOCKER-USER -j ACCEPT`). A FORWARD DROP
 * without Docker's chain is someone's firewall: left alone, with a warning.
 */
import type { Cmd } from '../base/cmd.js'
import { CommandError } from '../base/errors.js'
import { SNAP_DATA, type SystemFiles } from '../cluster/system-files.js'

export const DEFAULT_POD_CIDR = '10.1.0.0/16'
export const DEFAULT_SERVICE_CIDR = '10.152.183.0/24'

export interface NetworkFix {
  /** `unchanged` (FORWARD accepts), `fixed`, `already` (rules present), `not-docker`, `no-iptables`. */
  outcome: 'unchanged' | 'fixed' | 'already' | 'not-docker' | 'no-iptables'
  added: string[]
  detail: string
}

/** The pod and service CIDRs: the launch configuration's, else the installed cluster's arguments, else defaults. */
export async function clusterCidrs(
  files: SystemFiles | undefined,
  fromLaunchConfig: { podCidr?: string; serviceCidr?: string } = {}
): Promise<{ pod: string; service: string }> {
  const arg = async (file: string, name: string) => {
    const text = files ? await files.read(`${SNAP_DATA}/args/${file}`) : undefined
    return new RegExp(`^${name}=(\\S+)`, 'm').exec(text ?? '')?.[1]?.replace(/^"|"$/g, '')
  }
  return {
    pod: fromLaunchConfig.podCidr ?? (await arg('kube-proxy', '--cluster-cidr')) ?? DEFAULT_POD_CIDR,
    service:
      fromLaunchConfig.serviceCidr ??
      (await arg('kube-apiserver', '--service-cluster-ip-range')) ??
      DEFAULT_SERVICE_CIDR
  }
}

/** The DOCKER-USER rules for the two networks, as iptables arguments after the chain name. */
export function acceptRules(cidrs: { pod: string; service: string }): string[][] {
  return [cidrs.pod, cidrs.service].flatMap((cidr) => [
    ['-s', cidr, '-j', 'ACCEPT'],
    ['-d', cidr, '-j', 'ACCEPT']
  ])
}

/** Checks the FORWARD policy and, with Docker's DROP, adds the rules; `networks` is read only then. */
export async function fixForwarding(
  cmd: Cmd,
  networks: () => Promise<{ pod: string; service: string }>
): Promise<NetworkFix> {
  const forward = await cmd.run('iptables', ['-S', 'FORWARD'])
  if (forward.code === 127)
    return { outcome: 'no-iptables', added: [], detail: 'iptables is not installed: nothing to check' }
  if (forward.code !== 0) throw new CommandError('iptables -S FORWARD', forward.code, forward.stdout, forward.stderr)
  const policy = /^-P FORWARD (\S+)/m.exec(forward.stdout)?.[1] ?? 'ACCEPT'
  if (policy === 'ACCEPT')
    return { outcome: 'unchanged', added: [], detail: 'the FORWARD policy is ACCEPT: nothing to do' }
  if ((await cmd.run('iptables', ['-S', 'DOCKER-USER'])).code !== 0)
    return {
      outcome: 'not-docker',
      added: [],
      detail: `the FORWARD policy is ${policy} without Docker's DOCKER-USER chain: a firewall of this runner, left alone; pod traffic may be dropped`
    }
  const cidrs = await networks()
  const added: string[] = []
  for (const rule of acceptRules(cidrs)) {
    if ((await cmd.run('iptables', ['-C', 'DOCKER-USER', ...rule])).code === 0) continue
    const r = await cmd.run('iptables', ['-I', 'DOCKER-USER', ...rule])
    if (r.code !== 0) throw new CommandError(`iptables -I DOCKER-USER ${rule.join(' ')}`, r.code, r.stdout, r.stderr)
    added.push(`-I DOCKER-USER ${rule.join(' ')}`)
  }
  return added.length
    ? {
        outcome: 'fixed',
        added,
        detail: `Docker's FORWARD policy is ${policy}: accepted pod (${cidrs.pod}) and service (${cidrs.service}) traffic in DOCKER-USER`
      }
    : { outcome: 'already', added, detail: `DOCKER-USER already accepts ${cidrs.pod} and ${cidrs.service}` }
}
