// The simulator as one long-lived process: sim/bin/{snap,microk8s,iptables,dmesg,git} hand each command to
// it over a local TCP connection instead of starting Node (which costs ~70 ms of CPU per command; a run makes
// dozens). What a command sees is the same as when it runs as its own process: the caller's environment, user
// id, stdin and its own stdout/stderr, exit code, `process.on('exit')` handlers. Used by scripts/run-action.mjs (tests, demo, bench);
// without MICROK8S_SIM_SERVER the commands run as their own Node process, as before.
//
// Protocol (one connection per command), from the client: NUL-terminated fields
//   tool, pid, uid, isTTY (1 or empty), started (epoch seconds with decimals), argc, args…, stdin, env (k=v)…, ''
// and back: "<exit code> <stdout file> <stderr file>\n". The output goes through files in the state's directory
// because a shell reads a file in blocks but a socket one byte at a time. A client that goes away before the answer
// (killed by `timeout`) leaves no trace, as a killed process would: no state saved, no call logged.
import * as net from 'node:net'
import fs from 'node:fs'
import * as path from 'node:path'
import { AsyncLocalStorage } from 'node:async_hooks'
import { syncBuiltinESMExports } from 'node:module'
import { requestContext } from './state.mjs'

const request = new AsyncLocalStorage()
// Commands may come from another user (a non-root runner in the tests): files this process creates for them (the
// state, the call log) must stay writable by that user and by the simulated tools that run as their own process.
process.umask(0)
requestContext.current = () => request.getStore()

class Exit extends Error {
  constructor(code) {
    super(`exit ${code}`)
    this.code = code
  }
}

// Route what a command does with its process to the request it serves.
const real = {
  env: process.env,
  stdin: Object.getOwnPropertyDescriptor(process, 'stdin'),
  stdoutWrite: process.stdout.write.bind(process.stdout),
  stderrWrite: process.stderr.write.bind(process.stderr),
  exit: process.exit.bind(process),
  on: process.on,
  once: process.once,
  getuid: process.getuid.bind(process),
  readSync: fs.readSync,
  readFileSync: fs.readFileSync,
  timeOrigin: performance.timeOrigin
}
process.env = new Proxy(
  {},
  {
    get: (_, k) => (request.getStore()?.env ?? real.env)[k],
    set: (_, k, v) => {
      ;(request.getStore()?.env ?? real.env)[k] = String(v)
      return true
    },
    has: (_, k) => k in (request.getStore()?.env ?? real.env),
    deleteProperty: (_, k) => delete (request.getStore()?.env ?? real.env)[k],
    ownKeys: () => Reflect.ownKeys(request.getStore()?.env ?? real.env),
    getOwnPropertyDescriptor: (_, k) => {
      const env = request.getStore()?.env ?? real.env
      return k in env ? { value: env[k], writable: true, enumerable: true, configurable: true } : undefined
    }
  }
)
Object.defineProperty(process, 'stdin', {
  configurable: true,
  get: () => {
    const r = request.getStore()
    return r ? { isTTY: r.tty, fd: 0 } : real.stdin.get.call(process)
  }
})
const writer = (stream, fallback) =>
  function (chunk, encoding, callback) {
    const r = request.getStore()
    if (!r) return fallback(chunk, encoding, callback)
    if (!r.abandoned) r[stream].push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk))
    const cb = typeof encoding === 'function' ? encoding : callback
    if (cb) queueMicrotask(cb)
    return true
  }
