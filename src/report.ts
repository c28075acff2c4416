/**
 * The report: one JSON document (schema/report.schema.json) and its renderings for the job summary and the
 * pull-request comment. Rendering is pure; everything that came from the cluster, snap or the user is escaped.
 */
import type { Change, Inventory } from './inventory.js'
import { compareInventories, formatImage } from './inventory.js'
import { addonBranch, bundledCalico, shippedImages } from './catalog/index.js'
import { parseKubeVersion } from './channel.js'
import type { Finding } from './removed-apis.js'

export interface ManifestScanSummary {
  patterns: string[]
  files: number
  objects: number
  /** Files not read as plain YAML (Helm templates, parse errors), with the reason. */
  skipped: Array<{ file: string; reason: string }>
}

/** The report's schema version (schema/report.schema.json); the report action reads this one and every older one. */
export const SCHEMA_VERSION = 2

export interface StepRecord {
  name: string
  status: 'ok' | 'failed' | 'skipped'
  durationMs: number
  detail?: string
}

export interface HopRecord {
  channel: string
  minor: number
  status: 'done' | 'failed' | 'planned'
  durationMs: number
  /** Seconds spent waiting for readiness after the refresh. */
  readyAfterMs?: number
  serverVersion?: string
}

export interface AddonRecord {
  name: string
  /** `cycled`, `enabled` (newly, from the addons input), `kept` (not cycled, with a reason), `failed`, `planned`. */
  status: 'cycled' | 'enabled' | 'kept' | 'failed' | 'planned' | 're-enabled'
  durationMs?: number
  args?: string
  argsSource?: 'input' | 'recovered' | 'none'
  note?: string
}

export interface DataCheck {
  name: string
  before: string
  after: string
  ok: boolean
  detail?: string
}

export interface Report {
  schemaVersion: number
  status: 'success' | 'failure' | 'dry-run'
  target: { channel: string; minor?: number }
  startedAt: string
  finishedAt?: string
  plan?: {
    kind: string
    fromMinor?: number
    targetMinor?: number
    hops: string[]
    cycling?: boolean
    cyclingWhy?: string
    enableOrder: string[]
    disableOrder: string[]
    /** Addons from the addons input that were not enabled, enabled after the cycle. */
    thenEnable: string[]
    notes: string[]
  }
  before: Inventory | null
  after: Inventory | null
  hops: HopRecord[]
  steps: StepRecord[]
  addons: AddonRecord[]
  changes: Change[]
  dataChecks: DataCheck[]
  findings: Finding[]
  warnings: string[]
  failure?: { step: string; message: string; output?: string; clusterState: string }
  diagnostics?: string
  runUrl?: string
  /** The job (GITHUB_JOB) and run attempt that wrote the report, for the matrix grid. */
  job?: string
  runAttempt?: string
  /** The manifests input: what was scanned for removed APIs (schema version 2). */
  manifests?: ManifestScanSummary
  /** Where the time went: inside snap/microk8s commands versus the action itself. */
  timing?: { wallMs: number; commandMs: number; commands: number; maxRssKb: number }
}

export function newReport(channel: string, minor?: number): Report {
  return {
    schemaVersion: SCHEMA_VERSION,
    status: 'success',
    target: { channel, ...(minor !== undefined ? { minor } : {}) },
    startedAt: new Date().toISOString(),
    before: null,
    after: null,
    hops: [],
    steps: [],
    addons: [],
    changes: [],
    dataChecks: [],
    findings: [],
    warnings: []
  }
}

// ---------------------------------------------------------------------------------------------- analysis

/**
 * Fills in the comparison rows and the warnings a reader needs: addons left as they were that run older images
 * than the target snap ships, and Calico, which a refresh never upgrades (facts §3.6).
 */
