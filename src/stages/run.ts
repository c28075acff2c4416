/**
 * One run of the main step around its stages: inputs parsed once (before anything touches the cluster), the
 * tools built, the stages run, any error turned into the report's failure, and the report published whatever
 * happened. `run()` in main.ts hands it the list of stages.
 */
import * as core from '@actions/core'
import { StateKey } from '../base/state-keys.js'
import { newReport } from '../report/model.js'
import { publish } from '../report/publish.js'
import { getInputs, type Inputs } from '../inputs/action.js'
import { toolsForRun, type Tools } from './tools.js'
import { recordFailure } from './failure.js'
import { runStages, type RunState, type Stage } from './workflow.js'
import { maxDisruption, stopProbes } from './probes.js'

/** The first invocation is the main step; it marks the state so the second is the post step. */
export function isPostStep(): boolean {
  if (core.getState(StateKey.IsPost) === 'true') return true
  core.saveState(StateKey.IsPost, 'true')
  return false
}

export async function runMain(stages: readonly Stage[]): Promise<void> {
  const report = newReport(core.getInput('channel'))
  let inputs: Inputs | undefined
  let tools: Tools | undefined
  let state: RunState | undefined
  try {
    inputs = getInputs(undefined, undefined, (message) => {
      core.warning(message, { title: 'input' })
      report.warnings.push(message)
    })
    report.target = { channel: inputs.channelText, ...(inputs.channel.minor ? { minor: inputs.channel.minor } : {}) }
    tools = await toolsForRun(inputs, Date.parse(report.startedAt))
    await runStages({ inputs, tools, report }, stages, (s) => (state = s))
  } catch (error) {
    // What inspect read before the first change, for comparing the user's workloads with the cluster now.
    await recordFailure(report, error, tools, state?.inspected)
  }
  // Sampling ends with the run, also when it failed (the sampler started at the first change, if it got there).
  await stopProbes(report, tools?.sampler, inputs?.maxDisruptionMs)
  report.finishedAt = new Date().toISOString()
  const history = tools?.cmd.history ?? []
  report.timing = {
    wallMs: Date.parse(report.finishedAt) - Date.parse(report.startedAt),
    commandMs: history.reduce((sum, c) => sum + c.ms, 0),
    commands: history.length,
    maxRssKb: process.resourceUsage().maxRSS
  }
  await publish(report, inputs)
  // recordFailure gave the one titled ::error annotation; setFailed would add a second, untitled one.
  if (report.status === 'failure') process.exitCode = core.ExitCode.Failure
  else maxDisruption(report)
}
