/**
 * The matrix grid: many jobs' reports as one page (job summary or PR comment). A row per job (from → target,
 * confinement, status, hops, addons, downtime, data checks, removed-API findings, duration), then a component
 * × job table of the versions each job ended with, differences highlighted. Pure; everything that came from a
 * report is escaped. When too long it cuts whole rows (identical components first, then passed jobs) and says
 * what it cut.
 */
import type { Inventory } from '../cluster/inventory.js'
import { formatImage } from '../cluster/inventory.js'
import { esc } from './escape.js'
import type { Report } from './model.js'
import type { ReadReport, UnreadableFile } from './reader.js'

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
const sub = (v: string) => (v ? ` <sub>${v}</sub>` : '')

function seconds(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—'
  const s = ms / 1000
  // No-break spaces: a narrow cell must not put the unit on a line of its own.
  return s >= 120 ? `${Math.floor(s / 60)}\u00a0min ${Math.round(s % 60)}\u00a0s` : `${s.toFixed(1)}\u00a0s`
}

/** `1.28`, or the whole channel when its risk is not stable (`1.29/edge`). */
function shortChannel(channel: string | undefined): string {
  if (!channel) return '—'
  return channel.endsWith('/stable') ? channel.slice(0, -'/stable'.length) : channel
}

export function confinementOf(r: Report): string {
  return (
    r.before?.snap?.confinement ??
    r.after?.snap?.confinement ??
    (r.target.channel.split('/')[0].endsWith('-strict') ? 'strict' : 'classic')
  )
}

/** The short name of a job in the grid's headers: `1.28 → 1.30`, `none → 1.30-strict`. */
export function jobLabel(r: Report): string {
  return `${shortChannel(r.before?.snap?.channel) === '—' ? 'none' : shortChannel(r.before?.snap?.channel)} → ${shortChannel(r.target.channel)}`
}

export function isFailed(r: Report): boolean {
  return r.status === 'failure'
}

/** Findings whose API is removed after the target: advice for the next upgrade, not a blocker of this one. */
export function isUpcoming(r: Report, removedIn: number): boolean {
  const target = r.plan?.targetMinor ?? r.target.minor
  return target !== undefined && removedIn > target
}

function durationMs(r: Report): number | undefined {
  if (r.timing?.wallMs !== undefined) return r.timing.wallMs
  if (!r.finishedAt) return undefined
  const ms = Date.parse(r.finishedAt) - Date.parse(r.startedAt)
  return Number.isFinite(ms) ? ms : undefined
}

function statusCell(r: Report): string {
  if (r.status === 'failure') {
    const step = r.failure?.step ?? 'an unknown step'
    const text = `❌ failed at ${esc(step)}`
    return r.runUrl && /^https:\/\//.test(r.runUrl) ? `<a href="${esc(r.runUrl)}">${text}</a>` : text
  }
  if (r.status === 'dry-run') return '📝 dry run'
  const before = r.before?.serverVersion
  const after = r.after?.serverVersion
  if (!before) return '✅ installed'
  return before === after ? '✅ unchanged' : '✅ upgraded'
}

function fromCell(r: Report): string {
  const snap = r.before?.snap
  if (!snap) return r.before ? 'not installed' : '—'
  return `${code(snap.channel)}${sub(esc(r.before?.serverVersion ?? snap.version))}`
}

function targetCell(r: Report): string {
  const reached = r.after?.serverVersion
  return `${code(r.target.channel)}${sub(reached ? esc(reached) : r.status === 'dry-run' ? 'planned' : 'not reached')}`
}

