// Loopback servers whose availability follows the simulated cluster, for the disruption probes (docs/disruption.md
// "The simulator"): the API server (HTTPS with its own CA, a client certificate required; /readyz), an application
// behind a Service (TCP) and behind ingress (HTTP), and the cluster DNS (UDP). Each listens only while what it
// stands for runs, so a probe meets what it would meet on a node: `refused` while kubelite restarts after a refresh
// (the API server and the application's pods, restarted by the refresh), `refused` at the ingress port while the
// ingress addon is disabled, HTTP 503 from ingress while the application behind it is down, no DNS answer (a
// timeout) while the dns addon is disabled or the cluster restarts, NXDOMAIN for a name no Service has. Every change
// is logged with its time (`truth()`): the tests compare what the action measured with it.
//
// Started by scripts/run-action.mjs in the test's process (`endpoints: {service: 'NS/NAME'}`); it watches the state
// file (the commands save it atomically) and wakes when a restart's readiness is due.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as http from 'node:http'
import * as https from 'node:https'
import * as net from 'node:net'
import * as dgram from 'node:dgram'
import { execFileSync } from 'node:child_process'
import { isReady, addonEnabled } from './cluster.mjs'
import { makeObject } from './objects.mjs'
import { hostPath, SNAP_DATA } from './host.mjs'

let tls
/** A self-signed EC certificate for 127.0.0.1, made once per process with openssl: CA, server and client at once. */
function certificate() {
  if (tls) return tls
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-tls-'))
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')]
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert
    ],
    { stdio: 'ignore' }
  )
  tls = { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') }
  fs.rmSync(dir, { recursive: true, force: true })
  return tls
}

/** A TCP server that listens on one fixed port only while `up`. */
class Switch {
  constructor(name, make, log) {
    Object.assign(this, { name, make, log, server: undefined, port: 0, up: undefined })
  }
  async open() {
    this.server = this.make()
    await new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = this.server.address().port
  }
  async set(up) {
    if (up === this.up) return
    this.up = up
    this.log.push({ name: this.name, up, atMs: Date.now() })
    if (up) await this.open()
    else if (this.server) {
      const s = this.server
      this.server = undefined
      s.close()
      s.closeAllConnections?.()
    }
  }
}

/** A DNS answer (RFC 1035 §4.1) to one query: A records of Services as NAME.NS.svc.cluster.local, else NXDOMAIN. */
function dnsAnswer(query, lookup) {
  let at = 12
  const labels = []
  while (query[at]) {
    labels.push(query.subarray(at + 1, at + 1 + query[at]).toString('ascii'))
    at += query[at] + 1
  }
  const questionEnd = at + 5
  const qtype = query.readUInt16BE(at + 1)
  const ip = lookup(labels.join('.').toLowerCase())
  const header = Buffer.alloc(12)
  query.copy(header, 0, 0, 2)
  header.writeUInt16BE(ip ? 0x8180 : 0x8183, 2)
  header.writeUInt16BE(1, 4)
  const answer = ip && qtype === 1 ? Buffer.alloc(16) : Buffer.alloc(0)
  if (answer.length) {
    answer.writeUInt16BE(0xc00c, 0)
    answer.writeUInt16BE(1, 2)
    answer.writeUInt16BE(1, 4)
    answer.writeUInt32BE(5, 6)
    answer.writeUInt16BE(4, 10)
    ip.split('.').forEach((octet, i) => (answer[12 + i] = Number(octet)))
    header.writeUInt16BE(1, 6)
  }
  return Buffer.concat([header, query.subarray(12, questionEnd), answer])
}

/**
 * Starts the endpoints for the simulation whose state is `statePath`, writes where they listen into the state
 * (`state.endpoints`, read by service-network.mjs) and adds the application's Service when the scenario lacks it.
 */
