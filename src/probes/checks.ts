/**
 * One sample of one target, inside this process (no program started per sample), on a fresh connection
 * (`agent: false`, `Connection: close`: a kept-alive socket would hide a restarted server), bounded by `timeoutMs`.
 * Up is: a 2xx or 3xx answer (http, /readyz), an accepted TCP connection (a Service's cluster IP), at least one
 * A record (dns). A failure is named by its kind, never by the target's text: `timeout`, `refused`, `reset`,
 * `HTTP <status>`, `NXDOMAIN`, `SERVFAIL`, `TLS`, `unreachable`, else `error`.
 */
import * as http from 'node:http'
import * as https from 'node:https'
import * as net from 'node:net'
import { promises as dns } from 'node:dns'

export interface CheckResult {
  ok: boolean
  kind?: string
}

/** Where and how to send an http(s) sample: the URL plus, for the API server, the kubeconfig's credentials. */
export interface HttpCheck {
  url: string
  ca?: string
  cert?: string
  key?: string
  token?: string
}

/** The kind of a failed request from its error code (Node's errno names and c-ares' DNS codes). */
export function failureKind(error: unknown): string {
  const code = String((error as NodeJS.ErrnoException)?.code ?? (error as Error)?.name ?? '')
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT' || code === 'TimeoutError' || code === 'AbortError') return 'timeout'
  if (code === 'ECONNREFUSED') return 'refused'
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'reset'
  if (code === 'ENOTFOUND' || code === 'ENODATA') return 'NXDOMAIN'
  if (code === 'ESERVFAIL') return 'SERVFAIL'
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable'
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return 'TLS'
  return 'error'
}

/** Settles once: the first of the check's own outcome and the deadline. */
function bounded(timeoutMs: number, start: (done: (r: CheckResult) => void) => () => void): Promise<CheckResult> {
  return new Promise((resolve) => {
    let settled = false
    let cleanup = () => {}
    const done = (r: CheckResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      cleanup()
      resolve(r)
    }
    const timer = setTimeout(() => done({ ok: false, kind: 'timeout' }), timeoutMs)
    cleanup = start(done)
  })
}

export function checkHttp(target: HttpCheck, timeoutMs: number): Promise<CheckResult> {
  return bounded(timeoutMs, (done) => {
    const url = new URL(target.url)
    const options: https.RequestOptions = {
      method: 'GET',
      agent: false,
      headers: {
        Connection: 'close',
        'User-Agent': 'microk8s-upgrade-action-probe',
        ...(target.token ? { Authorization: `Bearer ${target.token}` } : {})
      },
      ...(target.ca ? { ca: target.ca } : {}),
      ...(target.cert && target.key ? { cert: target.cert, key: target.key } : {})
    }
    const request = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      const status = res.statusCode ?? 0
      res.resume()
      done(status >= 200 && status < 400 ? { ok: true } : { ok: false, kind: `HTTP ${status}` })
      res.destroy()
    })
    request.on('error', (error) => done({ ok: false, kind: failureKind(error) }))
    request.end()
    return () => request.destroy()
  })
}

export function checkTcp(host: string, port: number, timeoutMs: number): Promise<CheckResult> {
  return bounded(timeoutMs, (done) => {
    const socket = net.connect({ host, port })
    socket.once('connect', () => done({ ok: true }))
    socket.once('error', (error) => done({ ok: false, kind: failureKind(error) }))
    return () => socket.destroy()
  })
}

/** Resolves `name` (A records) through `server` (`IP` or `IP:PORT`, the cluster's DNS Service). */
export function checkDns(server: string, name: string, timeoutMs: number): Promise<CheckResult> {
  return bounded(timeoutMs, (done) => {
    const resolver = new dns.Resolver({ timeout: Math.max(1, timeoutMs), tries: 1 })
    resolver.setServers([server])
    resolver.resolve4(name).then(
      (addresses) => done(addresses.length ? { ok: true } : { ok: false, kind: 'NXDOMAIN' }),
      (error) => done({ ok: false, kind: failureKind(error) })
    )
    return () => resolver.cancel()
  })
}