process.stdout.write = writer('stdout', real.stdoutWrite)
process.stderr.write = writer('stderr', real.stderrWrite)
process.exit = (code) => {
  if (request.getStore()) throw new Exit(code ?? process.exitCode ?? 0)
  real.exit(code)
}
for (const method of ['on', 'once']) {
  process[method] = function (event, handler) {
    const r = request.getStore()
    if (r && event === 'exit') {
      r.exitHandlers.push(handler)
      return this
    }
    return real[method].call(this, event, handler)
  }
}
process.getuid = () => request.getStore()?.uid ?? real.getuid()
Object.defineProperty(performance, 'timeOrigin', {
  configurable: true,
  get: () => request.getStore()?.started ?? real.timeOrigin
})
// stdin (fd 0) of a command is what its client sent.
fs.readSync = function (fd, buffer, ...rest) {
  const r = request.getStore()
  if (!r || fd !== 0) return real.readSync.call(fs, fd, buffer, ...rest)
  const [offset = 0, length = buffer.length - offset] = typeof rest[0] === 'object' ? [] : rest
  const n = Math.min(length, r.stdin.length - r.stdinAt)
  r.stdin.copy(buffer, offset, r.stdinAt, r.stdinAt + n)
  r.stdinAt += n
  return n
}
fs.readFileSync = function (file, options) {
  const r = request.getStore()
  if (!r || (file !== 0 && file !== '/dev/stdin')) return real.readFileSync.call(fs, file, options)
  const rest = r.stdin.subarray(r.stdinAt)
  r.stdinAt = r.stdin.length
  const encoding = typeof options === 'string' ? options : options?.encoding
  return encoding ? rest.toString(encoding) : rest
}
syncBuiltinESMExports()

const { runTool } = await import('./main.mjs')

/** Splits the request into its NUL-terminated fields once the terminating empty field has arrived. */
function parseRequest(buffer) {
  const fields = []
  let at = 0
  for (;;) {
    const end = buffer.indexOf(0, at)
    if (end < 0) return undefined
    fields.push(buffer.subarray(at, end))
    at = end + 1
    if (fields.length > 6) {
      const argc = Number(fields[5])
      if (fields.length > 6 + argc + 1 && fields[fields.length - 1].length === 0) break
    }
  }
  const text = fields.map((f) => f.toString('utf8'))
  const argc = Number(text[5])
  const env = {}
  for (const kv of text.slice(7 + argc, -1)) {
    const eq = kv.indexOf('=')
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1)
  }
  return {
    tool: text[0],
    pid: text[1],
    uid: Number(text[2]),
    tty: text[3] === '1',
    started: Math.round(Number(text[4].replace(',', '.')) * 1000) || Date.now(),
    argv: text.slice(6, 6 + argc),
    stdin: fields[6 + argc],
    env
  }
}

/** Reads from the socket until the request is complete (a stream iterator would close the socket on break). */
function readRequest(socket) {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0)
    const onData = (chunk) => {
      buffer = Buffer.concat([buffer, chunk])
      const req = parseRequest(buffer)
      if (!req) return
      socket.off('data', onData)
      resolve(req)
    }
    socket.on('data', onData)
    socket.on('end', () => resolve(undefined))
  })
}

async function serve(socket) {
  const r = { stdinAt: 0, stdout: [], stderr: [], exitHandlers: [], abandoned: false }
  socket.on('close', () => (r.abandoned = true))
  socket.on('error', () => (r.abandoned = true))
  const req = await readRequest(socket)
  if (!req) return socket.destroy()
  Object.assign(r, req)
  const code = await request.run(r, async () => {
    let exitCode
    try {
      exitCode = await runTool(r.tool, r.argv)
    } catch (error) {
      if (error instanceof Exit) exitCode = error.code
      else {
        process.stderr.write(`${error?.stack ?? error}\n`)
        exitCode = 1
      }
    }
    if (!r.abandoned) for (const handler of r.exitHandlers) handler(exitCode)
    return exitCode
  })
  if (r.abandoned) return
  const dir = path.dirname(r.env.MICROK8S_SIM_STATE ?? '') || '.'
  const files = ['stdout', 'stderr'].map((stream) => {
    const file = path.join(dir, `.${stream}.${r.pid}`)
    fs.writeFileSync(file, Buffer.concat(r[stream]))
    return file
  })
  socket.once('close', () => files.forEach((f) => fs.rmSync(f, { force: true })))
  socket.end(`${code} ${files.join(' ')}\n`)
}

const server = net.createServer((socket) => void serve(socket))
server.listen(0, '127.0.0.1', () => real.stdoutWrite(`${server.address().port}\n`))
// Ends with its parent: the parent holds our stdin open.
process.stdin.on('end', () => real.exit(0))
process.stdin.resume()
