// Runs the bundled action (dist/index.js) exactly as the runner does: inputs as INPUT_* variables with
// action.yml's defaults filled in, GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files, RUNNER_TEMP — against a
// simulator built from a scenario. Used by `npm run demo`, the integration tests and the bench.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { createSimulation, readScenario } from '../sim/lib/scenario.mjs'
import { readStateWithCalls, callLogPath } from '../sim/lib/state.mjs'
import { startEndpoints } from '../sim/lib/endpoints.mjs'
import { internetOf, startInternet } from '../sim/lib/internet.mjs'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const ACTION = parseYaml(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'))
const REPORT_ACTION = parseYaml(fs.readFileSync(path.join(ROOT, 'report', 'action.yml'), 'utf8'))

/** Parses a GITHUB_OUTPUT / GITHUB_STATE file (`name<<delimiter` blocks, or `name=value` lines). */
export function parseCommandFile(text) {
  const out = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i])
    if (m) {
      const value = []
      for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i])
      out[m[1]] = value.join('\n')
    } else if (lines[i].includes('=')) {
      const k = lines[i].slice(0, lines[i].indexOf('='))
      out[k] = lines[i].slice(k.length + 1)
    }
  }
  return out
}

/**
 * `overrides` merged into `base`, key by key: where both hold an object the two are merged, anything else (an
 * array too) replaces. (`runAction`'s own `overrides` replace whole top-level fields, as the tests expect.)
 */
export function deepMerge(base, overrides) {
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)
  if (!isObject(base) || !isObject(overrides)) return overrides
  const out = { ...base }
  for (const [k, v] of Object.entries(overrides)) out[k] = isObject(out[k]) && isObject(v) ? deepMerge(out[k], v) : v
  return out
}

/** The inputs action.yml declares, by name. */
export const ACTION_INPUTS = Object.keys(ACTION.inputs)

