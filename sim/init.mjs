#!/usr/bin/env node
// Usage: node sim/init.mjs SCENARIO.yaml DIR — writes DIR/sim-state.json and prints the environment to use.
import { createSimulation, readScenario } from './lib/scenario.mjs'
const [scenarioFile, dir] = process.argv.slice(2)
if (!scenarioFile || !dir) {
  process.stderr.write('usage: node sim/init.mjs SCENARIO.yaml DIR\n')
  process.exit(2)
}
const sim = createSimulation(readScenario(scenarioFile), dir)
process.stdout.write(`export MICROK8S_SIM_STATE=${sim.statePath}\nexport PATH=${sim.binDir}:$PATH\n`)
