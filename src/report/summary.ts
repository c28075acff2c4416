/**
 * The report: one JSON document (schema/report.schema.json) and its renderings for the job summary and the
 * pull-request comment. Rendering is pure; everything that came from the cluster, snap or the user is escaped.
 * Fitting the rendering into GitHub's size limits: fit.ts.
 */
import { setupRows } from './setup-rows.js'
import type { Change, Inventory } from '../cluster/inventory.js'
import { formatImage } from '../cluster/inventory.js'
import type { Finding } from '../preflight/removed-apis.js'
import { mermaidTimeline } from './timeline.js'
import { disruptionSection, longestOutageLine } from './disruption.js'
import { requestedApisSection } from './requested-apis.js'
import { workloadsSection } from './workloads.js'
import { esc, escBlock, escLines } from './escape.js'
import type { Report } from './model.js'
import { fitSections, type Section } from './fit.js'

const code = (v: unknown) => `<code>${esc(v)}</code>`
const ICON: Record<string, string> = {
  upgraded: '⬆️ upgraded',
  downgraded: '⬇️ downgraded',
  unchanged: '· unchanged',
  changed: '🔁 changed',
  added: '➕ added',
  removed: '➖ removed',
  unknown: '❔ unknown'
}

const th = (head: string[]) => `<tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>\n`
const tr = (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>\n`

function textSection(name: string, text: string, droppable = 0): Section {
  return { name, head: text, rows: [], foot: '', droppable }
}

/**
 * A table under an optional title, optionally folded in `<details>`; undefined when there are no rows. A column
 * with no value in any row (what the target ships, on most runs) is left out; the first column always stays.
 */
function tableSection(
  name: string,
  head: string[],
  rows: string[][],
  o: { title?: string; details?: string; after?: string; droppable?: number } = {}
): Section | undefined {
  if (rows.length === 0) return undefined
  const kept = head.map((_, i) => i === 0 || rows.some((row) => (row[i] ?? '') !== ''))
  const columns = <T>(cells: T[]) => cells.filter((_, i) => kept[i])
  const open = o.details ? `<details><summary>${o.details}</summary>\n\n` : ''
  const close = o.details ? `</details>\n\n` : ''
  return {
    name,
    head: `${o.title ?? ''}${open}<table>\n${th(columns(head))}`,
    rows: rows.map((row) => tr(columns(row))),
    foot: `</table>\n\n${o.after ?? ''}${close}`,
    droppable: o.droppable ?? 0
  }
}

function seconds(ms?: number): string {
  return ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`
}

/** The one line a reader sees first, e.g. "MicroK8s v1.28.15 → v1.30.14 · 3 addons cycled · nothing lost". */
export function headline(r: Report): string {
  const before = r.before?.serverVersion ?? r.before?.snap?.version
  // A cluster that could not be read has not been seen to reach anything.
  const after = r.after?.unreadable ? undefined : (r.after?.serverVersion ?? r.after?.snap?.version)
  const parts: string[] = []
  // Stopped before anything was read or changed (an input error): nothing to say of versions.
  const untouched = r.status === 'failure' && !r.before && !r.after && r.hops.length === 0
  if (r.status === 'dry-run') parts.push(`Dry run: MicroK8s ${before ?? 'not installed'} → ${r.target.channel}`)
  else if (untouched) parts.push(`MicroK8s ${r.target.channel || 'channel'}: nothing changed`)
  else if (!before && !after)
    parts.push(r.hops.length ? `MicroK8s ${r.target.channel} install not completed` : 'MicroK8s not installed')
  else if (!before) parts.push(`MicroK8s ${after} installed (${r.target.channel})`)
  else if (!after) parts.push(`MicroK8s ${before} → ${r.target.channel} not reached`)
  else if (before === after) parts.push(`MicroK8s ${after} unchanged`)
  else parts.push(`MicroK8s ${before} → ${after}`)
  const cycled = r.addons.filter((a) => a.status === 'cycled').length
  const planned = r.plan?.enableOrder.length ?? 0
  const plural = (n: number) => (n === 1 ? '' : 's')
  if (r.status === 'dry-run') parts.push(`${planned} addon${plural(planned)} would be cycled`)
  else if (r.status !== 'failure') parts.push(`${cycled} addon${plural(cycled)} cycled`)
  // A failure says how far the cycle got, and nothing when it never started.
  else if (r.addons.some((a) => a.status !== 'kept' && a.status !== 'enabled'))
    parts.push(`${cycled} of ${planned} addon${plural(planned)} cycled`)
  const lost = r.dataChecks.filter((c) => c.checked !== false && !c.ok)
  const unchecked = r.dataChecks.filter((c) => c.checked === false)
  // Claims only what was checked; the checks behind it are listed under "Data checks".
  if (r.dataChecks.length > unchecked.length)
    parts.push(lost.length ? `⚠️ data check failed: ${lost.map((c) => c.name).join(', ')}` : 'nothing lost')
  if (unchecked.length) parts.push(`not checked: ${unchecked.map((c) => c.name).join(', ')}`)
  if (r.interrupted)
    parts.push(
      r.interrupted.cause === 'failed'
        ? '⚠️ addons left down; the post step tried again'
        : '⚠️ interrupted mid-cycle; finished by the post step'
    )
  if (r.findings.length) parts.push(`${r.findings.length} removed-API finding${plural(r.findings.length)}`)
  if (r.status === 'failure') parts.push(`failed at ${r.failure?.step ?? '?'}`)
  return parts.join(' · ')
}

