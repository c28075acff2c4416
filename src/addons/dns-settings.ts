/**
 * dns's settings outside the Corefile, the pure part: the kube-dns Service IP and the kubelet's `--cluster-dns`
 * and `--cluster-domain`, which dns's disable removes and its enable sets again from its arguments; the arguments
 * that bring them back, and the check that they did.
 *
 * Sources (canonical/microk8s-core-addons, addons/dns/enable and disable on 1.28 … 1.35 and main): the enable's
 * `$2` is the Service IP (without it 10.152.183.10 when the API server's `--service-cluster-ip-range` starts with
 * 10.152.183.0/24, else one Kubernetes allocates) and, from 1.33, `$3` the cluster domain (cluster.local before,
 * and without it); it then sets the kubelet's `--cluster-dns` to the Service IP it reads back and
 * `--cluster-domain` to the domain. The disable deletes the Service and removes both kubelet arguments.
 * See docs/addon-state.md "dns".
 */
import type { DataCheck } from '../report/model.js'
import { dnsUpstreams } from '../catalog/index.js'

/** dns's arguments as read back (state-specs.ts `RecoveredArgs`, which carries the same fields). */
export interface DnsRecovery {
  args?: string
  note: string
  carry?: string
  keep?: string
}

/** The address the enable gives kube-dns by itself on the shipped service range. */
export const DEFAULT_DNS_IP = '10.152.183.10'
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local'

export interface DnsSettings {
  /** kube-system/kube-dns `spec.clusterIP`; absent when there is no such Service. */
  serviceIp?: string
  /** The kubelet's `--cluster-dns` and `--cluster-domain` on this node; absent when not set. */
  kubeletDns?: string
  kubeletDomain?: string
  /** The API server's service range is the shipped 10.152.183.0/24: the enable then picks 10.152.183.10 itself. */
  defaultServiceRange: boolean
}

/** `--NAME=VALUE` in a $SNAP_DATA/args file (quotes removed); undefined when the file does not set it. */
export function argValue(text: string, name: string): string | undefined {
  const m = new RegExp(`^--${name}=(\\S*)`, 'm').exec(text)
  return m ? m[1].replace(/^"(.*)"$/, '$1') : undefined
}

/** What the kubelet and API server argument files say about DNS (the enable's own test for the default range). */
export function settingsFromArgs(
  kubeletArgs: string,
  apiserverArgs: string,
  serviceIp: string | undefined
): DnsSettings {
  const kubeletDns = argValue(kubeletArgs, 'cluster-dns')
  const kubeletDomain = argValue(kubeletArgs, 'cluster-domain')
  return {
    ...(serviceIp ? { serviceIp } : {}),
    ...(kubeletDns !== undefined ? { kubeletDns } : {}),
    ...(kubeletDomain !== undefined ? { kubeletDomain } : {}),
    defaultServiceRange: /^--service-cluster-ip-range=10\.152\.183\.0\/24/m.test(apiserverArgs)
  }
}

/**
 * dns's arguments as read back (the addons input's language): the Corefile's upstreams, and the Service IP and
 * cluster domain where the enable would not choose them by itself. The IP and domain are carried into arguments
 * the addons input gives (a new upstream must not move kube-dns). Kept, with the reason, when the enabling
 * release cannot take the domain (before 1.33), or when the kubelet does not point at the Service (a node-local
 * cache, say), which the enable would overwrite.
 */
