/**
 * Addon arguments: the one language the `addons` input speaks after `name:` (the same on every release), each
 * addon's grammar for it, and how it is written for the enable script of a given release. Recovering arguments
 * from a running cluster yields this language too, so a value read from the nginx controller is written the
 * Traefik way when the target is 1.35.
 *
 * Per grammar (canonical/microk8s-core-addons, addons/<name>/enable on each branch):
 * - dns: `UPSTREAM[,UPSTREAM…][,ip=DNS_IP][,domain=CLUSTER_DOMAIN]` (IPv4/IPv6 upstreams or
 *   `/etc/resolv.conf`; the cluster domain from 1.33, and only with `ip=`, the enable's 2nd positional).
 * - ingress: `default-ssl-certificate=NAMESPACE/NAME`.
 * - hostpath-storage: `reclaim-policy=Delete|Retain[,default-class=true|false]` (default-class from 1.29).
 * - metallb: `RANGE[,RANGE…]`, each `FIRST-LAST` or a CIDR: IPv4 on every release, IPv6 from 1.31 (the 1.28–1.30
 *   enables check each item against IPv4 patterns only). The IPv6 patterns need a leading hex group, so `::1-::9`,
 *   `::/0` and IPv4-mapped forms are refused on every release; the action also refuses what is not an address.
 */
import { isIP } from 'node:net'
import type { AddonSpec, ArgumentGrammar } from './types.js'

/** A parsed argument, or why it is refused and what would be accepted. */
export type ArgumentCheck = { ok: true } | { ok: false; problem: string; accepted: string }

const ACCEPTED: Record<ArgumentGrammar, string> = {
  dns: "upstream IPv4/IPv6 addresses separated by ',' (or /etc/resolv.conf), optionally ip=DNS_SERVICE_IP (e.g. dns:1.1.1.1,8.8.8.8)",
  'dns-domain':
    "upstream IPv4/IPv6 addresses separated by ',' (or /etc/resolv.conf), optionally ip=DNS_SERVICE_IP and domain=CLUSTER_DOMAIN (e.g. dns:1.1.1.1,ip=10.152.183.10,domain=cluster.local)",
  'ingress-nginx': 'default-ssl-certificate=NAMESPACE/NAME (e.g. ingress:default-ssl-certificate=web/tls)',
  'ingress-traefik': 'default-ssl-certificate=NAMESPACE/NAME (e.g. ingress:default-ssl-certificate=web/tls)',
  'hostpath-storage':
    'reclaim-policy=Delete|Retain and/or default-class=true|false (e.g. hostpath-storage:reclaim-policy=Retain)',
  'hostpath-storage-1.28': 'reclaim-policy=Delete|Retain (e.g. hostpath-storage:reclaim-policy=Retain)',
  metallb:
    "IPv4 or IPv6 address ranges FIRST-LAST or CIDRs separated by ',', IPv6 written from its first group (e.g. metallb:10.64.140.43-10.64.140.49 or metallb:fd00::10-fd00::20, not ::10-::20)",
  'metallb-ipv4':
    "IPv4 address ranges FIRST-LAST or IPv4 CIDRs separated by ',' (e.g. metallb:10.64.140.43-10.64.140.49); IPv6 ranges from 1.31",
  none: 'no arguments'
}

/** What an addon's arguments may be at a release, in words for an error message. */
export function acceptedArguments(spec: AddonSpec): string {
  return ACCEPTED[spec.arguments ?? 'none']
}

const DNS_LABEL = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/
const K8S_NAME = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/

/** `key=value` items of a comma list; plain items under the empty key. */
function items(args: string): Array<[string, string]> {
  return args.split(',').map((item) => {
    const eq = item.indexOf('=')
    return eq === -1 ? ['', item] : [item.slice(0, eq), item.slice(eq + 1)]
  })
}

/**
 * An address as the metallb enable's patterns take it: IPv4 dotted, or IPv6 of hex groups and colons that starts
 * with a group (no `::`-leading, IPv4-mapped or zoned forms), and a real address besides.
 */
function metallbAddressFamily(text: string): 4 | 6 | 0 {
  const family = isIP(text)
  if (family === 4) return /^\d+\.\d+\.\d+\.\d+$/.test(text) ? 4 : 0
  if (family === 6) return /^[0-9a-fA-F]{1,4}:[0-9a-fA-F:]*$/.test(text) ? 6 : 0
  return 0
}

