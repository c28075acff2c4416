/**
 * The run's timeline: hops and addon downtime as bars on one time axis, as a Mermaid `gantt` chart. GitHub
 * renders ```mermaid blocks in job summaries as well as in pull-request comments (docs/summary.md); the demo
 * (scripts/render-summary.mjs) draws the same block with Mermaid for the HTML page and as bars in the terminal.
 *
 * The axis: Mermaid's gantt reads `dateFormat x` as milliseconds since the epoch and draws the axis with d3's
 * local-time scale and `timeFormat` (mermaid-js/mermaid, packages/mermaid/src/diagrams/gantt/ganttRenderer:
 * `scaleTime()`, `tickFormat(timeFormat(axisFormat))`), so its labels are the time of day in the viewer's
 * browser's time zone, not the runner's. `tickInterval` must match
 * `/^([1-9][0-9]*)(millisecond|second|minute|hour|day|week|month)$/` (the gantt config schema; millisecond and
 * second came with mermaid-js/mermaid#4778; a Mermaid that does not match it draws its own ticks). It is chosen
 * from the run's length, and the axis format goes down to the unit the ticks differ in.
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

export interface TimelineAxis {
  /** Mermaid's `tickInterval`, e.g. `500millisecond`, `15second`, `2minute`. */
  tickInterval: string
  /** Mermaid's `axisFormat` (d3 time format): down to the unit the ticks differ in. */
  axisFormat: string
  /** The tick spacing for a reader, e.g. `500 ms`, `15 s`, `2 min`. */
  every: string
}

const UNITS = [
  { unit: 'millisecond', ms: 1, short: 'ms', steps: [1, 2, 5, 10, 20, 50, 100, 200, 500], format: '%H:%M:%S.%L' },
  { unit: 'second', ms: 1000, short: 's', steps: [1, 2, 5, 10, 15, 30], format: '%H:%M:%S' },
  { unit: 'minute', ms: 60_000, short: 'min', steps: [1, 2, 5, 10, 15, 30], format: '%H:%M' },
  { unit: 'hour', ms: 3_600_000, short: 'h', steps: [1, 2, 3, 6, 12], format: '%H:%M' },
  { unit: 'day', ms: 86_400_000, short: 'd', steps: [1, 2, 7], format: '%b %d' }
] as const

/** At most this many intervals on the axis: labels of `%H:%M:%S.%L` stay apart in a narrow comment. */
const MAX_TICKS = 6

/** The smallest tick spacing that puts at most MAX_TICKS intervals on a span of `spanMs`, and its format. */
export function timelineAxis(spanMs: number): TimelineAxis {
  for (const u of UNITS) {
    for (const step of u.steps) {
      if (spanMs / (step * u.ms) <= MAX_TICKS)
        return { tickInterval: `${step}${u.unit}`, axisFormat: u.format, every: `${step} ${u.short}` }
    }
  }
  return { tickInterval: '1month', axisFormat: '%b %d', every: '1 month' }
}

/** `12:00:03 UTC`, with milliseconds when the ticks are that fine. */
function utcTime(ms: number, fine: boolean): string {
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, fine ? 23 : 19)} UTC`
}

/**
 * The timeline as a fenced Mermaid gantt block followed by a line that says what its axis shows, or '' when
 * there is nothing to draw. Times are absolute (`dateFormat x`, milliseconds since the epoch).
 */
export function mermaidTimeline(r: Report): string {
  const bars = timelineBars(r)
  const t0 = Date.parse(r.startedAt)
  if (bars.length === 0 || Number.isNaN(t0)) return ''
  const first = Math.min(...bars.map((b) => b.startMs))
  const last = Math.max(...bars.map((b) => Math.max(b.endMs, b.startMs + 1)))
  const axis = timelineAxis(last - first)
  const lines = [
    '```mermaid',
    'gantt',
    '  title Timeline: hops and addon downtime',
    '  dateFormat x',
    `  axisFormat ${axis.axisFormat}`,
    `  tickInterval ${axis.tickInterval}`,
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
  const fine = axis.tickInterval.endsWith('millisecond')
  const caption =
    `<sub>Axis: the time of day in your browser’s time zone (Mermaid draws it in local time), a tick every ` +
    `${axis.every}; the first bar starts at ${utcTime(t0 + first, fine)}.</sub>`
  return `${lines.join('\n')}\n\`\`\`\n\n${caption}\n\n`
}
