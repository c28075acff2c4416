// The simulator's one dispatcher: maps a tool name to the module that answers it. `snap` and `microk8s` run
// through the simulated command's frame here (the state loaded and saved, background work run, an injected
// fault or the scenario's latency, the call log's line); the host tools (`install`, `cat`, `test`, `iptables`, `dmesg`)
// are host-tools.mjs's and `git` is addon-repo.mjs's, each logging its own call. Used by sim/bin/*, cli.mjs and
// server.mjs; no module under sim/lib imports it. Formats, exit codes and state changes follow
// docs/microk8s-behaviour.md (section numbers in comments); the action under test must not be able to tell the
// simulated commands from the real ones for everything it calls.
import { loadState, saveState, logCall, sleepSim, latencyOf, takeFault, viaSudo, Out } from './state.mjs'
import { runBackground } from './cluster.mjs'
import { snapCommand } from './snap.mjs'
import { microk8sCommand } from './microk8s.mjs'
import { runHostTool } from './host-tools.mjs'
import { runGit } from './addon-repo.mjs'

const HOST_TOOLS = ['install', 'cat', 'test', 'iptables', 'dmesg']

/** Runs one command of the simulation (`tool` as sim/bin names it); returns its exit code. */
export async function runTool(tool, argv) {
  if (tool === 'snap' || tool === 'microk8s') return runSimulated(tool, argv)
  if (HOST_TOOLS.includes(tool)) return runHostTool(tool, argv)
  if (tool === 'git') return runGit(argv)
  process.stderr.write(`simulator: no simulated command ${tool}\n`)
  return 70
}

/** Runs one simulated `snap` or `microk8s` command; returns its exit code. */
async function runSimulated(tool, argv) {
  const state = loadState()
  runBackground(state)
  const started = Date.now()
  const out = new Out()
  const ctx = { state, out, simSeconds: 0 }
  const line = [tool, ...argv].join(' ')
  let code
  const fault = takeFault(state, line)
  const words = [tool, ...argv.filter((a) => !a.startsWith('-'))]
  const latency = latencyOf(state, words)
  ctx.simSeconds += latency
  await sleepSim(state, latency)
  if (fault) {
    if (fault.hangSeconds) {
      ctx.simSeconds += fault.hangSeconds
      await sleepSim(state, fault.hangSeconds)
    }
    if (fault.stdout) out.out(fault.stdout)
    if (fault.stderr) out.err(fault.stderr)
    code = fault.exit ?? 1
  } else if (tool === 'snap') {
    code = await snapCommand(ctx, argv)
  } else {
    code = await microk8sCommand(ctx, argv)
  }
  const record = {
    tool,
    args: argv,
    sudo: viaSudo(),
    // When this process started (before Node loaded it): the command's time as its caller sees it.
    spawned: Math.round(performance.timeOrigin),
    start: started,
    simSeconds: Math.round(ctx.simSeconds * 1000) / 1000,
    exit: code,
    ...(fault ? { fault: fault.match } : {}),
    ...(ctx.readyAt ? { readyAt: ctx.readyAt } : {}),
    stdoutTail: out.stdout.slice(-300),
    stderrTail: out.stderr.slice(-300)
  }
  saveState(state)
  // The end is taken after the state is saved, as the process exits: all of it is the command's time.
  process.on('exit', () => logCall({ ...record, end: Date.now() }))
  return code
}