export function analyseChanges(report: Report): void {
  if (report.before && report.after) {
    const targetBranch = addonBranch(parseKubeVersion(report.after.serverVersion ?? '')?.minor ?? report.target.minor)
    const calico = bundledCalico(targetBranch)
    report.changes = compareInventories(report.before, report.after, (name) =>
      name === 'calico' ? (calico ? { 'calico/node': calico } : {}) : shippedImages(name, targetBranch)
    )
    // Addons left as they were that run something older than the target snap ships.
    const cycled = new Set(
      report.addons.filter((a) => a.status === 'cycled' || a.status === 'enabled').map((a) => a.name)
    )
    for (const c of report.changes) {
      if (c.kind !== 'image' || !c.addon || !c.shipped || cycled.has(c.addon) || !c.after) continue
      const tag = c.after.split('@')[0]
      if (tag === c.shipped) continue
      const why =
        report.addons.find((a) => a.name === c.addon && a.status === 'kept')?.note ??
        (report.plan?.cycling === false ? report.plan.cyclingWhy : 'it failed')
      report.warnings.push(
        `${c.addon} still runs ${c.component}:${tag}; the ${targetBranch} snap ships ${c.shipped} (not cycled: ${why})`
      )
    }
    const running = report.after.cni?.images.find((i) => i.repository === 'calico/node')?.tag
    if (calico && running && running !== calico) {
      report.warnings.push(
        `Calico ${running} keeps running: it is bundled in the snap, not an addon, and a refresh does not upgrade it; ` +
          `the ${targetBranch} snap bundles ${calico} (to upgrade, re-apply /snap/microk8s/current/upgrade-scripts/000-switch-to-calico/resources/calico.yaml)`
      )
    }
  } else if (report.before && report.status === 'dry-run') {
    report.changes = []
  }
}

// --------------------------------------------------------------------------------------------- rendering

/** HTML-escapes text for both HTML and Markdown contexts (`|` would split a Markdown table cell). */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/\r?\n/g, ' ')
}

/** Like esc, but keeps line breaks (for <pre> blocks). */
export function escBlock(value: string): string {
  return value.split('\n').map(esc).join('\n')
}

const code = (v: unknown) => `<code>${esc(v)}</code>`
const ICON: Record<string, string> = {
  upgraded: '⬆️ upgraded',
  downgraded: '⬇️ downgraded',
  unchanged: '· unchanged',
  changed: '🔁 changed',
  added: '➕ added',
  removed: '➖ removed'
}

function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return ''
  const th = head.map((h) => `<th>${h}</th>`).join('')
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n')
  return `<table>\n<tr>${th}</tr>\n${body}\n</table>\n\n`
}

function details(summary: string, content: string): string {
  return content ? `<details><summary>${summary}</summary>\n\n${content}\n</details>\n\n` : ''
}

