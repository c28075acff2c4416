/**
 * The run's timeline: hops, addon downtime and the probes' outages (a section per target; which are drawn:
 * timeline-outages.ts) as bars on one time axis, as a Mermaid `gantt` chart. GitHub renders ```mermaid blocks in
 * job summaries as well as in pull-request comments (docs/summary.md); the demo (scripts/render-summary.mjs)
 * draws the same block with Mermaid for the HTML page and as bars in the terminal.
 *
 * Text in the chart follows Mermaid's gantt lexer (mermaid-js/mermaid,
 * packages/mermaid/src/diagrams/gantt/parser/gantt.jison): a task name is `[^#:\n;]+` up to the `:` of its data,
 * a section name `[^#:\n;]+` after `section `, `%%` starts a comment anywhere, and the lexer takes the first rule
 * that matches, so a task name that begins like a statement (`gantt`, `title `, `section `, `click `, a date
 * `2026-01-01`, …) would be read as that statement.
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
import { esc } from './escape.js'
import { formatSeconds } from '../base/progress.js'
import { outageBars, OUTAGE_BARS, OUTAGE_BARS_PER_TARGET } from './timeline-outages.js'

export interface TimelineBar {
  /** `Hops`, `Addon downtime`, `Addons enabled`, or `<target> outages`. */
  section: string
  label: string
  /** Milliseconds after the run started. */
  startMs: number
  endMs: number
  failed: boolean
  /** Mermaid's tag: `done` for a hop, `crit` for what failed (a hop, an outage over max-disruption or still out at the end), `active` for other outages. */
  tag?: 'done' | 'active' | 'crit'
}

/**
 * The bars of a report: each hop, each cycled addon's downtime (disable to ready again), each new addon, and the
 * outages the chart draws (outageBars).
 */
export function timelineBars(r: Report): TimelineBar[] {
  const bars: TimelineBar[] = []
  for (const h of r.hops) {
    if (h.atMs === undefined || h.status === 'planned') continue
    bars.push({
      section: 'Hops',
      label: h.channel,
      startMs: h.atMs,
      endMs: h.atMs + h.durationMs,
      failed: h.status === 'failed',
      tag: h.status === 'failed' ? 'crit' : 'done'
    })
  }
  for (const a of r.addons) {
    if (a.atMs === undefined || a.durationMs === undefined) continue
    bars.push({
      section: a.status === 'enabled' ? 'Addons enabled' : 'Addon downtime',
      label: a.name,
      startMs: a.atMs,
      endMs: a.atMs + a.durationMs,
      failed: a.status === 'failed',
      ...(a.status === 'failed' ? { tag: 'crit' as const } : {})
    })
  }
  // A section per target: two labels cut to the same name are told apart by a number, never drawn as one.
  const sectionOf = new Map<string, string>()
  const sectionFor = (target: string) => {
    let name = sectionOf.get(target)
    if (name) return name
    const cut = target.length > LABEL_CHARS ? `${target.slice(0, LABEL_CHARS - 3)}...` : target
    const taken = new Set([...sectionOf.values()].map((v) => mermaidText(v, 'section')))
    name = `${cut} outages`
    for (let n = 2; taken.has(mermaidText(name, 'section')); n++) name = `${cut} (${n}) outages`
    sectionOf.set(target, name)
    return name
  }
  for (const { target, outage, over } of outageBars(r).bars) {
    bars.push({
      section: sectionFor(target),
      label: `${outage.kind}${outage.open ? ' until the end' : ''}`,
      startMs: outage.startMs,
      endMs: outage.endMs,
      failed: false,
      tag: over || outage.open ? 'crit' : 'active'
    })
  }
  return bars
}

/** Statements of the gantt lexer that a task name must not begin with (case-insensitive, as the lexer is). */
const STATEMENT_START =
  /^(?:gantt|inclusiveenddates|topaxis|(?:dateformat|axisformat|tickinterval|includes|excludes|todaymarker|weekday|title|accdescription|section|click|call|href)\s|\d{4}-\d\d-\d\d)/i
