/** Stage `dry run`: with dry-run: true the run ends after the plan and the pre-flight checks, nothing changed. */
import * as core from '@actions/core'
import type { Stage } from './workflow.js'

export const dryRun: Stage = {
  name: 'dry run',
  runIf: ({ inputs }) => inputs.dryRun,
  async run({ report }) {
    report.status = 'dry-run'
    // Nothing changed: the cluster at the end is the cluster at the start.
    report.after = report.before
    report.dataChecks = []
    core.info('dry-run: nothing was changed')
    return { finished: true }
  }
}
