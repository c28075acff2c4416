/**
 * The report action (report/action.yml): reads the matrix jobs' report files → renders one grid → job
 * summary, Markdown and merged JSON files, outputs, sticky PR comment → fails as `fail-on` says.
 * `run()` turns any error into one `core.setFailed`.
 */
import * as core from '@actions/core'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { getReportInputs, type FailOn } from './inputs.js'
import { readReports, type ReadReport, type UnreadableFile } from '../report/reader.js'
import { gridHeadline, renderGrid, type GridInput } from '../report/grid.js'
import { isFailed } from '../report/grid-rows.js'
import { postStickyComment, SUMMARY_LIMIT } from '../report/publish.js'

/** The merged JSON's own format version (its `reports[].report` follow schema/report.schema.json). */
export const MERGED_VERSION = 1

export async function run(): Promise<void> {
  try {
    const inputs = getReportInputs()
    const cwd = process.env.GITHUB_WORKSPACE || process.cwd()
    const read = await readReports(inputs.reports, cwd)
    const shown = (file: string) => (path.relative(cwd, file).startsWith('..') ? file : path.relative(cwd, file))
    const grid: GridInput = {
      jobs: read.reports.map((r) => ({ ...r, file: shown(r.file) })),
      unreadable: read.unreadable.map((u) => ({ ...u, file: shown(u.file) }))
    }
    for (const u of grid.unreadable) core.warning(`${u.file}: ${u.reason}`, { title: 'report not read' })
    for (const j of grid.jobs) for (const note of j.notes) core.info(`${j.file}: ${note}`)
    core.info(gridHeadline(grid))

    const outDir = process.env.RUNNER_TEMP || os.tmpdir()
    const markdown = renderGrid(grid, {
      limit: SUMMARY_LIMIT,
      elsewhere: 'The merged JSON (output json) has every job.'
    })
    const gridFile = path.join(outDir, 'microk8s-upgrade-grid.md')
    const jsonFile = path.join(outDir, 'microk8s-upgrade-grid.json')
    await fs.mkdir(outDir, { recursive: true })
    await fs.writeFile(gridFile, markdown)
    await fs.writeFile(jsonFile, `${JSON.stringify(merged(grid), null, 2)}\n`)
    core.setOutput('total', String(grid.jobs.length))
    core.setOutput('failed', String(grid.jobs.filter((j) => isFailed(j.report)).length))
    core.setOutput('grid', gridFile)
    core.setOutput('json', jsonFile)

    if (process.env.GITHUB_STEP_SUMMARY) {
      await core.summary
        .addRaw(markdown)
        .write()
        .catch((error: Error) =>
          core.warning(`could not write the job summary (${error.message}); the grid is in ${gridFile}`, {
            title: 'job summary'
          })
        )
    } else
      core.warning('GITHUB_STEP_SUMMARY is not set: the grid is in the grid output file only', { title: 'job summary' })

    if (inputs.prComment) {
      await postStickyComment(inputs.githubToken, inputs.commentKey, (limit, marker) =>
        renderGrid(grid, { limit, marker, elsewhere: 'The job summary of this run has every row.' })
      )
    }

    const verdict = failure(grid, read.files.length, inputs.reports, inputs.failOn)
    if (verdict) core.setFailed(verdict)
  } catch (error) {
    core.setFailed((error as Error).message)
  }
}

/** Why the step fails under `fail-on`, or undefined. */
export function failure(grid: GridInput, files: number, patterns: string[], failOn: FailOn): string | undefined {
  if (failOn === 'never') return undefined
  const reasons: string[] = []
  if (!files) reasons.push(`no report file matched ${patterns.join(', ')}`)
  const failed = grid.jobs.filter((j) => isFailed(j.report))
  if (failed.length) reasons.push(`${failed.length} job(s) failed (${failed.map(describeFailure).join('; ')})`)
  if (grid.unreadable.length)
    reasons.push(
      `${grid.unreadable.length} report file(s) could not be read (${grid.unreadable.map((u) => u.file).join(', ')})`
    )
  if (failOn === 'finding') {
    const findings = grid.jobs.reduce((n, j) => n + j.report.findings.length, 0)
    if (findings) reasons.push(`${findings} removed-API finding(s) (fail-on: finding)`)
  }
  return reasons.length ? `${reasons.join('; ')}` : undefined
}

function describeFailure(j: ReadReport): string {
  return `${j.file}: at ${j.report.failure?.step ?? 'an unknown step'}`
}

/** Every report read (in the current schema version) and every file not read, in one document. */
export function merged(grid: GridInput): {
  version: number
  total: number
  failed: number
  reports: Array<{ file: string; notes: string[]; report: ReadReport['report'] }>
  unreadable: UnreadableFile[]
} {
  return {
    version: MERGED_VERSION,
    total: grid.jobs.length,
    failed: grid.jobs.filter((j) => isFailed(j.report)).length,
    reports: grid.jobs.map((j) => ({ file: j.file, notes: j.notes, report: j.report })),
    unreadable: grid.unreadable
  }
}