/** Longer than this, a name is cut (a URL's path as a section name would push the chart aside). */
const NAME_CHARS = 48
/** A target's label in its section's name is cut shorter, so `outages` stays. */
const LABEL_CHARS = 32

/**
 * Text for a task or section name: only letters, digits, spaces and `. _ / + ( ) - , = @ ~` (nothing that ends a
 * task, starts a comment or closes the fence: `:`, `#`, `;`, `%`, backticks, line breaks become spaces), at most
 * NAME_CHARS characters, and a task name that would begin like a statement is led by `·`.
 */
export function mermaidText(text: string, kind: 'task' | 'section' = 'task'): string {
  let name = text
    .replace(/[^A-Za-z0-9 ._/+()\-,=@~]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
  if (name.length > NAME_CHARS) name = `${name.slice(0, NAME_CHARS - 3).trimEnd()}...`
  if (!name) return kind
  return kind === 'task' && STATEMENT_START.test(name) ? `· ${name}` : name
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

/** What the chart did not draw of the outages, for its caption ('' when it drew them all). */
function leftOut(left: Array<{ target: string; count: number; ms: number }>): string {
  if (!left.length) return ''
  const what = left.map((l) => `${esc(l.target)} ${l.count} (${formatSeconds(l.ms)} in all)`).join(', ')
  return (
    ` Outages: at most the ${OUTAGE_BARS_PER_TARGET} longest of each target and ${OUTAGE_BARS} in all are drawn; ` +
    `not drawn: ${what} (the report JSON has every outage).`
  )
}

/** What the chart draws, as its title says it: `hops, addon downtime and outages`, only what is there. */
function titleOf(bars: TimelineBar[]): string {
  const has = (test: (b: TimelineBar) => boolean) => bars.some(test)
  const parts = [
    ...(has((b) => b.section === 'Hops') ? ['hops'] : []),
    ...(has((b) => b.section === 'Addon downtime') ? ['addon downtime'] : []),
    ...(has((b) => b.section === 'Addons enabled') ? ['addons enabled'] : []),
    ...(has((b) => b.section.endsWith(' outages')) ? ['outages'] : [])
  ]
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? 'the run')
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
  const outages = outageBars(r)
  const lines = [
    '```mermaid',
    'gantt',
    `  title Timeline: ${titleOf(bars)}`,
    '  dateFormat x',
    `  axisFormat ${axis.axisFormat}`,
    `  tickInterval ${axis.tickInterval}`,
    '  todayMarker off'
  ]
  // The run's own sections in their order, then a section per target with outages, in the report's order.
  const fixed = ['Hops', 'Addon downtime', 'Addons enabled']
  const sections = [...fixed.filter((s) => bars.some((b) => b.section === s)), ...new Set(bars.map((b) => b.section))]
  for (const section of new Set(sections)) {
    lines.push(`  section ${mermaidText(section, 'section')}`)
    for (const b of bars.filter((x) => x.section === section)) {
      // A bar needs some width to be drawn: at least 1 ms.
      const end = Math.max(b.endMs, b.startMs + 1)
      const tags = b.tag ? `${b.tag}, ` : ''
      lines.push(
        `  ${mermaidText(`${b.label} (${formatSeconds(b.endMs - b.startMs)})`)} :${tags}${t0 + b.startMs}, ${t0 + end}`
      )
    }
  }
  const fine = axis.tickInterval.endsWith('millisecond')
  const caption =
    `<sub>Axis: the time of day in your browser’s time zone (Mermaid draws it in local time), a tick every ` +
    `${axis.every}; the first bar starts at ${utcTime(t0 + first, fine)}.${leftOut(outages.left)}</sub>`
  return `${lines.join('\n')}\n\`\`\`\n\n${caption}\n\n`
}