function hopsCell(r: Report): string {
  if (r.hops.length) {
    return r.hops
      .map((h) => {
        // A hop is recorded when it starts: one still `planned` in a run that went on was under way when it failed.
        const failed = h.status === 'failed' || (h.status === 'planned' && r.status === 'failure')
        const step = r.steps.find((s) => s.status === 'failed' && s.name.endsWith(` ${h.channel}`))
        const ms = h.durationMs || (failed ? step?.durationMs : undefined)
        return `${esc(shortChannel(h.channel))} ${failed ? '❌' : h.status === 'done' ? '✅' : '⏸️'} ${seconds(ms)}`
      })
      .join('<br>')
  }
  const planned = r.plan?.hops ?? []
  if (planned.length) return `${planned.map((h) => esc(shortChannel(h))).join(' → ')}${sub('planned')}`
  return 'none'
}

function addonsCell(r: Report): string {
  const names = (status: string) => r.addons.filter((a) => a.status === status).map((a) => a.name)
  const cycled = names('cycled')
  const failed = names('failed')
  const kept = names('kept')
  const planned = r.status === 'dry-run' ? (r.plan?.enableOrder ?? []) : []
  // Counts first; the names of what was done (cycled, failed, to cycle) below. Kept addons are the same in every
  // job (ha-cluster, helm…): their count is enough here, the job's own summary names them.
  const counts = [
    cycled.length ? `${cycled.length} cycled` : '',
    planned.length ? `${planned.length} to cycle` : '',
    failed.length ? `❌ ${failed.length} failed` : '',
    kept.length ? `${kept.length} kept` : ''
  ].filter(Boolean)
  if (!counts.length) return 'none'
  const done = [...failed, ...cycled, ...planned]
  return `${counts.join(', ')}${sub(esc(done.join(', ')))}`
}

/**
 * Downtime as the report measured it: the API server's wait for readiness after each refresh, and the window in
 * which cycled addons were down (an addon is down from its disable to its enable; the first one disabled is the
 * last one enabled, so the longest is the window).
 */
function downtimeCell(r: Report): string {
  const api = r.hops.filter((h) => h.readyAfterMs !== undefined).reduce((sum, h) => sum + h.readyAfterMs!, 0)
  const addon = Math.max(0, ...r.addons.filter((a) => a.status === 'cycled').map((a) => a.durationMs ?? 0))
  if (!api && !addon) return '—'
  return [api ? `API ${seconds(api)}` : '', addon ? `addons ${seconds(addon)}` : ''].filter(Boolean).join('<br>')
}

function dataCell(r: Report): string {
  if (!r.dataChecks.length) return '—'
  const lost = r.dataChecks.filter((c) => !c.ok)
  if (!lost.length) return `✅ ${r.dataChecks.length} kept`
  return `❌ ${lost.length} of ${r.dataChecks.length}${sub(esc(lost.map((c) => c.name).join(', ')))}`
}

function findingsCell(r: Report): string {
  if (!r.findings.length) return 'none'
  const upcoming = r.findings.filter((f) => isUpcoming(r, f.removedIn)).length
  const now = r.findings.length - upcoming
  const kinds = [...new Set(r.findings.map((f) => `${f.kind} ${f.apiVersion}`))]
  return [now ? `⚠️ ${now} removed by the target` : '', upcoming ? `${upcoming} removed in the next two minors` : '']
    .filter(Boolean)
    .join('<br>')
    .concat(sub(esc(kinds.slice(0, 3).join(', ') + (kinds.length > 3 ? ', …' : ''))))
}

const JOB_HEAD = [
  '#',
  'from',
  'target',
  'confinement',
  'status',
  'hops',
  'addons',
  'downtime',
  'data checks',
  'removed APIs',
  'duration'
]

function jobRow(job: ReadReport, index: number): string[] {
  const r = job.report
  return [
    String(index + 1),
    fromCell(r),
    targetCell(r),
    esc(confinementOf(r)),
    statusCell(r) +
      (job.olderSchema ? sub(`schema ${job.olderSchema}`) : '') +
      (job.notes.length ? sub(`⚠️ ${esc(job.notes.join('; '))}`) : ''),
    hopsCell(r),
    addonsCell(r),
    downtimeCell(r),
    dataCell(r),
    findingsCell(r),
    seconds(durationMs(r))
  ]
}

