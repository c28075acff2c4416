// CPU cost of the disruption sampler (src/probes/sampler.ts, docs/disruption.md), against its target of at most 1 %
// of one core at the default 1 s interval. The real Sampler and the real checks (src/probes/checks.ts: a new
// connection per sample, TLS with a client certificate for the API server, a new DNS resolver per query), compiled
// from the source with TypeScript's transpiler, sample the simulator's loopback endpoints (sim/lib/endpoints.mjs)
// of a ready demo cluster: the API server's /readyz (HTTPS, client certificate required), ingress (HTTP), the
// application behind its Service (TCP) and the cluster DNS (an A query over UDP). The sampler runs in a child
// process of its own and the endpoints in this one, so their serving is not counted. The child measures its
// process CPU (process.cpuUsage, user + system) over an idle stretch of the same length and then over the sampling,
// after a short warm-up; the difference per second of wall time is the sampling's share of one core.
// Usage: import { samplerCpu } (bench/run.mjs prints it), or `node bench/probes-cpu.mjs [--samples N] [--interval MS]`.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SELF = fileURLToPath(import.meta.url)
/** The target: at most this much of one core at a 1 s interval. */
export const TARGET_PCT = 1
const WARM_UP_SAMPLES = 3

/** src/probes' sampler, its outage tracker and its checks as JavaScript in `dir` (they import only Node's modules). */
async function compileProbes(dir) {
  const ts = (await import('typescript')).default
  for (const name of ['sampler', 'outages', 'checks']) {
    const source = fs.readFileSync(path.join(ROOT, 'src', 'probes', `${name}.ts`), 'utf8')
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext }
    })
    fs.writeFileSync(path.join(dir, `${name}.js`), outputText)
  }
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n')
}

/**
 * Runs the bench: `samples` samples of each target at `intervalMs`. Returns the CPU microseconds and wall
 * milliseconds of the idle stretch and of the sampling, each target's samples and answers, and the share of one
 * core the sampling took above idle (`pct`).
 */