/** A side of a comparison: its value, or why it could not be read. */
function sideText(value: string | undefined, unreadable: string | undefined): string {
  if (unreadable !== undefined) return `<i>not readable: ${esc(unreadable)}</i>`
  return esc(value ?? '—')
}

const componentName = (c: Change) => (c.addon ? `${code(c.component)} <sub>(${esc(c.addon)})</sub>` : code(c.component))

function changeRows(changes: Change[], onlyChanged: boolean): string[][] {
  return changes
    .filter((c) => !onlyChanged || c.state !== 'unchanged')
    .map((c) => [
      esc(c.kind),
      componentName(c),
      sideText(c.before, c.unreadable?.before),
      sideText(c.after, c.unreadable?.after),
      esc(ICON[c.state] ?? c.state),
      c.shipped ? esc(c.shipped) : ''
    ])
}

const KIND_NAMES: Record<string, string> = {
  core: 'snap',
  kubernetes: 'Kubernetes',
  node: 'nodes',
  cni: 'CNI',
  addon: 'addons',
  image: 'images'
}

/**
 * What one side could not be read for (after a failed hop: everything but the snap), as one line per side and
 * reason instead of a row each: unknown, not removed. '' when everything was read.
 */
function unreadableLines(changes: Change[]): string {
  const groups = new Map<string, { side: string; why: string; changes: Change[] }>()
  for (const c of changes) {
    for (const side of ['before', 'after'] as const) {
      const why = c.unreadable?.[side]
      if (why === undefined) continue
      const key = JSON.stringify([side, why])
      if (!groups.has(key)) groups.set(key, { side, why, changes: [] })
      groups.get(key)!.changes.push(c)
    }
  }
  return [...groups.values()]
    .map(({ side, why, changes: list }) => {
      const kinds = [...new Set(list.map((c) => c.kind))]
      const what = kinds.map(
        (k) =>
          `${esc(KIND_NAMES[k] ?? k)} ${list
            .filter((c) => c.kind === k)
            .map(componentName)
            .join(', ')}`
      )
      return `❔ **Not readable ${side} the run** (${esc(why)}), so unknown, not removed: ${what.join('; ')}.\n\n`
    })
    .join('')
}

function stepRows(r: Report): string[][] {
  return r.steps.map((s) => [
    esc(s.name),
    s.status === 'ok' ? '✅' : s.status === 'failed' ? '❌' : '⏭️',
    seconds(s.durationMs),
    escLines(s.detail ?? '')
  ])
}

function findingRows(findings: Finding[], limit = Infinity, targetMinor?: number): string[][] {
  return findings.slice(0, limit).map((f) => [
    // Manifest findings look two minors past the target: those are advice for the next upgrade.
    `1.${f.removedIn}${targetMinor !== undefined && f.removedIn > targetMinor ? ' <sub>after the target: migrate before your next upgrade</sub>' : ''}`,
    `${esc(f.kind)} ${code(`${f.namespace ? `${f.namespace}/` : ''}${f.name}`)}`,
    code(f.apiVersion),
    code(f.replacement),
    esc(f.evidence)
  ])
}

const DOWNTIME_NOTE =
  '<sub>² downtime: from the start of the addon’s disable until its workloads were rolled out again; ' +
  'for an addon enabled for the first time, how long the enable took.</sub>\n\n'

const LABEL_NOTE =
  '<sub>¹ label: the version the addon repository’s <code>addons.yaml</code> gives for the addon, as ' +
  '<code>microk8s status</code> shows it; what runs is the image beside it.</sub>\n\n'

