/**
 * The user's workloads before and after (report.workloads, cluster/workload-changes.ts, docs/disruption.md
 * "Workloads") as the job summary's section: per workload, available at the end, restarts during the run, pods
 * replaced, a rollout, and the PodDisruptionBudgets that cover it; then the claims. A section of its own, which
 * summary.ts includes with one call; everything from the cluster is escaped. It claims only what was read: a side
 * that could not be read is said so, and nothing is compared.
 */
import { esc } from './escape.js'
import type { Report } from './model.js'
import type { WorkloadRow, WorkloadsRecord } from '../cluster/workload-changes.js'

const MAX_PODS = 3

/** `a: 2, b: 1 +3 more`. */
function listed(items: string[]): string {
  const more = items.length > MAX_PODS ? ` +${items.length - MAX_PODS} more` : ''
  return esc(items.slice(0, MAX_PODS).join(', ')) + more
}

const unavailable = (w: WorkloadRow) => w.presence !== 'gone' && (w.availableAfter ?? 0) < w.desired
const flagged = (w: WorkloadRow) =>
  w.presence === 'gone' || Boolean(w.rollout) || Boolean(w.podsGone?.length) || unavailable(w)

function available(w: WorkloadRow): string {
  if (w.presence === 'gone') return 'gone'
  const now = `${w.availableAfter ?? 0}/${w.desired}`
  const was =
    w.availableBefore !== undefined && w.availableBefore !== w.availableAfter ? ` (was ${w.availableBefore})` : ''
  return `${now}${w.presence === 'new' ? ' (new)' : was}`
}

/** In the PR comment, at most this many workloads listed only because no PodDisruptionBudget covers them. */
export const COMPACT_UNCOVERED = 10

function row(w: WorkloadRow): string {
  const restarted = w.restartedPods ?? []
  const replaced = [
    ...(w.podsGone?.length ? [`${listed(w.podsGone)} gone`] : []),
    ...(w.podsNew?.length ? [`${listed(w.podsNew)} new`] : [])
  ].join('; ')
  const cells = [
    `${esc(w.kind)} ${esc(`${w.namespace}/${w.name}`)}${flagged(w) ? ' ⚠️' : ''}`,
    available(w),
    restarted.length
      ? `${w.restarts} <sub>(${listed(restarted.map((p) => `${p.pod}: ${p.restarts}`))})</sub>`
      : w.restarts === undefined
        ? '—'
        : String(w.restarts),
    replaced || 'none',
    w.rollout ? `${esc(w.rollout.before)} → ${esc(w.rollout.after)}` : 'none',
    w.budgets.length ? esc(w.budgets.join(', ')) : 'none'
  ]
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>\n`
}

function claimsLine(r: WorkloadsRecord): string {
  if (!r.claims.length) return ''
  const lost = r.claims.filter((c) => c.before === 'Bound' && c.after !== 'Bound')
  const bound = r.claims.filter((c) => c.after === 'Bound').length
  const detail = lost
    .map(
      (c) =>
        `${esc(`${c.namespace}/${c.name}`)} Bound → ${esc(c.after ?? 'gone')}${c.usedBy ? ` (${esc(c.usedBy)})` : ''}`
    )
    .join(', ')
  return `Claims: ${bound} of ${r.claims.length} Bound at the end${lost.length ? `; ⚠️ no longer Bound: ${detail}` : ''}.\n\n`
}

const readText = (side: WorkloadsRecord['before']) => (side.read ? 'read' : `not read (${esc(side.reason)})`)

/** The summary's workloads section (a Section of summary.ts by shape), or undefined when the report has none. */
export function workloadsSection(
  r: Report,
  compact = false
): { name: string; head: string; rows: string[]; foot: string; droppable: number } | undefined {
  const w = r.workloads
  if (!w) return undefined
  const title = '**Workloads**'
  if (!w.compared) {
    const shown = w.workloads.length
      ? ` ${w.before.read ? 'Before' : 'At the end'}: ${w.workloads.length} workload${w.workloads.length === 1 ? '' : 's'}; without a PodDisruptionBudget: ${listed(w.workloads.filter((x) => !x.budgets.length).map((x) => `${x.namespace}/${x.name}`)) || 'none'}.`
      : ''
    return {
      name: 'workloads',
      head: `${title}: not compared — before the first change ${readText(w.before)}, at the end ${readText(w.after)}.${shown}\n\n`,
      rows: [],
      foot: '',
      droppable: 0
    }
  }
  if (!w.workloads.length && !w.claims.length) {
    return { name: 'workloads', head: `${title}: none in the user's namespaces.\n\n`, rows: [], foot: '', droppable: 0 }
  }
  const ordered = [
    ...w.workloads.filter(flagged),
    ...w.workloads.filter((x) => !flagged(x) && (x.restarts ?? 0) > 0),
    ...w.workloads.filter((x) => !flagged(x) && !(x.restarts ?? 0))
  ]
  // The PR comment keeps what a reviewer must see: what changed, restarted or has no budget.
  // At most COMPACT_UNCOVERED rows that are there only for having no budget, so a cluster of many workloads
  // cannot push the data checks and the removed-API findings out of the comment.
  const changed = (x: WorkloadRow) => flagged(x) || (x.restarts ?? 0) > 0
  const shown = compact
    ? [
        ...ordered.filter(changed),
        ...ordered.filter((x) => !changed(x) && !x.budgets.length).slice(0, COMPACT_UNCOVERED)
      ]
    : ordered
  const hidden = ordered.length - shown.length
  const hiddenUncovered = ordered.filter((x) => !shown.includes(x) && !x.budgets.length).length
  const namespaces = w.namespaces.map((n) => `<code>${esc(n)}</code>`).join(', ')
  return {
    name: 'workloads',
    head:
      `${title} <sub>(the user's namespace${w.namespaces.length === 1 ? '' : 's'}: ${namespaces || 'none'}; read before the first change and at the end; ` +
      `restarts are container restarts during the run)</sub>\n\n` +
      (shown.length
        ? '<table>\n<tr><th>workload</th><th>available</th><th>restarts</th><th>pods replaced</th><th>rollout</th><th>PodDisruptionBudget</th></tr>\n'
        : ''),
    rows: shown.map(row),
    foot:
      (shown.length ? '</table>\n\n' : '') +
      (w.workloads.length ? '' : 'No Deployment, StatefulSet or DaemonSet in them.\n\n') +
      (hidden
        ? `${hidden} more workload${hidden === 1 ? '' : 's'} unchanged and available${hiddenUncovered ? `, ${hiddenUncovered} of them without a PodDisruptionBudget` : ''} (the job summary lists every one).\n\n`
        : '') +
      claimsLine(w),
    droppable: 0
  }
}