function seconds(ms?: number): string {
  return ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`
}

/** The one line a reader sees first, e.g. "MicroK8s v1.28.15 → v1.30.14 · 3 addons cycled · no data lost". */
export function headline(r: Report): string {
  const before = r.before?.serverVersion ?? r.before?.snap?.version
  const after = r.after?.serverVersion ?? r.after?.snap?.version
  const parts: string[] = []
  if (r.status === 'dry-run') parts.push(`Dry run: MicroK8s ${before ?? 'not installed'} → ${r.target.channel}`)
  else if (!before) parts.push(`MicroK8s ${after ?? '?'} installed (${r.target.channel})`)
  else if (!after) parts.push(`MicroK8s ${before} → ${r.target.channel} not reached`)
  else if (before === after) parts.push(`MicroK8s ${after} unchanged`)
  else parts.push(`MicroK8s ${before} → ${after}`)
  const cycled = r.addons.filter((a) => a.status === 'cycled').length
  const planned = r.plan?.enableOrder.length ?? 0
  if (r.status === 'dry-run') parts.push(`${planned} addon${planned === 1 ? '' : 's'} would be cycled`)
  else parts.push(`${cycled} addon${cycled === 1 ? '' : 's'} cycled`)
  const lost = r.dataChecks.filter((c) => !c.ok)
  if (r.dataChecks.length > 0)
    parts.push(lost.length ? `⚠️ data check failed: ${lost.map((c) => c.name).join(', ')}` : 'no data lost')
  if (r.findings.length) parts.push(`${r.findings.length} removed-API finding${r.findings.length === 1 ? '' : 's'}`)
  if (r.status === 'failure') parts.push(`❌ failed at ${r.failure?.step ?? '?'}`)
  return parts.join(' · ')
}

function changeRows(changes: Change[], onlyChanged: boolean): string[][] {
  return changes
    .filter((c) => !onlyChanged || c.state !== 'unchanged')
    .map((c) => [
      esc(c.kind),
      c.addon ? `${code(c.component)} <sub>(${esc(c.addon)})</sub>` : code(c.component),
      esc(c.before ?? '—'),
      esc(c.after ?? '—'),
      esc(ICON[c.state] ?? c.state),
      c.shipped ? esc(c.shipped) : ''
    ])
}

function stepRows(r: Report): string[][] {
  return r.steps.map((s) => [
    esc(s.name),
    s.status === 'ok' ? '✅' : s.status === 'failed' ? '❌' : '⏭️',
    seconds(s.durationMs),
    esc(s.detail ?? '')
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

function inventoryBlock(label: string, inv: Inventory | null): string {
  if (!inv) return ''
  const rows = [
    [
      'snap',
      esc(
        inv.snap
          ? `${inv.snap.version} (rev ${inv.snap.revision}, ${inv.snap.channel}, ${inv.snap.confinement}${inv.snap.held ? ', held' : ''})`
          : 'not installed'
      )
    ],
    ['API server', esc(inv.serverVersion ?? (inv.running ? '?' : 'not running'))],
    ...inv.nodes.map((n) => [`node ${esc(n.name)}`, esc(`${n.kubeletVersion} ${n.ready ? 'Ready' : 'NotReady'}`)]),
    ['CNI', esc(inv.cni ? `${inv.cni.name}: ${inv.cni.images.map(formatImage).join(', ')}` : '—')],
    ...inv.addons
      .filter((a) => a.enabled)
      .map((a) => [
        `addon ${esc(a.name)}`,
        `${a.images.length ? a.images.map((i) => code(formatImage(i))).join(' ') : '<i>no workload</i>'}${a.label ? ` <sub>label ${esc(a.label)}</sub>` : ''}`
      ]),
    ['volumes', esc(`${inv.volumes.pvs} PV, ${inv.volumes.pvcs} PVC (${inv.volumes.bound} bound)`)]
  ]
  return details(label, table(['', ''], rows))
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
 * it drops the least important parts first and says so; it never drops the headline or the failure.
 */
export function renderSummary(r: Report, options: RenderOptions): string {
  const sections: Array<{ text: string; droppable: number }> = []
  const add = (text: string, droppable = 0) => text && sections.push({ text, droppable })
  const icon = r.status === 'failure' ? '❌' : r.status === 'dry-run' ? '📝' : '✅'
  add(`### ${icon} ${esc(headline(r))}\n\n`)
  if (r.failure) {
    add(
      `> [!CAUTION]\n> **Failed at ${esc(r.failure.step)}:** ${esc(r.failure.message)}\n>\n> Cluster left: ${esc(r.failure.clusterState)}\n\n` +
        (r.failure.output ? details('Last output', `<pre>${escBlock(r.failure.output)}</pre>`) : '') +
        (r.diagnostics ? `Diagnostics (microk8s inspect): ${code(r.diagnostics)}\n\n` : '')
    )
  }
  if (r.plan) {
    const hops = r.plan.hops.length ? r.plan.hops.map((h) => code(h)).join(' → ') : 'none'
    const order = r.plan.enableOrder.length ? r.plan.enableOrder.map((a) => code(a)).join(' → ') : 'none'
    const then = r.plan.thenEnable.length ? `; then enable ${r.plan.thenEnable.map((a) => code(a)).join(' → ')}` : ''
    add(
      `**Plan:** ${esc(r.plan.kind)}; hops ${hops}; addon enable order ${order}${then}${r.plan.cyclingWhy ? ` <sub>(${esc(r.plan.cyclingWhy)})</sub>` : ''}\n\n`
    )
  }
  const onlyChanged = Boolean(options.compact)
  add(
    table(['', 'component', 'before', 'after', 'state', 'target ships'], changeRows(r.changes, true)) ||
      (r.changes.length ? '_No component changed._\n\n' : '')
  )
  if (r.hops.length) {
    add(
      `**Hops**\n\n` +
        table(
          ['channel', 'status', 'time', 'ready after', 'API server'],
          r.hops.map((h) => [
            code(h.channel),
            esc(h.status),
            seconds(h.durationMs),
            seconds(h.readyAfterMs),
            esc(h.serverVersion ?? '')
          ])
        )
    )
  }
  if (r.addons.length) {
    // What was done first (cycled, enabled, failed), then what was left as it was.
    const addons = [...r.addons.filter((a) => a.status !== 'kept'), ...r.addons.filter((a) => a.status === 'kept')]
    add(
      `**Addons**\n\n` +
        table(
          ['addon', 'result', 'time', 'arguments', 'note'],
          addons.map((a) => [
            code(a.name),
            esc(a.status),
            seconds(a.durationMs),
            a.args ? code(a.args) : '',
            esc(a.note ?? '')
          ])
        ),
      1
    )
  }
  if (r.dataChecks.length) {
    add(
      `**Data checks**\n\n` +
        table(
          ['check', 'before', 'after', 'result'],
          r.dataChecks.map((c) => [
            esc(c.name),
            esc(c.before),
            esc(c.after),
            c.ok ? '✅ kept' : `❌ ${esc(c.detail ?? 'lost')}`
          ])
        )
    )
  }
  if (r.findings.length) {
    const limit = options.compact ? 20 : Infinity
    add(
      `**Removed APIs** (objects authored with an API version the target or a hop removes; from manifests, also the two minors after it)\n\n` +
        table(
          ['removed in', 'object', 'authored as', 'use instead', 'evidence'],
          findingRows(r.findings, limit, r.plan?.targetMinor ?? r.target.minor)
        ) +
        (r.findings.length > limit ? `\n…and ${r.findings.length - limit} more.\n\n` : '')
    )
  }
  if (r.manifests) {
    const m = r.manifests
    const skipped = m.skipped.map((s) => `- skipped ${code(s.file)}: ${esc(s.reason)}`).join('\n')
    add(
      `**Manifests** (${m.patterns.map((p) => code(p)).join(', ')}): ${m.files} file${m.files === 1 ? '' : 's'}, ${m.objects} object${m.objects === 1 ? '' : 's'} checked against the target and the two minors after it\n\n${skipped ? `${skipped}\n\n` : ''}`,
      1
    )
  }
  if (r.warnings.length) add(`**Warnings**\n\n${r.warnings.map((w) => `- ${esc(w)}`).join('\n')}\n\n`, 1)
  if (!options.compact) {
    add(
      details(
        'All components (unchanged included)',
        table(['', 'component', 'before', 'after', 'state', 'target ships'], changeRows(r.changes, onlyChanged))
      ),
      3
    )
    add(details('Steps', table(['step', '', 'time', 'detail'], stepRows(r))), 2)
    add(inventoryBlock('Before', r.before), 3)
    add(inventoryBlock('After', r.after), 3)
  }
  const tail =
    (r.runUrl ? `[Full report and logs](${r.runUrl})` : '') + (options.marker ? `\n${options.marker}\n` : '\n')
  return fit(sections, tail, options.limit)
}