/** The family of a range FIRST-LAST or a CIDR (1–3 digit prefix within the family's bits); 0 when it is neither. */
function metallbRangeFamily(text: string): 4 | 6 | 0 {
  const slash = text.split('/')
  if (slash.length === 2) {
    const family = metallbAddressFamily(slash[0])
    const bits = Number(slash[1])
    return family !== 0 && /^\d{1,3}$/.test(slash[1]) && bits <= (family === 4 ? 32 : 128) ? family : 0
  }
  const dash = text.split('-')
  if (dash.length !== 2) return 0
  const family = metallbAddressFamily(dash[0])
  return family !== 0 && metallbAddressFamily(dash[1]) === family ? family : 0
}

/**
 * Checks an addon's arguments against its grammar at a release. Addons the catalog does not know (community)
 * get only the general character check done by the input parser.
 */
export function checkArguments(spec: AddonSpec, args: string): ArgumentCheck {
  const grammar = spec.arguments ?? (spec.policy === 'unknown' ? undefined : 'none')
  if (grammar === undefined) return { ok: true }
  const refuse = (problem: string): ArgumentCheck => ({ ok: false, problem, accepted: ACCEPTED[grammar] })
  if (args.startsWith('-') || args.split(',').some((i) => i.startsWith('-')))
    return refuse('a value starting with - would be read as an option')
  if (args === '') return refuse('empty arguments')
  const parts = items(args)
  const seen = new Set<string>()
  for (const [key] of parts) {
    if (key && seen.has(key)) return refuse(`'${key}' is given twice`)
    if (key) seen.add(key)
  }
  switch (grammar) {
    case 'none':
      return refuse(`${spec.name} takes no arguments`)
    case 'dns':
    case 'dns-domain': {
      const upstreams = parts.filter(([k]) => k === '').map(([, v]) => v)
      if (upstreams.length === 0) return refuse('no upstream address')
      for (const u of upstreams) {
        if (u === '/etc/resolv.conf' && upstreams.length === 1) continue
        if (isIP(u) === 0) return refuse(`'${u}' is not an IPv4 or IPv6 address`)
      }
      for (const [k, v] of parts.filter(([key]) => key !== '')) {
        if (k === 'ip') {
          if (isIP(v) === 0) return refuse(`ip=${v} is not an IP address`)
        } else if (k === 'domain' && grammar === 'dns-domain') {
          if (!DNS_LABEL.test(v)) return refuse(`domain=${v} is not a DNS domain name`)
          if (!seen.has('ip')) return refuse('domain= is the enable’s third argument and needs ip= as well')
        } else if (k === 'domain') {
          return refuse(`the dns addon of ${spec.release} takes no cluster domain (it does from 1.33)`)
        } else return refuse(`unknown key '${k}'`)
      }
      return { ok: true }
    }
    case 'ingress-nginx':
    case 'ingress-traefik': {
      for (const [k, v] of parts) {
        if (k !== 'default-ssl-certificate') return refuse(`unknown argument '${k || v}'`)
        const [ns, name, ...rest] = v.split('/')
        if (rest.length || !ns || !name || !K8S_NAME.test(ns) || !K8S_NAME.test(name))
          return refuse(`'${v}' is not NAMESPACE/NAME`)
      }
      return { ok: true }
    }
    case 'hostpath-storage':
    case 'hostpath-storage-1.28': {
      for (const [k, v] of parts) {
        if (k === 'reclaim-policy') {
          if (!['Delete', 'Retain'].includes(v)) return refuse(`reclaim-policy=${v} is not Delete or Retain`)
        } else if (k === 'default-class' && grammar === 'hostpath-storage') {
          if (!['true', 'false'].includes(v)) return refuse(`default-class=${v} is not true or false`)
        } else if (k === 'default-class') {
          return refuse('the hostpath-storage addon of 1.28 has no --default-class (it does from 1.29)')
        } else return refuse(`unknown argument '${k || v}'`)
      }
      return { ok: true }
    }
    case 'metallb':
    case 'metallb-ipv4': {
      for (const [k, v] of parts) {
        const family = k === '' ? metallbRangeFamily(v) : 0
        if (family === 0) return refuse(`'${k ? `${k}=${v}` : v}' is not a range FIRST-LAST or a CIDR`)
        if (family === 6 && grammar === 'metallb-ipv4')
          return refuse(
            `'${v}' is an IPv6 range, which the metallb addon of ${spec.release} does not take (it does from 1.31)`
          )
      }
      return { ok: true }
    }
  }
}

