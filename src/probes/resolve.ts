/**
 * Where each target lives, read from the cluster through the `microk8s` client (one command per resolution, never
 * per sample): the API server's URL and credentials from `microk8s config` (kept in memory only, never printed),
 * a Service's cluster IP and port from `kubectl get service`, the cluster DNS server from the `kube-dns` Service
 * in kube-system (MicroK8s' dns addon: 10.152.183.10, port 53/UDP). The runner is a node, so cluster IPs are
 * reachable from it (docs/disruption.md).
 */
import { parse as parseYaml } from 'yaml'
import type { MicroK8s } from '../cluster/microk8s.js'
import { checkDns, checkHttp, checkTcp, type HttpCheck } from './checks.js'
import type { Check, Resolve } from './sampler.js'
import type { ProbeTarget } from './targets.js'

const decode = (b64: unknown) => (typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('utf8') : undefined)

/**
 * The API server's `/readyz` with the current context's credentials (certificate data or a token). Errors name
 * what is missing, never a value.
 */
export function apiServerCheck(kubeconfig: string): HttpCheck {
  let doc: any
  try {
    doc = parseYaml(kubeconfig)
  } catch {
    throw new Error('the kubeconfig from microk8s config is not YAML')
  }
  const context = (doc?.contexts ?? []).find((c: any) => c?.name === doc?.['current-context'])?.context ?? {}
  const cluster = (doc?.clusters ?? []).find((c: any) => c?.name === context.cluster)?.cluster
  const user = (doc?.users ?? []).find((u: any) => u?.name === context.user)?.user ?? {}
  const server = typeof cluster?.server === 'string' ? cluster.server : undefined
  if (!server || !/^https?:\/\/[^/@\s]+\/?$/.test(server)) throw new Error('the kubeconfig names no API server URL')
  return {
    url: `${server.replace(/\/$/, '')}/readyz`,
    ...(decode(cluster['certificate-authority-data']) ? { ca: decode(cluster['certificate-authority-data']) } : {}),
    ...(decode(user['client-certificate-data']) && decode(user['client-key-data'])
      ? { cert: decode(user['client-certificate-data']), key: decode(user['client-key-data']) }
      : {}),
    ...(typeof user.token === 'string' ? { token: user.token } : {})
  }
}

/** The Service's cluster IP and the port the target names, from its object. */
export function serviceAddress(service: any, port: number, protocol = 'TCP'): { host: string; port: number } {
  const ip = service?.spec?.clusterIP
  if (typeof ip !== 'string' || !ip || ip === 'None') throw new Error('the Service has no cluster IP (headless?)')
  const ports: any[] = service?.spec?.ports ?? []
  if (!ports.some((p) => p?.port === port && (p?.protocol ?? 'TCP') === protocol))
    throw new Error(`the Service has no ${protocol} port ${port}`)
  return { host: ip, port }
}

/** The cluster DNS server (`IP:PORT`) from the kube-dns Service: its UDP port named dns, else 53. */
export function dnsServer(service: any): string {
  const ip = service?.spec?.clusterIP
  if (typeof ip !== 'string' || !ip || ip === 'None') throw new Error('the kube-dns Service has no cluster IP')
  const ports: any[] = service?.spec?.ports ?? []
  const port =
    ports.find((p) => p?.protocol === 'UDP' && p?.name === 'dns')?.port ??
    ports.find((p) => p?.protocol === 'UDP')?.port ??
    53
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`
}

/** Resolves targets through the cluster (the sampler's `resolve`). */
export function clusterResolver(microk8s: MicroK8s): Resolve {
  return async (target: ProbeTarget): Promise<Check> => {
    switch (target.kind) {
      case 'http':
        return (timeoutMs) => checkHttp({ url: target.url }, timeoutMs)
      case 'apiserver': {
        const check = apiServerCheck(await microk8s.config())
        return (timeoutMs) => checkHttp(check, timeoutMs)
      }
      case 'service': {
        const svc = await microk8s.kubectlJson(['get', 'service', target.name, '-n', target.namespace])
        const { host, port } = serviceAddress(svc, target.port)
        return (timeoutMs) => checkTcp(host, port, timeoutMs)
      }
      case 'dns': {
        const server = dnsServer(await microk8s.kubectlJson(['get', 'service', 'kube-dns', '-n', 'kube-system']))
        return (timeoutMs) => checkDns(server, target.name, timeoutMs)
      }
    }
  }
}