export async function startEndpoints(statePath, { service = 'demo/web' } = {}) {
  const log = []
  const { key, cert } = certificate()
  let current = JSON.parse(fs.readFileSync(statePath, 'utf8'))
  const ready = () => Boolean(current.cluster) && isReady(current)
  const api = new Switch(
    'API server',
    () =>
      https.createServer({ key, cert, ca: cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
        res.writeHead(req.url === '/readyz' ? 200 : 404).end(req.url === '/readyz' ? 'ok' : 'not found')
      }),
    log
  )
  const app = new Switch('application', () => http.createServer((req, res) => res.end('hello\n')), log)
  const ingress = new Switch(
    'ingress',
    () =>
      http.createServer((req, res) => {
        const up = ready()
        res.writeHead(up ? 200 : 503).end(up ? 'hello\n' : '503 Service Temporarily Unavailable\n')
      }),
    log
  )
  for (const s of [api, app, ingress]) {
    await s.open()
    s.server.close()
    s.server = undefined
  }
  const dns = dgram.createSocket('udp4')
  let dnsUp
  dns.on('message', (query, peer) => {
    if (!dnsUp || query.length < 17) return
    const lookup = (name) => {
      const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(name)
      const svc =
        m &&
        current.cluster.objects.find(
          (o) => o.kind === 'Service' && o.metadata.name === m[1] && o.metadata.namespace === m[2]
        )
      return svc?.spec?.clusterIP
    }
    dns.send(dnsAnswer(query, lookup), peer.port, peer.address)
  })
  await new Promise((resolve) => dns.bind(0, '127.0.0.1', resolve))

  const [ns, name] = service.split('/')
  const state = current
  state.endpoints = {
    api: api.port,
    tls: { cert: Buffer.from(cert).toString('base64'), key: Buffer.from(key).toString('base64') },
    ingress: ingress.port,
    services: {
      [service]: { ports: [{ port: app.port, protocol: 'TCP', targetPort: 8080 }] },
      'kube-system/kube-dns': {
        ports: [
          { name: 'dns', port: dns.address().port, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: dns.address().port, protocol: 'TCP', targetPort: 53 }
        ]
      }
    }
  }
  if (
    state.cluster &&
    !state.cluster.objects.some((o) => o.kind === 'Service' && o.metadata.name === name && o.metadata.namespace === ns)
  )
    state.cluster.objects.push(
      makeObject('Service', {
        namespace: ns,
        name,
        spec: { clusterIP: '10.152.183.77', ports: [{ port: 80, protocol: 'TCP' }] }
      })
    )
  // The node sees the same loopback network: its kubelet resolves through the kube-dns Service it is pointed at,
  // so --cluster-dns names the address the Service now shows (a kubelet pointing elsewhere would be a node-local
  // cache, which the action keeps dns for).
  const kubeletArgs = state.root && hostPath(state, `${SNAP_DATA}/args/kubelet`)
  if (kubeletArgs && fs.existsSync(kubeletArgs))
    fs.writeFileSync(
      kubeletArgs,
      fs.readFileSync(kubeletArgs, 'utf8').replace(/^--cluster-dns=.*$/m, '--cluster-dns=127.0.0.1')
    )
  fs.writeFileSync(statePath, JSON.stringify(state, null, 1))

  let wake
  let chain = Promise.resolve()
  const evaluate = () => {
    chain = chain.then(async () => {
      try {
        current = JSON.parse(fs.readFileSync(statePath, 'utf8'))
      } catch {
        return // being replaced; the rename's event follows
      }
      const up = ready()
      await api.set(up)
      await app.set(up)
      await ingress.set(Boolean(current.cluster) && addonEnabled(current, 'ingress'))
      const dnsNow = up && addonEnabled(current, 'dns')
      if (dnsNow !== dnsUp) log.push({ name: 'dns', up: dnsNow, atMs: Date.now() })
      dnsUp = dnsNow
      clearTimeout(wake)
      const readyAt = current.cluster?.readyAt
      if (readyAt && readyAt > Date.now()) wake = setTimeout(evaluate, readyAt - Date.now() + 1)
    })
  }
  const watcher = fs.watch(path.dirname(statePath), (event, file) => {
    if (file === path.basename(statePath)) evaluate()
  })
  evaluate()
  await chain
  return {
    ports: { api: api.port, app: app.port, ingress: ingress.port, dns: dns.address().port },
    /** Every change of what is up, in order: `{name, up, atMs}` (epoch milliseconds). */
    truth: () => [...log],
    async stop() {
      watcher.close()
      clearTimeout(wake)
      await chain
      for (const s of [api, app, ingress]) s.server?.close()
      dns.close()
    }
  }
}
