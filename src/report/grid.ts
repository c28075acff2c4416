/**
 * The matrix grid: many jobs' reports as one page (job summary or PR comment). A row per job (from → target,
 * status, hops, addons, data checks, removed-API findings), a line per failed job saying why, the rest of each
 * job (confinement, downtime, duration) folded, then a component × job table of the versions each job ended
 * with, differences highlighted. The cells come from grid-rows.ts. When too long it cuts whole rows (identical
 * components first, then passed jobs) and says what it cut.
 */
import { esc } from './escape.js'
import type { Report } from './model.js'
import type { ReadReport, UnreadableFile } from './reader.js'
import {
  type ComponentRow,
  componentCells,
  componentRows,
  confinementOf,
  differs,
  failureLine,
  isFailed,
  jobLabel,
  jobRow,
  JOB_HEAD,
  moreRow,
  MORE_HEAD
} from './grid-rows.js'

export interface GridInput {
  jobs: ReadReport[]
  unreadable: UnreadableFile[]
}

export interface GridOptions {
  /** Byte limit of the rendering. */
  limit: number
  /** Hidden marker of the sticky comment. */
  marker?: string
  /** Where a reader finds what a cut rendering leaves out. */
  elsewhere?: string
}

const code = (v: unknown) => `<code>${esc(v)}</code>`

const DOWNTIME_NOTE =
  '<sub>downtime: API, the wait for readiness after each refresh; addons, the window in which ' +
  'cycled addons were down (the first disabled is the last enabled).</sub>\n\n'

// ------------------------------------------------------------------------------------------- rendering

function table(head: string[], rows: string[][]): string {
  if (!rows.length) return ''
  const th = head.map((h) => `<th>${h}</th>`).join('')
  return `<table>\n<tr>${th}</tr>\n${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n')}\n</table>\n\n`
}

export function gridHeadline(input: GridInput): string {
  const rs = input.jobs.map((j) => j.report)
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
  const parts = [count(rs.length, 'job')]
  const passed = rs.filter((r) => r.status === 'success').length
  const failed = rs.filter(isFailed).length
  const dry = rs.filter((r) => r.status === 'dry-run').length
  if (passed) parts.push(`✅ ${passed} passed`)
  if (failed) parts.push(`❌ ${failed} failed`)
  if (dry) parts.push(`📝 ${count(dry, 'dry run')}`)
  const findings = rs.reduce((n, r) => n + r.findings.length, 0)
  if (findings) parts.push(`⚠️ ${count(findings, 'removed-API finding')}`)
  if (input.unreadable.length) parts.push(`⚠️ ${count(input.unreadable.length, 'file')} not read`)
  return `MicroK8s upgrade matrix: ${parts.join(' · ')}`
}

/** The order in which rows go when the rendering is too long: identical components, then differing ones, then passed jobs, then failed ones. */
interface Cuttable {
  kind: 'component' | 'job'
  index: number
}

function cutOrder(jobs: ReadReport[], components: ComponentRow[]): Cuttable[] {
  const fromEnd = <T>(list: T[]) => list.map((item, index) => ({ item, index })).reverse()
  const comps = fromEnd(components)
  const js = fromEnd(jobs)
  return [
    ...comps.filter(({ item }) => !differs(item, jobs)).map(({ index }) => ({ kind: 'component' as const, index })),
    ...comps.filter(({ item }) => differs(item, jobs)).map(({ index }) => ({ kind: 'component' as const, index })),
    ...js.filter(({ item }) => !isFailed(item.report)).map(({ index }) => ({ kind: 'job' as const, index })),
    ...js.filter(({ item }) => isFailed(item.report)).map(({ index }) => ({ kind: 'job' as const, index }))
  ]
}

/** The grid as GitHub-flavoured Markdown with HTML tables, at most `limit` bytes. */
export function renderGrid(unsorted: GridInput, options: GridOptions): string {
  const input = { ...unsorted, jobs: sortJobs(unsorted.jobs) }
  const components = componentRows(input.jobs)
  const order = cutOrder(input.jobs, components)
  const render = (cut: number) => renderWithout(input, components, new Set(order.slice(0, cut).map(key)), options)
  const size = (s: string) => Buffer.byteLength(s, 'utf8')
  if (size(render(0)) <= options.limit) return render(0)
  // Fewest whole rows cut that fit (the rendering shrinks as rows go).
  let lo = 1
  let hi = order.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (size(render(mid)) <= options.limit) hi = mid
    else lo = mid + 1
  }
  const text = render(lo)
  if (size(text) <= options.limit) return text
  // Even without rows it does not fit (thousands of unreadable files): keep the headline and the marker.
  return `### ${esc(gridHeadline(input))}\n\n_The grid does not fit GitHub’s size limit${options.elsewhere ? `: ${esc(options.elsewhere)}` : ''}._\n${options.marker ? `\n${options.marker}\n` : ''}`
}

