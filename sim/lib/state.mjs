// State, clock, faults and the call log of the MicroK8s simulator, and what every command shares: the output
// collector and option parsing.
//
// The state is one JSON file named by MICROK8S_SIM_STATE. Commands run one at a time (the action never runs two
// at once), so each invocation loads the file, acts, and writes it back atomically.
import * as fs from 'node:fs'
import * as path from 'node:path'

export function statePath() {
  const p = process.env.MICROK8S_SIM_STATE
  if (!p) {
    process.stderr.write('simulator: MICROK8S_SIM_STATE is not set (run sim/init.mjs first)\n')
    process.exit(70)
  }
  return p
}

export function loadState() {
  return JSON.parse(fs.readFileSync(statePath(), 'utf8'))
}

/** The command being served when the simulator runs as a server (sim/lib/server.mjs); undefined otherwise. */
export const requestContext = { current: () => undefined }

/** A command whose caller has gone (killed by `timeout`) changes nothing more, as a killed process would not. */
const abandoned = () => requestContext.current()?.abandoned === true

export function saveState(state) {
  if (abandoned()) return
  const file = statePath()
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, JSON.stringify(state, null, 1))
  fs.renameSync(tmp, file)
}

/** The call log: one JSON line per command, next to the state (`calls.jsonl`). */
export function callLogPath(file = statePath()) {
  return path.join(path.dirname(file), 'calls.jsonl')
}

export function logCall(record) {
  if (abandoned()) return
  fs.appendFileSync(callLogPath(), `${JSON.stringify(record)}\n`)
}

/** The state with its call log attached as `calls` (for tests and the bench). */
export function readStateWithCalls(file) {
  const state = JSON.parse(fs.readFileSync(file, 'utf8'))
  const log = callLogPath(file)
  state.calls = fs.existsSync(log)
    ? fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : []
  return state
}

export function stateDir() {
  return path.dirname(statePath())
}

/** Real milliseconds for a simulated duration in seconds. */
export function realMs(state, simSeconds) {
  return Math.round(simSeconds * 1000 * (state.timeScale ?? 0.001))
}

export function sleepSim(state, simSeconds) {
  const ms = realMs(state, simSeconds)
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve()
}

/**
 * Resolves once `Date.now()` has reached epochMs. A timer alone can fire a millisecond or more early by the wall
 * clock (libuv measures it from the loop's cached time, which lags after synchronous work), and the caller then
 * reads a state that is one tick short of ready: so the wait is repeated until the clock says so.
 */
export async function sleepUntil(epochMs) {
  for (let ms = epochMs - Date.now(); ms > 0; ms = epochMs - Date.now()) await new Promise((r) => setTimeout(r, ms))
}

/** Simulated latency of a command: the longest matching key of `state.latency` ("snap refresh", "microk8s"). */
export function latencyOf(state, words) {
  const table = state.latency ?? {}
  let best = 0
  let bestLen = -1
  for (const [key, seconds] of Object.entries(table)) {
    const k = key.split(' ')
    if (k.length > bestLen && k.every((w, i) => words[i] === w)) {
      best = seconds
      bestLen = k.length
    }
  }
  return best
}

/**
 * The first fault whose `match` (a regular expression over "tool arg arg…") matches, once `skip` earlier matches
 * have gone by; each fault fires `times` times (default 1).
 */
export function takeFault(state, line) {
  for (const fault of state.faults ?? []) {
    if (!new RegExp(fault.match).test(line)) continue
    fault.seen = (fault.seen ?? 0) + 1
    if (fault.seen <= (fault.skip ?? 0)) continue
    const fired = fault.fired ?? 0
    if (fired >= (fault.times ?? 1)) continue
    fault.fired = fired + 1
    return fault
  }
  return undefined
}

export function viaSudo() {
  return process.env.MICROK8S_SIM_VIA_SUDO === '1'
}

export function isRoot() {
  return process.getuid?.() === 0 || viaSudo()
}

/** The value of `--name value` or `--name=value` in argv; undefined when absent. */
export function optionValue(argv, name) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1]
    if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1)
  }
  return undefined
}

/** Output collector: each command writes through it so the call log can keep a tail. */
export class Out {
  constructor() {
    this.stdout = ''
    this.stderr = ''
  }
  out(text) {
    this.stdout += text.endsWith('\n') ? text : `${text}\n`
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }
  err(text) {
    this.stderr += text.endsWith('\n') ? text : `${text}\n`
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
  }
}
