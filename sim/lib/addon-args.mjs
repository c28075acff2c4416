// What the dns and metallb enable scripts do with their arguments, per branch (canonical/microk8s-core-addons,
// addons/dns/enable and addons/metallb/enable on 1.28 … 1.35 and main; docs/addon-catalog.md "Arguments per
// branch"). Pure: the host files they read are passed in.
import { branchMinor } from './addon-releases.mjs'

/** The kube-apiserver range the dns enable treats as the default (`^--service-cluster-ip-range=10.152.183.0/24`). */
const DEFAULT_RANGE_LINE = /^--service-cluster-ip-range=10\.152\.183\.0\/24/m

/**
 * The kube-dns Service IP the dns enable deploys: `$2` when given; without it 10.152.183.10 when the API server
 * has the default service range, else the Service is created without one and Kubernetes allocates an address
 * (the simulator takes the second address of the range, after the `kubernetes` Service's).
 */
export function dnsServiceIp(args, kubeApiserverArgs) {
  if (args[1]) return args[1]
  if (kubeApiserverArgs === undefined || DEFAULT_RANGE_LINE.test(kubeApiserverArgs)) return '10.152.183.10'
  const range = /^--service-cluster-ip-range=(\d+)\.(\d+)\.(\d+)\.(\d+)\/\d+/m.exec(kubeApiserverArgs)
  return range ? `${range[1]}.${range[2]}.${range[3]}.${Number(range[4]) + 2}` : '10.152.183.10'
}

/** The cluster domain: `$3` from 1.33 (older scripts ignore it and write cluster.local). */
export function dnsClusterDomain(branch, args) {
  return (branchMinor(branch) >= 33 && args[2]) || 'cluster.local'
}

const IPV4_RANGE = /^\d+\.\d+\.\d+\.\d+-\d+\.\d+\.\d+\.\d+$/
const IPV4_CIDR = /^\d+\.\d+\.\d+\.\d{1,3}\/\d{1,3}$/
// An IPv6 address as the 1.31+ script's pattern reads one: one to seven leading `hhhh:` groups, then either
// more `:hhhh` groups (at most one empty group between) or a final `:`. So `::1` and IPv4-mapped forms fail.
const IPV6 = '(?:[0-9a-fA-F]{1,4}:){1,7}(?:(?:[0-9a-fA-F]{1,4})?(?::[0-9a-fA-F]{1,4}){1,6}|:)'
const IPV6_RANGE = new RegExp(`^${IPV6}-${IPV6}$`)
const IPV6_CIDR = new RegExp(`^${IPV6}\\/\\d{1,3}$`)

/**
 * The ranges the metallb enable reads from `$1` (split on commas and blanks), or the item it refuses with
 * `Your input value (X) is not a valid IP Range`: IPv4 ranges and CIDRs on every branch, IPv6 from 1.31 (only
 * digit groups are checked, as the script does).
 */
export function metallbRanges(branch, first) {
  const ranges = String(first ?? '')
    .split(/[,\s]+/)
    .filter(Boolean)
  const ipv6 = branchMinor(branch) >= 31
  const bad = ranges.find(
    (r) => !(IPV4_RANGE.test(r) || IPV4_CIDR.test(r) || (ipv6 && (IPV6_RANGE.test(r) || IPV6_CIDR.test(r))))
  )
  return bad === undefined ? { ranges } : { bad }
}