/** Jobs side by side as a matrix reads: classic before strict, by target, then by where they started. */
export function sortJobs(jobs: ReadReport[]): ReadReport[] {
  const sortKey = (r: Report) => [confinementOf(r), r.target.channel, r.before?.snap?.channel ?? '']
  return [...jobs].sort((a, b) => {
    const ka = sortKey(a.report)
    const kb = sortKey(b.report)
    for (let i = 0; i < ka.length; i++) {
      const c = ka[i].localeCompare(kb[i], 'en', { numeric: true })
      if (c) return c
    }
    return a.file.localeCompare(b.file)
  })
}

const key = (c: Cuttable) => `${c.kind}:${c.index}`

function renderWithout(input: GridInput, components: ComponentRow[], cut: Set<string>, options: GridOptions): string {
  const { jobs } = input
  const failed = jobs.filter((j) => isFailed(j.report)).length
  const icon = failed ? '❌' : input.unreadable.length ? '⚠️' : '✅'
  let text = `### ${icon} ${esc(gridHeadline(input))}\n\n`

  const jobRows = jobs.map((j, i) => ({ i, cells: jobRow(j, i) })).filter(({ i }) => !cut.has(`job:${i}`))
  text += table(
    JOB_HEAD,
    jobRows.map((r) => r.cells)
  )
  if (!jobs.length) text += '_No report was read._\n\n'
  // Why each failed job failed, a line each; then the columns that matter less, folded, for the same jobs.
  const failures = jobRows.filter(({ i }) => isFailed(jobs[i].report)).map(({ i }) => failureLine(jobs[i], i))
  if (failures.length) text += `${failures.map((line) => `- ❌ ${line}`).join('\n')}\n\n`
  if (jobRows.length) {
    text +=
      '<details><summary>Confinement, downtime, duration and the removed APIs found, by job</summary>\n\n' +
      table(
        MORE_HEAD,
        jobRows.map(({ i }) => moreRow(jobs[i], i))
      ) +
      DOWNTIME_NOTE +
      '</details>\n\n'
  }

  if (input.unreadable.length) {
    text +=
      `**Not read** (these jobs' results are unknown)\n\n` +
      input.unreadable.map((u) => `- ${code(u.file)}: ${esc(u.reason)}`).join('\n') +
      '\n\n'
  }

  const shownJobs = jobRows.map((r) => r.i)
  const compRows = components.filter((_, i) => !cut.has(`component:${i}`))
  if (shownJobs.length && compRows.length) {
    const differing = components.filter((c) => differs(c, jobs)).length
    text +=
      `**Versions after the run** (${differing ? `⚠️ ${differing} component${differing === 1 ? '' : 's'} differ between jobs, in bold` : 'the same in every job'})\n\n` +
      table(
        ['component', ...shownJobs.map((i) => `#${i + 1} ${esc(jobLabel(jobs[i].report))}`)],
        compRows.map((row) => {
          const cells = componentCells(row, jobs)
          return [cells[0], ...shownJobs.map((i) => cells[i + 1])]
        })
      )
  }

  const cutJobs = jobs.length - jobRows.length
  const cutComponents = components.length - compRows.length
  if (cutJobs || cutComponents) {
    const parts = [
      cutJobs ? `${cutJobs} of ${jobs.length} job rows (${failed ? 'failed jobs are cut last' : 'from the end'})` : '',
      cutComponents ? `${cutComponents} of ${components.length} component rows (identical ones first)` : ''
    ].filter(Boolean)
    text += `_Cut to fit GitHub’s size limit: ${parts.join(' and ')}.${options.elsewhere ? ` ${esc(options.elsewhere)}` : ''}_\n\n`
  }
  return text + (options.marker ? `${options.marker}\n` : '')
}
