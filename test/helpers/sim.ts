// Runs simulator commands directly (no action): a fresh simulation per `sim()`, commands with its environment.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createSimulation } from '../../sim/lib/scenario.mjs'

/** The environment of the simulation started last. */
export let env: Record<string, string>

export function sim(scenario: Record<string, any>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-'))
  env = { ...process.env, ...createSimulation({ timeScale: 0.001, ...scenario }, dir).env } as Record<string, string>
  return dir
}

export const runSim = (cmd: string[], input?: string) =>
  spawnSync(cmd[0], cmd.slice(1), { env, input: input ?? '', encoding: 'utf8' })

export const state = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'sim-state.json'), 'utf8'))
