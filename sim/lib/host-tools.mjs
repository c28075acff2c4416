// The host commands the action runs on system files and the network: `install`, `cat` and `test` (the real
// programs, with system paths mapped into the simulation's root by host.mjs's hostPath), `iptables` (FORWARD
// policy and the DOCKER-USER chain, in the state; the model is host.mjs's) and `dmesg` (the kernel's ring buffer,
// pods.mjs's; root only, as Ubuntu's kernel.dmesg_restrict=1 has it). The action writes system files only
// through these, so nothing in a test touches this machine's /etc. Each call is logged like a simulated command
// (sim/README.md, "State and call log"); `test` and `cat` first let the background work run (cluster.mjs), since
// what it does shows in the files they read. sim/bin/test and sim/bin/cat answer their quick cases without Node
// (host-probe.sh), doing exactly what runHostTool does for them; everything else comes here.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { loadState, saveState, logCall, viaSudo } from './state.mjs'
import { runBackground } from './cluster.mjs'
import { hostPath, dockerNetwork } from './host.mjs'
import { kernelLog } from './pods.mjs'

const SIM_BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin')

/** The real program `name` on PATH, skipping the simulator's own bin directory. */
export function realProgram(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || path.resolve(dir) === path.resolve(SIM_BIN)) continue
    const candidate = path.join(dir, name)
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/** Runs the real `name` with system paths mapped into the simulation's root; returns its exit code. */
export function runMapped(state, name, argv) {
  const program = realProgram(name)
  if (!program) {
    process.stderr.write(`${name}: command not found\n`)
    return 127
  }
  const mapped = argv.map((a) => (a.startsWith('/') ? hostPath(state, a) : a))
  const r = spawnSync(program, mapped, { stdio: 'inherit' })
  return r.status ?? 1
}

/**
 * `install`, `cat`, `test`: the real programs with system paths mapped into the simulation's root, logged
 * like the simulated commands (tool, args as given, whether through sudo).
 */
export async function runHostTool(tool, argv) {
  const state = loadState()
  if (tool === 'test' || tool === 'cat') {
    // What runs in the background (launch configuration, sideload) shows in the files these read.
    runBackground(state)
    saveState(state)
  }
  const start = Date.now()
  const code =
    tool === 'iptables' ? iptables(state, argv) : tool === 'dmesg' ? dmesg(state, argv) : runMapped(state, tool, argv)
  if (tool === 'iptables') saveState(state)
  logCall({
    tool,
    args: argv,
    sudo: viaSudo(),
    spawned: Math.round(performance.timeOrigin),
    start,
    end: Date.now(),
    simSeconds: 0,
    exit: code
  })
  return code
}

/** `dmesg` without options: the ring buffer; as a user other than root `read kernel buffer failed`, exit 1. */
function dmesg(state, argv) {
  if (process.getuid?.() !== 0 && process.env.MICROK8S_SIM_VIA_SUDO !== '1') {
    process.stderr.write('dmesg: read kernel buffer failed: Operation not permitted\n')
    return 1
  }
  if (argv.length) {
    process.stderr.write(`dmesg: '${argv.join(' ')}' is not simulated\n`)
    return 2
  }
  process.stdout.write(`${kernelLog(state).join('\n')}\n`)
  return 0
}

/** iptables -S CHAIN | -C/-I/-A DOCKER-USER [-s CIDR] [-d CIDR] -j TARGET | -P FORWARD POLICY (root only). */
function iptables(state, argv) {
  if (process.getuid?.() !== 0 && process.env.MICROK8S_SIM_VIA_SUDO !== '1') {
    process.stderr.write(
      'iptables v1.8.10 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n'
    )
    return 4
  }
  const net = state.network ?? dockerNetwork(false)
  const opt = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined)
  const noChain = () => {
    process.stderr.write('iptables: No chain/target/match by that name.\n')
    return 1
  }
  const ruleText = (r) =>
    ['-A DOCKER-USER', r.source && `-s ${r.source}`, r.destination && `-d ${r.destination}`, `-j ${r.target}`]
      .filter(Boolean)
      .join(' ')
  const [op, chain] = argv
  if (op === '-S') {
    if (chain === 'FORWARD') {
      const lines = [`-P FORWARD ${net.forwardPolicy}`]
      if (net.dockerUser) lines.push('-A FORWARD -j DOCKER-USER', '-A FORWARD -j DOCKER-FORWARD')
      process.stdout.write(`${lines.join('\n')}\n`)
      return 0
    }
    if (chain === 'DOCKER-USER') {
      if (!net.dockerUser) return noChain()
      process.stdout.write(`${['-N DOCKER-USER', ...net.dockerUser.map(ruleText)].join('\n')}\n`)
      return 0
    }
    return noChain()
  }
  if (op === '-P' && chain === 'FORWARD') {
    net.forwardPolicy = argv[2]
    state.network = net
    return 0
  }
  if (['-C', '-I', '-A'].includes(op)) {
    if (chain !== 'DOCKER-USER' || !net.dockerUser) return noChain()
    const rule = { source: opt('-s'), destination: opt('-d'), target: opt('-j') }
    const same = (r) => r.source === rule.source && r.destination === rule.destination && r.target === rule.target
    if (op === '-C') {
      if (net.dockerUser.some(same)) return 0
      process.stderr.write('iptables: Bad rule (does a matching rule exist in that chain?).\n')
      return 1
    }
    if (op === '-I') net.dockerUser.unshift(rule)
    else net.dockerUser.push(rule)
    return 0
  }
  process.stderr.write(`iptables: '${argv.join(' ')}' is not simulated\n`)
  return 2
}