/** Drops droppable sections (highest first) until the rendering fits, noting that it was shortened. */
function fit(sections: Array<{ text: string; droppable: number }>, tail: string, limit: number): string {
  const size = (s: string) => Buffer.byteLength(s, 'utf8')
  const join = (list: typeof sections, note = '') => list.map((s) => s.text).join('') + note + tail
  let kept = [...sections]
  let note = ''
  for (let level = 3; level >= 1 && size(join(kept, note)) > limit; level--) {
    kept = kept.filter((s) => s.droppable < level)
    note = '\n_Shortened to fit GitHub’s size limit: the full report is in the JSON report file._\n\n'
  }
  let text = join(kept, note)
  if (size(text) > limit) {
    // Still too long (e.g. thousands of findings): cut the body, keep the tail.
    const cutNote = '\n\n_…cut to fit GitHub’s size limit: the full report is in the JSON report file._\n'
    let body = join(kept, '').slice(0, -tail.length || undefined)
    while (size(body) + size(cutNote) + size(tail) > limit) body = body.slice(0, Math.floor(body.length * 0.9))
    // Do not leave a half tag behind.
    body = body.slice(0, body.lastIndexOf('\n') > 0 ? body.lastIndexOf('\n') : body.length)
    text = body + cutNote + tail
  }
  return text
}
