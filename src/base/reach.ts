/**
 * Whether this runner reaches an address: one HEAD request with a short timeout, in-process (node:http/https),
 * through the proxy the environment names (`https_proxy`/`HTTPS_PROXY`, `http_proxy`/`HTTP_PROXY`, minus
 * `no_proxy`/`NO_PROXY`) as curl and helm would take it. Any HTTP answer, whatever its status, means reachable:
 * the question is the network path (name resolution, a route, a TLS server answering), not the resource. Nothing
 * is sent but the request line and Host, and nothing received is used, so the server's certificate is not
 * verified: a runner whose helm trusts a company CA that Node's bundle lacks must not read as offline.
 */
import * as http from 'node:http'
import * as https from 'node:https'
import * as tls from 'node:tls'
import type { Duplex } from 'node:stream'

export type Reach = { ok: true; status: number } | { ok: false; error: string }

/** The proxy for a URL from the environment, as curl reads it; undefined when none applies. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const noProxy = (env.no_proxy ?? env.NO_PROXY ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
  const host = url.hostname.toLowerCase()
  if (noProxy.some((h) => h === '*' || host === h.replace(/^\./, '') || host.endsWith(h.startsWith('.') ? h : `.${h}`)))
    return undefined
  const value = url.protocol === 'https:' ? (env.https_proxy ?? env.HTTPS_PROXY) : (env.http_proxy ?? env.HTTP_PROXY)
  if (!value) return undefined
  try {
    return new URL(value.includes('://') ? value : `http://${value}`)
  } catch {
    return undefined
  }
}

const portOf = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80))

/** A tunnel to `url`'s host through an HTTP proxy (CONNECT), for an https request. */
function tunnel(proxy: URL, url: URL, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const target = `${url.hostname}:${portOf(url)}`
    const auth = proxy.username
      ? {
          'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`
        }
      : {}
    const req = http.request({
      host: proxy.hostname,
      port: portOf(proxy),
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...auth },
      timeout: timeoutMs
    })
    req.on('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket)
      else {
        socket.destroy()
        reject(new Error(`the proxy ${proxy.host} answered ${res.statusCode} to CONNECT ${target}`))
      }
    })
    req.on('timeout', () => req.destroy(new Error(`the proxy ${proxy.host} did not answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** One HEAD request to `address`; never throws. */
export async function reach(address: string, timeoutMs = 10_000, env: NodeJS.ProcessEnv = process.env): Promise<Reach> {
  let url: URL
  try {
    url = new URL(address)
  } catch {
    return { ok: false, error: `not an address: ${address}` }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, error: `not http(s): ${address}` }
  const proxy = proxyFor(url, env)
  const secure = url.protocol === 'https:'
  const base = { method: 'HEAD', timeout: timeoutMs, agent: false as const }
  try {
    let open: () => http.ClientRequest
    if (proxy && secure) {
      const socket = await tunnel(proxy, url, timeoutMs)
      const tlsSocket = tls.connect({ socket, servername: url.hostname, rejectUnauthorized: false })
      // No agent (agent: false would make one, which ignores createConnection): the request runs on the tunnel.
      open = () => https.request(url, { method: 'HEAD', timeout: timeoutMs, createConnection: () => tlsSocket })
    } else if (proxy) {
      // A plain-http request through a proxy names the whole address.
      open = () =>
        http.request({
          ...base,
          host: proxy.hostname,
          port: portOf(proxy),
          path: url.href,
          headers: { host: url.host }
        })
    } else {
      open = () => (secure ? https.request(url, { ...base, rejectUnauthorized: false }) : http.request(url, base))
    }
    const status = await new Promise<number>((resolve, reject) => {
      const req = open()
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
        req.destroy()
      })
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
      req.on('error', reject)
      req.end()
    })
    return { ok: true, status }
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    return { ok: false, error: [e.code, e.message].filter(Boolean).join(': ') }
  }
}