export async function samplerCpu({ samples = 60, intervalMs = 1000 } = {}) {
  const { createSimulation, readScenario } = await import('../sim/lib/scenario.mjs')
  const { startEndpoints } = await import('../sim/lib/endpoints.mjs')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-probes-'))
  const sim = createSimulation(readScenario(path.join(ROOT, 'sim', 'scenarios', 'demo.yaml')), path.join(dir, 'sim'))
  const endpoints = await startEndpoints(sim.statePath, { service: 'demo/web' })
  try {
    const { tls } = JSON.parse(fs.readFileSync(sim.statePath, 'utf8')).endpoints
    const modules = path.join(dir, 'probes')
    fs.mkdirSync(modules)
    await compileProbes(modules)
    const config = { modules, samples, intervalMs, ports: endpoints.ports, tls }
    const child = spawn(process.execPath, [SELF, '--child'], {
      env: { ...process.env, BENCH_PROBES: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    const code = await new Promise((resolve) => child.on('close', resolve))
    if (code !== 0) throw new Error(`the sampling process exited ${code}`)
    const r = JSON.parse(out)
    const perWall = (us, ms) => us / (ms * 1000)
    return { ...r, pct: (perWall(r.sampling.cpuUs, r.sampling.wallMs) - perWall(r.idle.cpuUs, r.idle.wallMs)) * 100 }
  } finally {
    await endpoints.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The child: warm-up, an idle stretch, then the sampling, each measured with process.cpuUsage. */
async function child() {
  const config = JSON.parse(process.env.BENCH_PROBES)
  const { modules, samples, intervalMs, ports, tls } = config
  const { Sampler } = await import(pathToFileURL(path.join(modules, 'sampler.js')).href)
  const { checkHttp, checkTcp, checkDns } = await import(pathToFileURL(path.join(modules, 'checks.js')).href)
  const cert = Buffer.from(tls.cert, 'base64').toString('utf8')
  const key = Buffer.from(tls.key, 'base64').toString('utf8')
  // What src/probes/resolve.ts resolves each target to, on the endpoints' loopback addresses: the kubeconfig's
  // server, CA and client certificate for the API server; a Service's cluster IP and port; the kube-dns Service.
  const targets = [
    { kind: 'apiserver', label: 'API server' },
    { kind: 'http', label: 'web', url: `http://127.0.0.1:${ports.ingress}/` },
    { kind: 'service', label: 'app', namespace: 'demo', name: 'web', port: ports.app },
    { kind: 'dns', label: 'dns', name: 'web.demo.svc.cluster.local' }
  ]
  const checks = {
    apiserver: (t) => (ms) => checkHttp({ url: `https://127.0.0.1:${ports.api}/readyz`, ca: cert, cert, key }, ms),
    http: (t) => (ms) => checkHttp({ url: t.url }, ms),
    service: (t) => (ms) => checkTcp('127.0.0.1', t.port, ms),
    dns: (t) => (ms) => checkDns(`127.0.0.1:${ports.dns}`, t.name, ms)
  }
  const resolve = async (t) => checks[t.kind](t)
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
  /** `n` samples of each target: started at tick 0, stopped half an interval after tick n − 1. */
  const sample = async (n) => {
    const sampler = new Sampler(targets, intervalMs, resolve, Date.now())
    sampler.start()
    await sleep((n - 0.5) * intervalMs)
    return sampler.stop()
  }
  const measure = async (work) => {
    const cpu = process.cpuUsage()
    const start = performance.now()
    const result = await work()
    const used = process.cpuUsage(cpu)
    return { cpuUs: used.user + used.system, wallMs: performance.now() - start, result }
  }
  await sample(WARM_UP_SAMPLES)
  // The first tick resolves each target (its first sample follows at once): as in the action, the check is built
  // once. One sample per target per tick from then on.
  const idle = await measure(() => sleep(samples * intervalMs))
  const sampling = await measure(() => sample(samples))
  const targetsOut = sampling.result.map((t) => ({
    label: t.label,
    sent: t.samples + t.notYetUp,
    answered: t.samples - t.failures,
    outages: t.outages.length
  }))
  process.stdout.write(
    JSON.stringify({
      samples,
      intervalMs,
      idle: { cpuUs: idle.cpuUs, wallMs: idle.wallMs },
      sampling: { cpuUs: sampling.cpuUs, wallMs: sampling.wallMs },
      targets: targetsOut
    })
  )
}

/** The bench's lines: the figure against the target, and what was sampled. */
export function report(r) {
  const sent = r.targets.reduce((n, t) => n + t.sent, 0)
  const answered = r.targets.reduce((n, t) => n + t.answered, 0)
  return {
    figure: `${r.pct.toFixed(2)} %`,
    ok: r.pct <= TARGET_PCT && answered === sent,
    detail:
      `${r.targets.length} targets (${r.targets.map((t) => t.label).join(', ')}), ${r.samples} samples each at ` +
      `${r.intervalMs} ms: ${answered} of ${sent} answered; CPU ${(r.sampling.cpuUs / 1000).toFixed(0)} ms in ` +
      `${(r.sampling.wallMs / 1000).toFixed(1)} s sampling, ${(r.idle.cpuUs / 1000).toFixed(0)} ms in ` +
      `${(r.idle.wallMs / 1000).toFixed(1)} s idle; ${((r.sampling.cpuUs - (r.idle.cpuUs * r.sampling.wallMs) / r.idle.wallMs) / sent).toFixed(0)} µs per sample above idle`
  }
}

if (process.argv[2] === '--child') await child()
else if (process.argv[1] === SELF) {
  const args = process.argv.slice(2)
  const opt = (name, fallback) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback)
  const r = await samplerCpu({ samples: opt('samples', 60), intervalMs: opt('interval', 1000) })
  const { figure, ok, detail } = report(r)
  console.log(
    `disruption sampler: ${figure} of one core above idle (target ≤ ${TARGET_PCT} %, every sample answered): ${ok ? 'ok' : 'MISSED'}`
  )
  console.log(`  ${detail}`)
}
