/**
 * The post step: finish an addon cycle the main step did not (a cancelled or timed-out job), then release the
 * auto-refresh hold the main step took, so the runner is left as found.
 */
import * as core from '@actions/core'
import { StateKey } from '../base/state-keys.js'
import { DEFAULT_RETRY } from '../cluster/snap.js'
import { finishInterruptedCycle } from '../upgrade/resume.js'
import { buildTools } from './tools.js'

/** How long the post step's own snap commands may take (it has no wait-timeout input of its own). */
const POST_WAIT_SECONDS = 60

export async function post(): Promise<void> {
  const journal = core.getState(StateKey.CycleJournal)
  if (journal) {
    try {
      await finishInterruptedCycle(journal, (waitTimeout) => buildTools({ waitTimeout }).microk8s)
    } catch (error) {
      core.error(`could not finish the interrupted addon cycle: ${(error as Error).message}`, {
        title: 'microk8s-upgrade-action: post step'
      })
      process.exitCode = 1
    }
  }
  if (core.getState(StateKey.Held) !== 'true') return
  try {
    const { snap } = buildTools({
      waitTimeout: POST_WAIT_SECONDS,
      retry: { ...DEFAULT_RETRY, attempts: 3, deadlineMs: 2 * POST_WAIT_SECONDS * 1000 }
    })
    await snap.unhold()
    core.info('Released the auto-refresh hold on microk8s')
  } catch (error) {
    core.warning(`could not release the auto-refresh hold: ${(error as Error).message}`, { title: 'hold-refresh' })
  }
}
