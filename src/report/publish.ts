/**
 * Publishes the report: the JSON file, the job summary, the step outputs and, when asked, the sticky
 * pull-request comment. Each is written even when the run failed; none of them failing fails the run.
 */
import * as core from '@actions/core'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { analyseChanges } from './changes.js'
import { headline, renderSummary } from './summary.js'
import type { Report } from './model.js'
import { disruptionOutputs } from './disruption.js'

/** GitHub's limit is 1 MiB per step summary; keep a margin for what other steps of the job add. */
export const SUMMARY_LIMIT = 1024 * 1024 - 4096

/** What publishing needs of the inputs (undefined when the inputs themselves were refused). */
export interface PublishOptions {
  reportFile: string
  prComment: boolean
  githubToken: string
  commentKey: string
  kubeconfig: string
}

export async function publish(report: Report, inputs: PublishOptions | undefined): Promise<void> {
  const serverUrl = process.env.GITHUB_SERVER_URL || 'https://github.com'
  if (process.env.GITHUB_REPOSITORY && process.env.GITHUB_RUN_ID) {
    report.runUrl = `${serverUrl}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`
  }
  // Which matrix job wrote the report: the report action's grid links and names it.
  if (process.env.GITHUB_JOB) report.job = process.env.GITHUB_JOB
  if (process.env.GITHUB_RUN_ATTEMPT) report.runAttempt = process.env.GITHUB_RUN_ATTEMPT
  analyseChanges(report)

  const reportFile = inputs?.reportFile ?? path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'microk8s-report.json')
  try {
    await fs.mkdir(path.dirname(reportFile), { recursive: true })
    await fs.writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`)
    core.setOutput('report-file', reportFile)
  } catch (error) {
    core.warning(`could not write the report to ${reportFile}: ${(error as Error).message}`, { title: 'report-file' })
  }

  setOutputs(report, inputs)
  const summary = renderSummary(report, { limit: SUMMARY_LIMIT })
  core.info(`\n${headline(report)}`)
  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(summary).write()
    } catch (error) {
      core.warning(`could not write the job summary (${(error as Error).message}); the report is in ${reportFile}`, {
        title: 'job summary'
      })
    }
  } else {
    core.warning('GITHUB_STEP_SUMMARY is not set: no job summary written; the report is in the report file', {
      title: 'job summary'
    })
  }

  if (inputs?.prComment) await commentOnPullRequest(report, inputs)
}

/** The sticky comment; every way it can fail is a warning (the job summary still has the report). */
async function commentOnPullRequest(report: Report, inputs: PublishOptions): Promise<void> {
  await postStickyComment(inputs.githubToken, inputs.commentKey, (limit, marker) =>
    renderSummary(report, { limit, compact: true, marker })
  )
}

/**
 * Creates or updates the sticky pull-request comment for `key` (also used by the report action). `render` gives
 * the body for a byte limit, ending with the marker. Never throws: a failure is a warning.
 */
export async function postStickyComment(
  token: string,
  key: string,
  render: (limit: number, marker: string) => string
): Promise<void> {
  // Loaded only when needed: Octokit is most of the bundle and of the start-up time.
  const { upsertComment, pullRequestTarget, commentMarker } = await import('./github.js')
  const target = pullRequestTarget()
  if (typeof target === 'string') return core.info(`pr-comment: ${target}; no comment`)
  if (!token) {
    return core.warning('pr-comment is true but github-token is empty', { title: 'pull-request comment' })
  }
  const marker = commentMarker(key)
  const result = await upsertComment(token, target, key, (limit) => render(limit, marker))
  if (result.outcome === 'failed') {
    core.warning(`could not comment on the pull request: ${result.reason}`, { title: 'pull-request comment' })
  } else {
    core.info(`pull-request comment ${result.outcome}${result.url ? `: ${result.url}` : ''}`)
  }
}

function setOutputs(report: Report, inputs: PublishOptions | undefined): void {
  const before = report.before
  const after = report.after ?? (report.status === 'dry-run' ? report.before : null)
  // The API server's version, and only when it was read: a snap's version is not what the cluster serves.
  const served = (inv: typeof before) => (inv && inv.unreadable === undefined ? (inv.serverVersion ?? '') : '')
  const versionBefore = served(before)
  const versionAfter = served(after)
  core.setOutput('version-before', versionBefore)
  core.setOutput('version', versionAfter)
  core.setOutput('channel-before', before?.snap?.channel ?? '')
  core.setOutput('channel', after?.snap?.channel ?? '')
  core.setOutput('revision', after?.snap ? String(after.snap.revision) : '')
  // Channels refreshed through: a fresh install is not a hop between versions.
  core.setOutput(
    'hops',
    report.hops
      .filter((h) => h.status === 'done' && h.kind !== 'install')
      .map((h) => h.channel)
      .join(',')
  )
  // Upgraded: the run reached its target, there was a Kubernetes version before, and another one runs now.
  const upgraded =
    report.status === 'success' && versionBefore !== '' && versionAfter !== '' && versionBefore !== versionAfter
  core.setOutput('upgraded', String(upgraded))
  core.setOutput(
    'cycled-addons',
    report.addons
      .filter((a) => a.status === 'cycled')
      .map((a) => a.name)
      .join(' ')
  )
  if (inputs && report.status !== 'dry-run' && report.steps.some((s) => s.name === 'kubeconfig' && s.status === 'ok'))
    core.setOutput('kubeconfig', inputs.kubeconfig)
  else core.setOutput('kubeconfig', '')
  if (report.diagnostics) core.setOutput('diagnostics', report.diagnostics)
  for (const [name, value] of Object.entries(disruptionOutputs(report))) core.setOutput(name, value)
}