/** The environment the runner gives a step: action.yml defaults, then the given inputs. */
export function inputEnv(inputs, action = ACTION) {
  const env = {}
  for (const [name, spec] of Object.entries(action.inputs)) {
    let value = inputs[name] ?? spec.default ?? ''
    if (value === '${{ github.token }}') value = ''
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = String(value)
  }
  for (const [name, value] of Object.entries(inputs)) {
    if (!(name in action.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = String(value)
  }
  return env
}

/**
 * @param {object} o
 * @param {string|object} o.scenario  scenario file (YAML) or object
 * @param {object} o.inputs           action inputs by name
 * @param {string} o.dir              working directory for this run (created)
 * @param {object} [o.env]            extra environment (overrides)
 * @param {object} [o.overrides]      scenario fields to override
 * @param {boolean|Function} [o.echo] stream the action's output to this process, or to `echo(stream, chunk)`
 * @param {boolean} [o.post]          also run the post step afterwards
 * @param {boolean} [o.simServer]     serve the simulated commands from one process (default; much less CPU)
 * @param {string} [o.interruptAfter] a regular expression over the simulator's call lines ("microk8s disable dns"):
 *   the main step and every process it started are killed (SIGKILL) as soon as a matching command has completed,
 *   as when a job is cancelled or times out; the post step, when asked, then runs with the state saved so far
 * @param {object} [o.endpoints]      start loopback servers following the cluster (sim/lib/endpoints.mjs):
 *   `{service: 'NS/NAME'}`; `inputs` may then be a function of their ports (`{api, app, ingress, dns}`), and the
 *   result holds `endpoints: {ports, truth}`
 * Under vitest the report, when one is written, must match the report schema (checkReport), else this throws.
 */
export async function runAction({
  scenario,
  inputs = {},
  dir,
  env = {},
  overrides = {},
  echo = false,
  post = false,
  spawnOptions = {},
  simServer = true,
  interruptAfter,
  endpoints
}) {
  fs.mkdirSync(dir, { recursive: true })
  const scenarioObject = typeof scenario === 'string' ? readScenario(scenario) : scenario
  // The sources addon enables download from are this process's loopback "internet" (sim/lib/internet.mjs).
  const internet = { ...internetOf(overrides.internet ?? scenarioObject.internet), url: (await sharedInternet()).url }
  const sim = createSimulation(scenarioObject, path.join(dir, 'sim'), { ...overrides, internet })
  const servers = endpoints ? await startEndpoints(sim.statePath, endpoints === true ? {} : endpoints) : undefined
  if (typeof inputs === 'function') inputs = inputs(servers?.ports ?? {})
  const files = {
    output: path.join(dir, 'github_output'),
    state: path.join(dir, 'github_state'),
    env: path.join(dir, 'github_env'),
    summary: path.join(dir, 'step_summary.md'),
    temp: path.join(dir, 'runner_temp'),
    home: path.join(dir, 'home')
  }
  fs.mkdirSync(files.temp, { recursive: true })
  fs.mkdirSync(files.home, { recursive: true })
  for (const f of [files.output, files.state, files.env, files.summary]) fs.writeFileSync(f, '')
  const baseEnv = {
    ...process.env,
    ...sim.env,
    ...inputEnv(inputs),
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: files.temp,
    RUNNER_OS: 'Linux',
    HOME: files.home,
    GITHUB_JOB: 'upgrade',
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: 'push',
    ...env
  }
  for (const [k, v] of Object.entries(baseEnv)) if (v === undefined) delete baseEnv[k]
  // Running as another user (a non-root runner): let it use the files this process made.
  if (spawnOptions.uid !== undefined) chmodTree(dir)
  if (simServer) baseEnv.MICROK8S_SIM_SERVER = String((await sharedSimServer()).port)
  const interrupt = interruptAfter && { pattern: new RegExp(interruptAfter), calls: callLogPath(sim.statePath) }
  const main = await spawnNode(path.join(ROOT, 'dist', 'index.js'), baseEnv, echo, spawnOptions, interrupt)
  const outputs = parseCommandFile(fs.readFileSync(files.output, 'utf8'))
  const savedState = parseCommandFile(fs.readFileSync(files.state, 'utf8'))
  let postRun
  if (post) {
    const stateEnv = Object.fromEntries(Object.entries(savedState).map(([k, v]) => [`STATE_${k}`, v]))
    postRun = await spawnNode(path.join(ROOT, 'dist', 'index.js'), { ...baseEnv, ...stateEnv }, echo, spawnOptions)
  }
  const reportPath = outputs['report-file']
  await servers?.stop()
  const report = reportPath && fs.existsSync(reportPath) ? JSON.parse(fs.readFileSync(reportPath, 'utf8')) : undefined
  // import.meta.env: only where vite loaded this file (a test), not in a demo that a test runs with plain node.
  if (report && process.env.VITEST && import.meta.env) await checkReport(report, reportPath)
  return {
    ...main,
    outputs,
    savedState,
    exported: parseCommandFile(fs.readFileSync(files.env, 'utf8')),
    post: postRun,
    summary: fs.readFileSync(files.summary, 'utf8'),
    report,
    state: readStateWithCalls(sim.statePath),
    files,
    sim,
    ...(servers ? { endpoints: { ports: servers.ports, truth: servers.truth() } } : {})
  }
}

/**
 * Under vitest, every report a run writes is checked against the schema in ajv's strict mode
 * (test/helpers/schema.ts), whether or not the test looks at it: a report off its schema fails the test.
 */
async function checkReport(report, file) {
  const { validateReport } = await import('../test/helpers/schema.ts')
  const errors = validateReport(report)
  if (errors.length)
    throw new Error(`the report ${file} does not match schema/report.schema.json:\n${errors.join('\n')}`)
}

/**
 * Runs the bundled report action (report/dist/index.js) as the runner does: inputs from report/action.yml's
 * defaults and the given ones, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, RUNNER_TEMP, the workspace as cwd.
 * @param {object} o
 * @param {object} o.inputs     report action inputs by name
 * @param {string} o.dir        working directory for this run (created)
 * @param {string} [o.workspace] GITHUB_WORKSPACE and cwd (default: dir)
 * @param {object} [o.env]      extra environment (overrides)
 */
export async function runReportAction({ inputs = {}, dir, workspace = dir, env = {}, echo = false }) {
  fs.mkdirSync(dir, { recursive: true })
  const files = {
    output: path.join(dir, 'report_output'),
    summary: path.join(dir, 'report_summary.md'),
    temp: path.join(dir, 'report_temp')
  }
  fs.mkdirSync(files.temp, { recursive: true })
  for (const f of [files.output, files.summary]) fs.writeFileSync(f, '')
  const runEnv = {
    ...process.env,
    ...inputEnv(inputs, REPORT_ACTION),
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: files.temp,
    GITHUB_JOB: 'grid',
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_RUN_ID: '4242',
    GITHUB_EVENT_NAME: 'push',
    ...env
  }
  for (const [k, v] of Object.entries(runEnv)) if (v === undefined) delete runEnv[k]
  const result = await spawnNode(path.join(ROOT, 'report', 'dist', 'index.js'), runEnv, echo, { cwd: workspace })
  const outputs = parseCommandFile(fs.readFileSync(files.output, 'utf8'))
  return { ...result, outputs, summary: fs.readFileSync(files.summary, 'utf8'), files }
}

let shared
let sharedNet

/** One simulated internet (a loopback HTTP server) for all runs of this process. */
export function sharedInternet() {
  sharedNet ??= startInternet().catch((error) => {
    sharedNet = undefined
    throw error
  })
  return sharedNet
}

/**
 * One simulator server for all runs of this process (each command names its own state file), started on first use;
 * it does not keep this process alive and ends when this process does.
 */
export function sharedSimServer() {
  shared ??= startSimServer({ detached: true }).catch((error) => {
    shared = undefined
    throw error
  })
  return shared
}

/**
 * Starts sim/lib/server.mjs; resolves once it listens. It ends when stopped or when this process goes (its stdin
 * closes). `detached`: it does not keep this process alive.
 */
export function startSimServer({ detached = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'sim', 'lib', 'server.mjs')], {
      stdio: ['pipe', 'pipe', 'inherit']
    })
    let out = ''
    child.on('error', reject)
    child.on('exit', (code) => {
      if (shared && detached) shared = undefined
      reject(new Error(`the simulator server exited (${code}) before listening`))
    })
    child.stdout.on('data', (d) => {
      out += d
      const port = Number(out.split('\n')[0])
      if (!out.includes('\n') || !(port > 0)) return
      // Only now: until the port arrives, the pipes are what keeps this process waiting for it.
      if (detached) for (const handle of [child, child.stdin, child.stdout]) handle.unref()
      resolve({
        port,
        stop: () => {
          child.stdin.end()
          child.kill()
        }
      })
    })
  })
}