// ------------------------------------------------------------------------------------- component × job

export interface ComponentRow {
  key: string
  label: string
  /** One value per job; undefined when the job did not have the component (or no inventory after). */
  values: Array<string | undefined>
}

/** The versions a job ended with, by component: snap, Kubernetes, kubelet, CNI, each addon's images. */
export function componentVersions(inv: Inventory): Map<string, { label: string; value: string }> {
  const out = new Map<string, { label: string; value: string }>()
  const put = (key: string, label: string, value: string) => out.set(key, { label, value })
  if (inv.snap) {
    put('core:snap', 'microk8s snap', inv.snap.version)
    put('core:channel', 'snap channel', inv.snap.channel)
    put('core:revision', 'snap revision', String(inv.snap.revision))
  }
  if (inv.serverVersion) put('kubernetes:api', 'API server', inv.serverVersion)
  // Runner host names differ from job to job: one kubelet row, whatever the node is called.
  const kubelets = [...new Set(inv.nodes.map((n) => n.kubeletVersion))]
  if (kubelets.length) put('node:kubelet', 'kubelet', kubelets.join(', '))
  for (const image of inv.cni?.images ?? [])
    put(`cni:${image.repository}`, `${code(image.repository)}${sub(esc(inv.cni!.name))}`, tagOf(image))
  for (const addon of inv.addons.filter((a) => a.enabled)) {
    if (!addon.images.length) put(`addon:${addon.name}`, `${code(addon.name)}${sub('addon')}`, 'enabled')
    for (const image of addon.images)
      put(`image:${addon.name}:${image.repository}`, `${code(image.repository)}${sub(esc(addon.name))}`, tagOf(image))
  }
  return out
}

function tagOf(image: { repository: string; tag?: string; digest?: string }): string {
  return formatImage(image).slice(image.repository.length + 1) || 'latest'
}

export function componentRows(jobs: ReadReport[]): ComponentRow[] {
  const perJob = jobs.map((j) => (j.report.after ? componentVersions(j.report.after) : new Map()))
  const rows = new Map<string, ComponentRow>()
  perJob.forEach((versions, i) => {
    for (const [key, { label, value }] of versions) {
      if (!rows.has(key)) rows.set(key, { key, label, values: jobs.map(() => undefined) })
      rows.get(key)!.values[i] = value
    }
  })
  return [...rows.values()]
}

/** Whether the jobs that reached an inventory ended with different values. */
export function differs(row: ComponentRow, jobs: ReadReport[]): boolean {
  // A failed job's inventory may lack what it could not read (a cluster not ready): unknown, not a difference.
  const seen = new Set(
    row.values
      .filter((v, i) => jobs[i].report.after && (v !== undefined || !isFailed(jobs[i].report)))
      .map((v) => v ?? '(absent)')
  )
  return seen.size > 1
}

/** The value most jobs have: the one the others are highlighted against. */
function commonValue(values: Array<string | undefined>): string | undefined {
  const counts = new Map<string, number>()
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]
}

function componentCells(row: ComponentRow, jobs: ReadReport[]): string[] {
  const diff = differs(row, jobs)
  const common = commonValue(row.values)
  return [
    diff ? `⚠️ ${row.label}` : row.label,
    ...row.values.map((v, i) => {
      const r = jobs[i].report
      if (!r.after) return `<sub>${r.status === 'dry-run' ? 'dry run' : 'no inventory'}</sub>`
      if (v === undefined) return isFailed(r) ? '<sub>unknown</sub>' : diff ? '<b>absent</b>' : '—'
      // Bold plain text stands out among the code-formatted values (bold code looks the same as code).
      return diff && v !== common ? `<b>${esc(v)}</b>` : code(v)
    })
  ]
}

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