function inventorySection(label: string, inv: Inventory | null): Section | undefined {
  if (!inv) return undefined
  const snap = [
    'snap',
    esc(
      inv.snap
        ? `${inv.snap.version} (rev ${inv.snap.revision}, ${inv.snap.channel}, ${inv.snap.confinement}${inv.snap.held ? ', held' : ''})`
        : 'not installed'
    )
  ]
  if (inv.unreadable !== undefined) {
    return tableSection(label, ['component', 'version'], [snap, ['cluster', sideText(undefined, inv.unreadable)]], {
      details: label,
      droppable: 3
    })
  }
  const enabled = inv.addons.filter((a) => a.enabled)
  const rows = [
    snap,
    ['API server', esc(inv.serverVersion ?? (inv.running ? '?' : 'not running'))],
    ...inv.nodes.map((n) => [`node ${esc(n.name)}`, esc(`${n.kubeletVersion} ${n.ready ? 'Ready' : 'NotReady'}`)]),
    ['CNI', esc(inv.cni ? `${inv.cni.name}: ${inv.cni.images.map(formatImage).join(', ')}` : '—')],
    ...enabled.map((a) => [
      `addon ${esc(a.name)}`,
      `${a.images.length ? a.images.map((i) => code(formatImage(i))).join(' ') : '<i>no workload</i>'}${a.label ? ` <sub>label¹ ${esc(a.label)}</sub>` : ''}`
    ]),
    ['volumes', esc(`${inv.volumes.pvs} PV, ${inv.volumes.pvcs} PVC (${inv.volumes.bound} bound)`)]
  ]
  return tableSection(label, ['component', 'version'], rows, {
    details: label,
    after: enabled.some((a) => a.label) ? LABEL_NOTE : '',
    droppable: 3
  })
}

export interface RenderOptions {
  /** Byte limit of the rendering (GitHub: 1 MiB per step summary, 65,536 characters per comment). */
  limit: number
  /** Compact rendering for the PR comment: only changed rows, top findings, link for the rest. */
  compact?: boolean
  marker?: string
}

/**
 * The job summary (or, compact, the PR comment) as GitHub-flavoured Markdown with HTML tables. When too long
 * it drops the least important parts first, then cuts at a whole row, and says what it left out; it never
 * drops the headline or the failure, and always closes what it opened.
 */
