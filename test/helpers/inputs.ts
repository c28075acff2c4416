// Reads the action's inputs from a table of values, as the runner would give them (absent inputs are empty).
import { getInputs, type Inputs } from '../../src/inputs/action.js'

export const runnerEnv = { RUNNER_TEMP: '/tmp/rt', GITHUB_JOB: 'upgrade' }

export function readInputs(values: Record<string, string>, env: NodeJS.ProcessEnv = runnerEnv): Inputs {
  return getInputs(
    (name) => values[name] ?? '',
    env,
    () => {}
  )
}
