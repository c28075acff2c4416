/**
 * One step of the run as the log and the report show it: a collapsible log group with its duration, a row in
 * `report.steps` with where it began (the timeline's bar), and a failure that names the step.
 */
import * as core from '@actions/core'
import { runElapsedMs, type Report } from '../report/model.js'
import { InputError, StepError, commandOutput } from '../base/errors.js'

/** Runs one step as a log group, timed, recorded in the report; failures become StepErrors naming the step. */
export async function runStep<T>(
  report: Report,
  name: string,
  fn: () => Promise<T>,
  detail?: (t: T) => string
): Promise<T> {
  const started = Date.now()
  const atMs = runElapsedMs(report, started)
  return core.group(name, async () => {
    try {
      const result = await fn()
      const ms = Date.now() - started
      report.steps.push({ name, status: 'ok', durationMs: ms, atMs, ...(detail ? { detail: detail(result) } : {}) })
      core.info(`✓ ${name} (${(ms / 1000).toFixed(1)} s)`)
      return result
    } catch (error) {
      const ms = Date.now() - started
      const e = error as Error
      const output = error instanceof StepError ? error.output : commandOutput(error)
      report.steps.push({ name, status: 'failed', durationMs: ms, atMs, detail: e.message })
      core.info(`✗ ${name} (${(ms / 1000).toFixed(1)} s): ${e.message}`)
      // Errors that already name their step or input keep it.
      if (error instanceof StepError || error instanceof InputError) throw error
      throw new StepError(name, e.message, output)
    }
  })
}