function chmodTree(p) {
  fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o777 : 0o666)
  if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chmodTree(path.join(p, e))
}

/** Runs a Node script; with `interrupt`, kills its whole process group once a command matching it is logged. */
function spawnNode(script, env, echo, spawnOptions, interrupt) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, [script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...spawnOptions,
      ...(interrupt ? { detached: true } : {})
    })
    let killed = false
    const watch =
      interrupt &&
      setInterval(() => {
        const lines = fs.existsSync(interrupt.calls) ? fs.readFileSync(interrupt.calls, 'utf8').split('\n') : []
        const hit = lines.filter(Boolean).some((l) => {
          const c = JSON.parse(l)
          return interrupt.pattern.test([c.tool, ...c.args].join(' '))
        })
        if (hit && !killed) {
          killed = true
          process.kill(-child.pid, 'SIGKILL')
        }
      }, 5)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
      if (typeof echo === 'function') echo('stdout', d)
      else if (echo) process.stdout.write(d)
    })
    child.stderr.on('data', (d) => {
      stderr += d
      if (typeof echo === 'function') echo('stderr', d)
      else if (echo) process.stderr.write(d)
    })
    child.on('close', (code, signal) => {
      if (watch) clearInterval(watch)
      resolve({ code, stdout, stderr, wallMs: Date.now() - started, ...(signal ? { signal } : {}) })
    })
  })
}