/**
 * The words after `microk8s enable` for an addon with arguments (already checked), as the release's enable
 * script reads them: colon style where the script takes `$1`, option style where it parses flags.
 */
export function enableWords(spec: AddonSpec, args: string | undefined): string[] {
  if (args === undefined) return [spec.name]
  const parts = items(args)
  const value = (key: string) => parts.find(([k]) => k === key)?.[1]
  switch (spec.arguments) {
    case 'dns':
    case 'dns-domain': {
      const upstreams = parts.filter(([k]) => k === '').map(([, v]) => v)
      const ip = value('ip')
      const domain = value('domain')
      // Colon style splits on ':' (IPv6 would break); positional words otherwise.
      if (!ip && !domain && upstreams.every((u) => !u.includes(':'))) return [`dns:${upstreams.join(',')}`]
      return ['dns', upstreams.join(','), ...(ip ? [ip] : []), ...(domain ? [domain] : [])]
    }
    case 'ingress-traefik':
      return ['ingress', '--default-ssl-certificate', value('default-ssl-certificate')!]
    case 'hostpath-storage':
    case 'hostpath-storage-1.28':
      return [spec.name, ...parts.flatMap(([k, v]) => [`--${k}`, v])]
    case 'metallb':
    case 'metallb-ipv4':
      return args.includes(':') ? ['metallb', args] : [`metallb:${args}`]
    default:
      return [`${spec.name}:${args}`]
  }
}

/** The plain (not `key=value`) items of arguments: dns's upstreams in `1.1.1.1,8.8.8.8,ip=10.152.183.10`. */
export function plainItems(args: string): string[] {
  return items(args)
    .filter(([k, v]) => k === '' && v !== '')
    .map(([, v]) => v)
}

// ---------------------------------------------------------------------------------------------------------
// Arguments recovered from the cluster, in the same language, so that a cycled addon comes back as it was.

/**
 * DNS upstreams from a Corefile's `forward . a b` line, as the `dns:a,b` argument. A file target
 * (`/etc/resolv.conf`) is what a plain enable produces, so it gives no argument.
 */
export function dnsUpstreams(corefile: string): string | undefined {
  const m = /^\s*forward\s+\.\s+([^{}\n]+?)\s*(?:\{|$)/m.exec(corefile)
  if (!m) return undefined
  const targets = m[1].split(/\s+/).filter(Boolean)
  if (targets.length === 0 || targets.some((t) => isIP(t) === 0)) return undefined
  return targets.join(',')
}

/** MetalLB ranges from its IPAddressPool objects, as the `metallb:a-b,c-d` argument. */
export function metallbRanges(pools: Array<{ spec?: { addresses?: string[] } }>): string | undefined {
  const ranges = pools.flatMap((p) => p.spec?.addresses ?? [])
  return ranges.length ? ranges.join(',') : undefined
}

/** `default-ssl-certificate=ns/name` from the nginx controller's container arguments (1.28–1.34). */
export function ingressArgs(daemonset: any): string | undefined {
  const args: string[] = daemonset?.spec?.template?.spec?.containers?.flatMap((c: any) => c.args ?? []) ?? []
  const cert = args.find((a) => a.startsWith('--default-ssl-certificate='))
  return cert ? `default-ssl-certificate=${cert.split('=')[1]}` : undefined
}

/** `default-ssl-certificate=ns/name` from Traefik's default TLSStore (1.35+, addons/ingress/tlsstore.tmpl.yaml). */
export function traefikIngressArgs(tlsStores: any[]): string | undefined {
  const store = tlsStores.find((s) => s?.metadata?.name === 'default' && s?.spec?.defaultCertificate?.secretName)
  return store
    ? `default-ssl-certificate=${store.metadata.namespace}/${store.spec.defaultCertificate.secretName}`
    : undefined
}