export function renderSummary(r: Report, options: RenderOptions): string {
  const sections: Section[] = []
  const add = (s: Section | undefined) => s && (s.head || s.rows.length) && sections.push(s)
  const icon = r.status === 'failure' ? '❌' : r.status === 'dry-run' ? '📝' : '✅'
  add(textSection('headline', `### ${icon} ${esc(headline(r))}\n\n`))
  if (r.failure) {
    add(
      textSection(
        'failure',
        `> [!CAUTION]\n> **Failed at ${esc(r.failure.step)}:** ${esc(r.failure.message)}\n>\n> Cluster left: ${esc(r.failure.clusterState)}\n\n` +
          (r.failure.output
            ? `<details><summary>Last output</summary>\n\n<pre>${escBlock(r.failure.output)}</pre>\n</details>\n\n`
            : '') +
          // The tarball is a file on the runner: the comment names the output that holds it, the summary also the path.
          (r.diagnostics
            ? `Diagnostics: the <code>microk8s inspect</code> tarball is the step’s <code>diagnostics</code> output; ` +
              `upload it as an artifact to download it from the run${options.compact ? '' : ` (on the runner: ${code(r.diagnostics)})`}.\n\n`
            : '')
      )
    )
  }
  // The comment says the longest outage in one line under the headline (the summary's table has every target).
  if (options.compact) add(longestOutageLine(r))
  if (r.plan) {
    const hops = r.plan.hops.length ? r.plan.hops.map((h) => code(h)).join(' → ') : 'none'
    const order = r.plan.enableOrder.length ? r.plan.enableOrder.map((a) => code(a)).join(' → ') : 'none'
    const then = r.plan.thenEnable.length ? `; then enable ${r.plan.thenEnable.map((a) => code(a)).join(' → ')}` : ''
    add(
      textSection(
        'plan',
        `**Plan:** ${esc(r.plan.kind)}; hops ${hops}; addon enable order ${order}${then}${r.plan.cyclingWhy ? ` <sub>(${esc(r.plan.cyclingWhy)})</sub>` : ''}\n\n`
      )
    )
  }
  const changeHead = ['kind', 'component', 'before', 'after', 'state', 'target ships']
  // Components a side could not be read for are one line, not a row each (the cluster was not ready).
  const read = r.changes.filter((c) => !c.unreadable)
  const unread = unreadableLines(r.changes)
  add(
    tableSection('changed components', changeHead, changeRows(read, true), { after: unread }) ??
      (r.changes.length
        ? textSection(
            'changed components',
            `${unread ? '_No component that could be read changed._' : '_No component changed._'}\n\n${unread}`
          )
        : undefined)
  )
  add(disruptionSection(r))
  add(workloadsSection(r, options.compact))
  const timeline = mermaidTimeline(r)
  if (timeline) add(textSection('timeline', timeline, 1))
  add(
    tableSection(
      'hops',
      ['channel', 'status', 'time', 'ready after', 'API server'],
      r.hops.map((h) => [
        code(h.channel),
        esc(h.status),
        seconds(h.durationMs),
        seconds(h.readyAfterMs),
        esc(h.serverVersion ?? '')
      ]),
      { title: '**Hops**\n\n' }
    )
  )
  add(
    tableSection(
      'setup',
      ['set up', 'what'],
      setupRows(r.setup).map(([what, detail]) => [esc(what), esc(detail)]),
      { title: '**Runner setup**\n\n', droppable: 1 }
    )
  )
  // What was done first (cycled, enabled, failed), then what was left as it was.
  const addons = [...r.addons.filter((a) => a.status !== 'kept'), ...r.addons.filter((a) => a.status === 'kept')]
  const timed = addons.some((a) => a.durationMs !== undefined)
  add(
    tableSection(
      'addons',
      ['addon', 'result', timed ? 'downtime²' : 'downtime', 'arguments', 'note'],
      addons.map((a) => [
        code(a.name),
        esc(a.status),
        seconds(a.durationMs),
        a.args ? code(a.args) : '',
        esc(a.note ?? '')
      ]),
      {
        title: '**Addons**\n\n',
        after: timed ? DOWNTIME_NOTE : '',
        droppable: 1
      }
    )
  )
  add(
    tableSection(
      'data checks',
      ['check', 'before', 'after', 'result'],
      r.dataChecks.map((c) => [
        esc(c.name),
        esc(c.before),
        esc(c.after),
        c.checked === false
          ? `⚪ not checked${c.detail ? `: ${esc(c.detail)}` : ''}`
          : c.ok
            ? '✅ kept'
            : `❌ ${esc(c.detail ?? 'lost')}`
      ]),
      { title: '**Data checks**\n\n' }
    )
  )
  const findingLimit = options.compact ? 20 : Infinity
  add(
    tableSection(
      'removed-API findings',
      ['removed in', 'object', 'authored as', 'use instead', 'evidence'],
      findingRows(r.findings, findingLimit, r.plan?.targetMinor ?? r.target.minor),
      {
        title:
          '**Removed APIs found in cluster objects and manifests** (authored with an API version the target or a hop removes; from manifests, also the two minors after it)\n\n',
        after: r.findings.length > findingLimit ? `…and ${r.findings.length - findingLimit} more.\n\n` : ''
      }
    )
  )
  add(requestedApisSection(r))
  if (r.manifests) {
    const m = r.manifests
    const skipped = m.skipped.map((s) => `- skipped ${code(s.file)}: ${esc(s.reason)}`).join('\n')
    add(
      textSection(
        'manifests',
        `**Manifests** (${m.patterns.map((p) => code(p)).join(', ')}): ${m.files} file${m.files === 1 ? '' : 's'}, ${m.objects} object${m.objects === 1 ? '' : 's'} checked against the target and the two minors after it\n\n${skipped ? `${skipped}\n\n` : ''}`,
        1
      )
    )
  }
  if (r.warnings.length) {
    add({
      name: 'warnings',
      head: '**Warnings**\n\n',
      rows: r.warnings.map((w) => `- ${esc(w)}\n`),
      foot: '\n',
      droppable: 1
    })
  }
  if (!options.compact) {
    add(
      tableSection('all components', changeHead, changeRows(read, false), {
        details: 'All components (unchanged included)',
        after: unread,
        droppable: 3
      })
    )
    add(tableSection('steps', ['step', 'result', 'time', 'detail'], stepRows(r), { details: 'Steps', droppable: 2 }))
    add(inventorySection('Before', r.before))
    add(inventorySection('After', r.after))
  }
  const tail =
    (r.runUrl ? `[Full report and logs](${r.runUrl})` : '') + (options.marker ? `\n${options.marker}\n` : '\n')
  return fitSections(sections, tail, options.limit)
}
