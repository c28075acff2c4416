/**
 * The post step's half of the addon cycle: when the main step was stopped between the first disable and the
 * last enable (job cancelled, `timeout-minutes`), the journal it left says what was still down. This enables
 * each such addon again with its arguments (those that ran before, should the new ones fail), puts back what its
 * disable deleted, and says so in the job summary and the JSON report.
 */
import * as core from '@actions/core'
import * as fs from 'node:fs/promises'
import type { MicroK8s } from '../cluster/microk8s.js'
import { CycleJournal } from './journal.js'
import { enableAddon, requestedArgs } from './cycle.js'
import { restoreAddonState } from '../addons/capture-restore.js'
import { esc } from '../report/escape.js'
import { newReport, type InterruptedRecord, type Report } from '../report/model.js'

/** @param microk8sFor the microk8s client, bounded by the main step's wait-timeout (stages/tools.ts builds it). */
export async function finishInterruptedCycle(
  file: string,
  microk8sFor: (waitTimeout: number) => MicroK8s
): Promise<void> {
  const journal = await CycleJournal.read(file)
  if (!journal) return
  const { data } = journal
  const pending = data.steps.filter((s) => data.addonStates[s.name] === 'down')
  if (pending.length === 0) return journal.remove()
  const cause = data.failed ? 'failed' : 'interrupted'
  core.warning(
    `${cause === 'failed' ? 'the addon cycle failed and its recovery left' : 'the main step stopped in the middle of the addon cycle:'} ${pending.map((s) => s.name).join(', ')} ${cause === 'failed' ? 'down' : 'may be down'}; enabling and restoring them`,
    { title: 'unfinished addon cycle' }
  )
  const microk8s = microk8sFor(data.waitTimeout)
  const record: InterruptedRecord = { finishedBy: 'post step', cause, addons: [] }
  await microk8s.waitReady()
  if (!data.reposUpdated) {
    // The enables must run the new release's scripts, as the cycle planned.
    for (const repo of data.repos) await microk8s.updateAddonRepo(repo)
    await journal.reposDone()
  }
  const enabled = new Set((await microk8s.status()).addons.filter((a) => a.enabled).map((a) => a.name))
  for (const step of pending) {
    const ctx = { microk8s, captured: data.captured, toRelease: data.toRelease }
    try {
      let how: string
      if (enabled.has(step.name)) {
        // Its disable never ran, or its enable did and the restore did not: put the captured state back.
        const requested = requestedArgs(step)
        const restored = await restoreAddonState(microk8s, step.name, data.captured, requested)
        how = `was still enabled${restored ? `; ${restored}` : ''}`
      } else {
        try {
          const restored = await enableAddon(ctx, step)
          how = `re-enabled${step.args ? ` with ${step.args}` : ''}${restored ? `; ${restored}` : ''}`
        } catch (error) {
          if (!step.previous) throw error
          const previous = { ...step, ...step.previous, argsSource: 'recovered' as const }
          const restored = await enableAddon(ctx, previous)
          how = `re-enabled with the arguments it ran with before (${previous.args ?? 'none'}) after the new ones failed${restored ? `; ${restored}` : ''}`
        }
      }
      await journal.mark(step.name, 'back')
      record.addons.push({ name: step.name, result: 'restored', detail: how })
      core.info(`${step.name}: ${how}`)
    } catch (error) {
      record.addons.push({ name: step.name, result: 'still down', detail: (error as Error).message })
      core.error(`${step.name} is still down: ${(error as Error).message}`, { title: 'unfinished addon cycle' })
    }
  }
  await updateReport(data.reportFile, data.channel, record)
  await core.summary.addRaw(renderInterrupted(record)).write()
  if (record.addons.some((a) => a.result === 'still down')) process.exitCode = 1
  else await journal.remove()
}

/** The main step's JSON report (a minimal one when it was stopped before writing it), marked interrupted. */
async function updateReport(file: string, channel: string, record: InterruptedRecord): Promise<void> {
  let report: Report
  try {
    report = JSON.parse(await fs.readFile(file, 'utf8')) as Report
  } catch {
    report = newReport(channel)
  }
  report.status = 'failure'
  report.interrupted = record
  const stillDown = record.addons.filter((a) => a.result === 'still down').map((a) => a.name)
  report.failure ??= {
    step: 'addon cycle',
    message: 'the main step was stopped in the middle of the addon cycle (job cancelled or timed out)',
    clusterState: stillDown.length
      ? `still down after the post step: ${stillDown.join(', ')}`
      : 'the post step enabled and restored every addon of the cycle'
  }
  report.finishedAt = new Date().toISOString()
  try {
    await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`)
  } catch (error) {
    core.warning(`could not update the report ${file}: ${(error as Error).message}`, { title: 'report-file' })
  }
}

export function renderInterrupted(record: InterruptedRecord): string {
  const title =
    record.cause === 'failed'
      ? 'Unfinished: the addon cycle failed and left addons down'
      : 'Interrupted: the run stopped in the middle of the addon cycle'
  const rows = record.addons
    .map(
      (a) =>
        `<tr><td><code>${esc(a.name)}</code></td><td>${a.result === 'restored' ? '✅ restored' : '❌ still down'}</td><td>${esc(a.detail)}</td></tr>`
    )
    .join('\n')
  return (
    `### ⚠️ ${title}\n\n` +
    `The post step finished it:\n\n<table>\n<tr><th>addon</th><th>result</th><th>what was done</th></tr>\n${rows}\n</table>\n\n`
  )
}
