// One HEAD request with a short timeout, direct or through the environment's proxy: any answer is reachable, a
// dropped connection, a refused one or silence is not. Loopback servers only: no test leaves this machine.
import { describe, it, expect, afterAll } from 'vitest'
import * as http from 'node:http'
import * as https from 'node:https'
import * as net from 'node:net'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { spawnSync } from 'node:child_process'
import { proxyFor, reach } from '../../src/base/reach.js'

const servers: net.Server[] = []
afterAll(() => servers.forEach((s) => s.close()))

async function listen(server: net.Server): Promise<number> {
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as net.AddressInfo).port
}

describe('reach', () => {
  it('any status is an answer; a dropped connection or none is not', async () => {
    const port = await listen(
      http.createServer((req, res) => {
        if (req.url === '/drop') {
          req.socket.destroy()
          return
        }
        if (req.url === '/silent') return
        res.writeHead(req.url === '/missing' ? 404 : 200)
        res.end()
      })
    )
    const env = {}
    expect(await reach(`http://127.0.0.1:${port}/`, 2000, env)).toEqual({ ok: true, status: 200 })
    expect(await reach(`http://127.0.0.1:${port}/missing`, 2000, env)).toEqual({ ok: true, status: 404 })
    expect(await reach(`http://127.0.0.1:${port}/drop`, 2000, env)).toMatchObject({ ok: false, error: /ECONNRESET/ })
    expect(await reach(`http://127.0.0.1:${port}/silent`, 200, env)).toMatchObject({ ok: false, error: /200 ms/ })
    expect(await reach('ftp://127.0.0.1/', 200, env)).toMatchObject({ ok: false })
  })

  it('a refused connection is not', async () => {
    const server = net.createServer()
    const port = await listen(server)
    await new Promise((resolve) => server.close(resolve))
    expect(await reach(`http://127.0.0.1:${port}/`, 2000, {})).toMatchObject({ ok: false, error: /ECONNREFUSED/ })
  })

  it('goes through http_proxy for plain http, naming the whole address', async () => {
    const seen: string[] = []
    const proxy = await listen(
      http.createServer((req, res) => {
        seen.push(`${req.method} ${req.url}`)
        res.writeHead(204)
        res.end()
      })
    )
    const r = await reach('http://upstream.example.test/charts', 2000, { http_proxy: `http://127.0.0.1:${proxy}` })
    expect(r).toEqual({ ok: true, status: 204 })
    expect(seen).toEqual(['HEAD http://upstream.example.test/charts'])
  })

  it('tunnels https through https_proxy (CONNECT), and a refused CONNECT is an error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reach-'))
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem')
    ])
    if (made.status !== 0) return // no openssl: the tunnel is exercised where it exists
    const target = await listen(
      https.createServer(
        { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) },
        (_req, res) => {
          res.writeHead(200)
          res.end()
        }
      )
    )
    // Direct: a self-signed certificate still answers.
    expect(await reach(`https://127.0.0.1:${target}/`, 3000, {})).toEqual({ ok: true, status: 200 })
    const connects: string[] = []
    const proxyServer = http.createServer()
    proxyServer.on('connect', (req, socket: net.Socket) => {
      connects.push(req.url!)
      if (req.url!.startsWith('denied')) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
        return
      }
      const upstream = net.connect(target, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.pipe(socket)
        socket.pipe(upstream)
      })
    })
    const proxy = await listen(proxyServer)
    const env = { HTTPS_PROXY: `127.0.0.1:${proxy}` }
    // The name is the proxy's to resolve; the certificate (self-signed) is not what is checked.
    expect(await reach(`https://charts.example.test:${target}/`, 3000, env)).toEqual({ ok: true, status: 200 })
    expect(connects).toEqual([`charts.example.test:${target}`])
    expect(await reach(`https://denied.example.test/`, 3000, env)).toMatchObject({ ok: false, error: /403/ })
  })
})

describe('proxyFor', () => {
  const url = new URL('https://charts.example.test/x')
  it('takes https_proxy for https and honours no_proxy (suffixes, leading dots, *)', () => {
    expect(proxyFor(url, { https_proxy: 'http://p:3128' })?.host).toBe('p:3128')
    expect(proxyFor(url, { HTTPS_PROXY: 'p:3128' })?.host).toBe('p:3128')
    expect(proxyFor(url, { http_proxy: 'http://p:3128' })).toBeUndefined()
    expect(proxyFor(url, { https_proxy: 'http://p:3128', no_proxy: 'example.test' })).toBeUndefined()
    expect(proxyFor(url, { https_proxy: 'http://p:3128', NO_PROXY: '.example.test' })).toBeUndefined()
    expect(proxyFor(url, { https_proxy: 'http://p:3128', no_proxy: '*' })).toBeUndefined()
    expect(proxyFor(url, { https_proxy: 'http://p:3128', no_proxy: 'other.test' })?.host).toBe('p:3128')
  })
})
