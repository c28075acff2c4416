// The simulator server (sim/lib/server.mjs) must be invisible: a command answers the same through it as when it
// runs as its own process, and one whose caller is killed leaves no trace.
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createSimulation } from '../sim/lib/scenario.mjs'
import { startSimServer } from '../scripts/run-action.mjs'

/** The state file with its call log (calls.jsonl beside it) as `calls`. */
function readStateWithCalls(file: string) {
  const log = path.join(path.dirname(file), 'calls.jsonl')
  const calls = fs.existsSync(log)
    ? fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : []
  return { ...JSON.parse(fs.readFileSync(file, 'utf8')), calls }
}

let server: { port: number; stop: () => void }
beforeAll(async () => void (server = await startSimServer()))
afterAll(() => server.stop())

function simulation(scenario: Record<string, any>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-server-'))
  const sim = createSimulation({ timeScale: 0.001, ...scenario }, dir)
  return { ...sim, env: { ...process.env, ...sim.env } as Record<string, string> }
}

const commands: Array<[string[], string?]> = [
  [['snap', 'list', 'microk8s']],
  [['microk8s', 'status', '--format', 'yaml']],
  [['microk8s', 'kubectl', 'get', 'nodes', '-o', 'json']],
  [['microk8s', 'enable', 'no-such-addon']],
  [['microk8s', 'disable', 'hostpath-storage'], 'N\n'],
  [
    ['microk8s', 'kubectl', 'apply', '-f', '-'],
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n'
  ],
  [['snap', 'refresh', 'microk8s', '--channel=1.29/stable', '--classic']],
  [['iptables', '-S', 'FORWARD']],
  [['sudo', '-n', 'iptables', '-P', 'FORWARD', 'DROP']],
  [['git', '-C', '/var/snap/microk8s/common/addons/core', 'ls-tree', 'HEAD', 'addons/']],
  [['git', '-C', '/snap/microk8s/current/addons/core', 'status']]
]

describe('the simulator server', () => {
  it.each(commands)('answers %j as the command run on its own does', ([tool, ...args], input) => {
    const results = [false, true].map((viaServer) => {
      const sim = simulation({ installed: { channel: '1.28/stable' }, addons: ['hostpath-storage'] })
      const env = viaServer ? { ...sim.env, MICROK8S_SIM_SERVER: String(server.port) } : sim.env
      const r = spawnSync(tool, args, { env, input: input ?? '', encoding: 'utf8' })
      const state = readStateWithCalls(sim.statePath)
      return {
        status: r.status,
        stdout: r.stdout.replace(
          /"(uid|creationTimestamp|resourceVersion|lastHeartbeatTime|lastTransitionTime)": "[^"]*"/g,
          '"$1": ""'
        ),
        stderr: r.stderr,
        snap: state.snap,
        network: state.network,
        objects: state.cluster.objects.length,
        calls: state.calls.map((c: any) => [c.tool, c.args, c.exit, c.sudo])
      }
    })
    expect(results[1]).toEqual(results[0])
    expect(results[1].calls).toHaveLength(1)
  })

  it('keeps the caller’s environment: a command through the simulated sudo is root', () => {
    const sim = simulation({ installed: { channel: '1.28/stable' } })
    const env = { ...sim.env, MICROK8S_SIM_SERVER: String(server.port) }
    const r = spawnSync('sudo', ['-n', 'microk8s', 'addons', 'repo', 'update', 'core'], { env, encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    expect(readStateWithCalls(sim.statePath).calls.map((c: any) => c.sudo)).toEqual([true])
  })

  it('a command whose caller is killed saves nothing and logs nothing, as a killed process would', () => {
    const sim = simulation({
      installed: { channel: '1.28/stable' },
      faults: [{ match: '^snap refresh microk8s', hangSeconds: 10_000_000, exit: 0 }]
    })
    const env = { ...sim.env, MICROK8S_SIM_SERVER: String(server.port) }
    const before = fs.readFileSync(sim.statePath, 'utf8')
    const r = spawnSync('timeout', ['1', 'snap', 'refresh', 'microk8s', '--channel=1.29/stable'], { env })
    expect(r.status).toBe(124)
    expect(fs.readFileSync(sim.statePath, 'utf8')).toBe(before)
    expect(readStateWithCalls(sim.statePath).calls).toEqual([])
    // The server still answers the next command.
    expect(spawnSync('snap', ['list', 'microk8s'], { env, encoding: 'utf8' }).stdout).toContain('1.28/stable')
  })
})
