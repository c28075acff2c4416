/**
 * The run's timeline: hops and addon downtime as bars on one time axis, as a Mermaid `gantt` chart. GitHub
 * renders ```mermaid blocks in job summaries as well as in pull-request comments (docs/summary.md); the demo
 * (scripts/render-summary.mjs) draws the same block as bars for the terminal and the HTML page.
 */
import type { Report } from './model.js'
import { formatSeconds } from '../base/progress.js'

export interface TimelineBar {
  section: 'Hops' | 'Addon downtime' | 'Addons enabled'
  label: string
  /** Milliseconds after the run started. */
  startMs: number
  endMs: number
  failed: boolean
}

/** The bars of a report: each hop, each cycled addon's downtime (disable to ready again), each new addon. */
export function timelineBars(r: Report): TimelineBar[] {
  const bars: TimelineBar[] = []
  for (const h of r.hops) {
    if (h.atMs === undefined || h.status === 'planned') continue
    bars.push({
      section: 'Hops',
      label: h.channel,
      startMs: h.atMs,
      endMs: h.atMs + h.durationMs,
      failed: h.status === 'failed'
    })
  }
  for (const a of r.addons) {
    if (a.atMs === undefined || a.durationMs === undefined) continue
    bars.push({
      section: a.status === 'enabled' ? 'Addons enabled' : 'Addon downtime',
      label: a.name,
      startMs: a.atMs,
      endMs: a.atMs + a.durationMs,
      failed: a.status === 'failed'
    })
  }
  return bars
}

/**
 * Task names may hold only what cannot end a task or start a comment in Mermaid's gantt grammar (`:`, `#`, `;`,
 * `%`, line breaks); channel and addon names are already restricted, this keeps it so.
 */
function taskName(text: string): string {
  return text.replace(/[^A-Za-z0-9 ._/+()-]/g, ' ').trim() || 'task'
}

/**
 * The timeline as a fenced Mermaid gantt block, or '' when there is nothing to draw. Times are absolute
 * (`dateFormat x`, milliseconds since the epoch), so the axis shows the runner's clock time.
 */
export function mermaidTimeline(r: Report): string {
  const bars = timelineBars(r)
  const t0 = Date.parse(r.startedAt)
  if (bars.length === 0 || Number.isNaN(t0)) return ''
  const lines = [
    '```mermaid',
    'gantt',
    '  title Timeline: hops and addon downtime',
    '  dateFormat x',
    '  axisFormat %H:%M:%S',
    '  todayMarker off'
  ]
  for (const section of ['Hops', 'Addon downtime', 'Addons enabled'] as const) {
    const inSection = bars.filter((b) => b.section === section)
    if (inSection.length === 0) continue
    lines.push(`  section ${section}`)
    for (const b of inSection) {
      // A bar needs some width to be drawn: at least 1 ms.
      const end = Math.max(b.endMs, b.startMs + 1)
      const tags = b.failed ? 'crit, ' : section === 'Hops' ? 'done, ' : ''
      lines.push(
        `  ${taskName(`${b.label} (${formatSeconds(b.endMs - b.startMs)})`)} :${tags}${t0 + b.startMs}, ${t0 + end}`
      )
    }
  }
  return `${lines.join('\n')}\n\`\`\`\n\n`
}
