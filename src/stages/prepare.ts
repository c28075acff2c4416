/**
 * The stages before the first hop: the runner's network, the auto-refresh hold (an existing install; a fresh
 * one is held right after its install hop), and the registry mirror or the files a fresh install reads.
 */
import * as core from '@actions/core'
import { StateKey } from '../base/state-keys.js'
import { runStep } from '../report/steps.js'
import * as setup from './setup.js'
import type { Planned, Stage } from './workflow.js'

const setupContext = ({ inputs, tools, report }: Planned): setup.SetupContext => ({
  inputs,
  cmd: tools.cmd,
  microk8s: tools.microk8s,
  files: tools.files,
  report
})
const installed = (s: Planned) => Boolean(s.inspected.installed)

export const runnerNetwork: Stage = {
  name: 'runner network',
  run: (s) => setup.runnerNetwork(setupContext(s), installed(s))
}

/** Holds snap auto-refreshes so snapd cannot move the cluster mid-job; a hold the user took stays theirs. */
export async function holdRefresh({ inputs, tools, report, inspected }: Planned): Promise<void> {
  if (!inputs.holdRefresh) return
  if (inspected.installed?.held) return core.info('microk8s refreshes were already held; leaving the hold as it is')
  await runStep(
    report,
    'hold auto-refresh',
    async () => {
      try {
        await tools.snap.hold()
        core.saveState(StateKey.Held, 'true')
        return 'held'
      } catch (error) {
        // Holds need snapd 2.58+ (older self-hosted runners): go on without one rather than fail the job.
        const message = `could not hold auto-refresh of microk8s (snapd 2.58 or newer is needed); snapd may refresh it during the job: ${(error as Error).message}`
        core.warning(message, { title: 'hold-refresh' })
        report.warnings.push(message)
        return 'not held'
      }
    },
    (r) => r
  )
}

export const hold: Stage = { name: 'hold auto-refresh', runIf: installed, run: holdRefresh }

export const registryMirror: Stage = {
  name: 'registry mirror',
  runIf: installed,
  run: (s) => setup.registryMirror(setupContext(s))
}

export const prepareInstall: Stage = {
  name: 'prepare install',
  runIf: (s) => !installed(s),
  run: (s) => setup.prepareInstall(setupContext(s))
}

export { setupContext }