export function recoverDns(
  corefile: string | undefined,
  dns: DnsSettings | undefined,
  enableMinor: number
): DnsRecovery {
  const upstreams = corefile ? dnsUpstreams(corefile) : undefined
  const upstreamNote = upstreams
    ? `upstreams ${upstreams} read from the CoreDNS ConfigMap`
    : corefile
      ? "upstreams follow the host's resolv.conf, as before"
      : 'no CoreDNS ConfigMap found'
  const ip = dns?.serviceIp ?? dns?.kubeletDns
  const domain = dns?.kubeletDomain && dns.kubeletDomain !== DEFAULT_CLUSTER_DOMAIN ? dns.kubeletDomain : undefined
  let keep: string | undefined
  if (dns?.serviceIp && dns.kubeletDns && dns.kubeletDns !== dns.serviceIp) {
    keep =
      `the kubelet's --cluster-dns is ${dns.kubeletDns}, not the kube-dns Service IP ${dns.serviceIp} (a node-local ` +
      'DNS cache?); its enable would point the kubelet at the Service, so it keeps running as it is'
  } else if (domain && enableMinor < 33) {
    keep =
      `its cluster domain is ${domain} (the kubelet's --cluster-domain), which the 1.${enableMinor} dns enable cannot ` +
      `set (it writes ${DEFAULT_CLUSTER_DOMAIN}; it takes a cluster domain from 1.33): it keeps running as it is`
  }
  const passIp = ip !== undefined && (domain !== undefined || !(ip === DEFAULT_DNS_IP && dns?.defaultServiceRange))
  const carried = [
    ...(passIp ? [`ip=${ip}`] : []),
    ...(domain !== undefined && enableMinor >= 33 ? [`domain=${domain}`] : [])
  ]
  const carriedNote = carried.length
    ? `; ${[passIp ? `Service IP ${ip}` : '', domain && enableMinor >= 33 ? `cluster domain ${domain}` : '']
        .filter(Boolean)
        .join(' and ')} read from kube-dns and the kubelet, passed again`
    : ''
  const args = carried.length ? [upstreams ?? '/etc/resolv.conf', ...carried].join(',') : upstreams
  return {
    ...(args ? { args } : {}),
    note: args || corefile ? `${upstreamNote}${carriedNote}` : `${upstreamNote}: enabled plainly`,
    ...(carried.length ? { carry: carried.join(',') } : {}),
    ...(keep ? { keep } : {})
  }
}

/** The value of `key=` in arguments of the addons input's language. */
function item(args: string | undefined, key: string): string | undefined {
  return (args ?? '')
    .split(',')
    .find((i) => i.startsWith(`${key}=`))
    ?.slice(key.length + 1)
}

/**
 * kube-dns's IP and the kubelet's arguments after the cycle against what the enable was given: the `ip=` and
 * `domain=` of its arguments, else what ran before (which the enable picks by itself when they were left out).
 */
export function checkDns(
  before: DnsSettings,
  after: DnsSettings | undefined,
  enabledWith: string | undefined
): DataCheck {
  const name = 'kube-dns Service IP and kubelet DNS arguments'
  const describe = (s: DnsSettings) =>
    `kube-dns ${s.serviceIp ?? 'none'}; kubelet --cluster-dns=${s.kubeletDns ?? '(unset)'} --cluster-domain=${s.kubeletDomain ?? '(unset)'}`
  if (!after)
    return { name, before: describe(before), after: 'not read', ok: false, checked: false, detail: 'could not be read' }
  const ip = item(enabledWith, 'ip') ?? before.serviceIp ?? after.serviceIp
  const domain = item(enabledWith, 'domain') ?? before.kubeletDomain ?? DEFAULT_CLUSTER_DOMAIN
  const wrong = [
    after.serviceIp !== ip ? `kube-dns is at ${after.serviceIp ?? 'no address'}, not ${ip}` : '',
    after.kubeletDns !== ip ? `the kubelet's --cluster-dns is ${after.kubeletDns ?? 'unset'}, not ${ip}` : '',
    after.kubeletDomain !== domain
      ? `the kubelet's --cluster-domain is ${after.kubeletDomain ?? 'unset'}, not ${domain}`
      : ''
  ].filter(Boolean)
  return {
    name,
    before: describe(before),
    after: describe(after),
    ok: wrong.length === 0,
    checked: true,
    ...(wrong.length ? { detail: wrong.join('; ') } : {})
  }
}
