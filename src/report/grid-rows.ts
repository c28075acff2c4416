/**
 * The rows of the matrix grid, from each job's report: the job's cells (from, target, status and why it failed,
 * hops, addons, the probes' longest outage, downtime, data checks, removed-API findings, duration) and the
 * component × job table of the versions each job ended with. Pure; everything that came from a report is escaped.
 * Rendered by grid.ts.
 */
import type { Inventory } from '../cluster/inventory.js'
import { formatImage } from '../cluster/inventory.js'
import { esc } from './escape.js'
import type { Report } from './model.js'
import type { ReadReport } from './reader.js'
import { longestOutage, neverAnswered } from '../probes/outages.js'

const code = (v: unknown) => `<code>${esc(v)}</code>`
const sub = (v: string) => (v ? ` <sub>${v}</sub>` : '')
/** Escaped text that may break after each `/` (`<wbr>`): a long name no longer widens its column. */
const breakable = (v: string) => esc(v).replace(/\//g, '/<wbr>')
/** An image repository as code that may break after each `/`. */
const path = (v: string) => `<code>${breakable(v)}</code>`

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
  return `${code(shortChannel(snap.channel))}${sub(esc(r.before?.serverVersion ?? snap.version))}`
}

function targetCell(r: Report): string {
  const reached = r.after?.serverVersion
  return `${code(shortChannel(r.target.channel))}${sub(reached ? esc(reached) : r.status === 'dry-run' ? 'planned' : 'not reached')}`
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

/** A probe target's label that may break after each `/`, `.` and `:` (a DNS name or URL must not widen its column). */
const targetName = (v: string) => esc(v).replace(/([/.:])/g, '$1<wbr>')

/**
 * The longest outage the probes measured (report.disruption, schema 3 on): its length, then the target and what
 * ran then; ⚠️ when it exceeds max-disruption. A target that never answered is named as such, never as no outage.
 * `—` for a report without probes (schema 1 and 2, a dry run, a run stopped before its first change).
 */
function outageCell(r: Report): string {
  const d = r.disruption
  if (!d) return '—'
  const longest = longestOutage(d)
  const never = neverAnswered(d)
  const parts: string[] = []
  if (longest) {
    const { label, outage } = longest
    const over = longest.overLimit ? '⚠️ ' : ''
    const open = outage.open ? ', still out at the end' : ''
    parts.push(`${over}${seconds(outage.durationMs)}${sub(`${targetName(label)} · ${esc(outage.during)}${open}`)}`)
  } else if (never.length < d.targets.length) parts.push('none')
  if (never.length) parts.push(`⚠️ never answered${sub(never.map(targetName).join(', '))}`)
  return parts.join('<br>')
}

function dataCell(r: Report): string {
  if (!r.dataChecks.length) return '—'
  const lost = r.dataChecks.filter((c) => !c.ok)
  if (!lost.length) return `✅ ${r.dataChecks.length} kept`
  return `❌ ${lost.length} of ${r.dataChecks.length}${sub(esc(lost.map((c) => c.name).join(', ')))}`
}

/** How many findings, by whether the target removes them: the kinds are in the folded table. */
function findingsCell(r: Report): string {
  if (!r.findings.length) return 'none'
  const upcoming = r.findings.filter((f) => isUpcoming(r, f.removedIn)).length
  const now = r.findings.length - upcoming
  return [now ? `⚠️ ${now} removed by the target` : '', upcoming ? `${upcoming} removed in the next two minors` : '']
    .filter(Boolean)
    .join('<br>')
}

function findingKindsCell(r: Report): string {
  const kinds = [...new Set(r.findings.map((f) => `${f.kind} ${f.apiVersion}`))]
  return kinds.length ? kinds.map(esc).join('<br>') : '—'
}

/** The columns of the job table: what a reader compares across jobs. */
export const JOB_HEAD = [
  '#',
  'from',
  'target',
  'status',
  'hops',
  'addons',
  'longest outage',
  'data checks',
  'removed APIs'
]

export function jobRow(job: ReadReport, index: number): string[] {
  const r = job.report
  return [
    String(index + 1),
    fromCell(r),
    targetCell(r),
    statusCell(r) +
      (job.olderSchema ? sub(`schema ${job.olderSchema}`) : '') +
      (job.notes.length ? sub(`⚠️ ${esc(job.notes.join('; '))}`) : ''),
    hopsCell(r),
    addonsCell(r),
    outageCell(r),
    dataCell(r),
    findingsCell(r)
  ]
}

/** The columns folded under the job table: what matters less when comparing jobs. */
export const MORE_HEAD = ['#', 'job', 'confinement', 'downtime', 'removed APIs found', 'duration']

export function moreRow(job: ReadReport, index: number): string[] {
  const r = job.report
  return [
    String(index + 1),
    esc(jobLabel(r)),
    esc(confinementOf(r)),
    downtimeCell(r),
    findingKindsCell(r),
    seconds(durationMs(r))
  ]
}

/** Longer than this, a failure message is cut (the job's own summary has all of it). */
const REASON_CHARS = 240

/**
 * Why a failed job failed, in one line: its number and name, the step, and the message the report's failure
 * holds (`MicroK8s did not become ready within wait-timeout (60s): …`), on one line and cut when very long.
 */
export function failureLine(job: ReadReport, index: number): string {
  const r = job.report
  const message = (r.failure?.message ?? 'no failure message in the report').replace(/\s+/g, ' ').trim()
  const reason = message.length > REASON_CHARS ? `${message.slice(0, REASON_CHARS - 1).trimEnd()}…` : message
  return `**#${index + 1}** ${esc(jobLabel(r))} failed at ${esc(r.failure?.step ?? 'an unknown step')}: ${esc(reason)}`
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
    put(`cni:${image.repository}`, `${path(image.repository)}${sub(esc(inv.cni!.name))}`, tagOf(image))
  for (const addon of inv.addons.filter((a) => a.enabled)) {
    if (!addon.images.length) put(`addon:${addon.name}`, `${code(addon.name)}${sub('addon')}`, 'enabled')
    for (const image of addon.images)
      put(`image:${addon.name}:${image.repository}`, `${path(image.repository)}${sub(esc(addon.name))}`, tagOf(image))
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

export function componentCells(row: ComponentRow, jobs: ReadReport[]): string[] {
  const diff = differs(row, jobs)
  const common = commonValue(row.values)
  return [
    diff ? `⚠️ ${row.label}` : row.label,
    ...row.values.map((v, i) => {
      const r = jobs[i].report
      if (!r.after) return `<sub>${r.status === 'dry-run' ? 'dry run' : 'no inventory'}</sub>`
      if (v === undefined) return isFailed(r) ? '<sub>unknown</sub>' : diff ? '<b>absent</b>' : '—'
      // Bold plain text stands out among the code-formatted values (bold code looks the same as code). A value
      // may break after a `/` (`1.30-strict/stable`), so a column per job stays narrow.
      return diff && v !== common ? `<b>${breakable(v)}</b>` : `<code>${breakable(v)}</code>`
    })
  ]
}
