import { describe, it, expect } from 'vitest'
import { mermaidTimeline, timelineAxis, timelineBars } from '../../src/report/timeline.js'
import { renderSummary } from '../../src/report/summary.js'
import { typicalUpgrade, failedRun } from '../helpers/reports.js'

/**
 * The shape of Mermaid's gantt grammar (mermaid-js/mermaid, packages/mermaid/src/diagrams/gantt/parser/gantt.jison
 * and the gantt syntax page): a `gantt` line, then statements, one a line. A task is `name : data` where the name
 * holds no `:` `#` `;` and data is comma-separated: optional tags (done, active, crit, milestone), then start and
 * end, which with `dateFormat x` are milliseconds since the epoch. `tickInterval` as the gantt config schema
 * allows it: `/^([1-9][0-9]*)(millisecond|second|minute|hour|day|week|month)$/`.
 */
function ganttProblems(block: string): string[] {
  const problems: string[] = []
  const lines = block.split('\n')
  if (lines[0] !== '```mermaid' || lines[lines.length - 1] !== '```') problems.push('not a fenced mermaid block')
  const body = lines.slice(1, -1).map((l) => l.trim())
  if (body[0] !== 'gantt') problems.push('the first statement is not gantt')
  let dateFormat: string | undefined
  let sections = 0
  for (const line of body.slice(1)) {
    let m: RegExpExecArray | null
    if ((m = /^dateFormat (\S+)$/.exec(line))) dateFormat = m[1]
    else if (/^(title|axisFormat|todayMarker) \S.*$/.test(line)) continue
    else if (/^tickInterval /.test(line)) {
      if (!/^tickInterval [1-9][0-9]*(millisecond|second|minute|hour|day|week|month)$/.test(line))
        problems.push(`not a tick interval Mermaid accepts: ${line}`)
    } else if (/^section [^:#;]+$/.test(line)) sections++
    else if ((m = /^([^:#;]+?) :((?:(?:done|active|crit|milestone), )*)(\d+), (\d+)$/.exec(line))) {
      if (sections === 0) problems.push(`task before any section: ${line}`)
      if (dateFormat !== 'x') problems.push('task times need dateFormat x')
      if (Number(m[4]) <= Number(m[3])) problems.push(`a bar that ends before it starts: ${line}`)
    } else problems.push(`not a gantt statement: ${line}`)
  }
  return problems
}

/** The fenced block of a timeline, without the line under it that says what the axis shows. */
const fenced = (timeline: string) => /^```mermaid\n[\s\S]*?\n```/.exec(timeline)![0]

/** d3's `timeFormat` for the directives the timeline uses, in UTC (the test must not depend on the machine's zone). */
function formatUtc(format: string, ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const parts: Record<string, string> = {
    H: two(d.getUTCHours()),
    M: two(d.getUTCMinutes()),
    S: two(d.getUTCSeconds()),
    L: String(d.getUTCMilliseconds()).padStart(3, '0'),
    b: months[d.getUTCMonth()],
    d: two(d.getUTCDate())
  }
  return format.replace(/%([A-Za-z])/g, (_, c: string) => parts[c] ?? `%${c}`)
}

const UNIT_MS: Record<string, number> = { millisecond: 1, second: 1e3, minute: 6e4, hour: 36e5, day: 864e5 }

describe('the timeline', () => {
  it('draws each hop and each addon’s downtime as a bar on one time axis', () => {
    const r = typicalUpgrade()
    expect(timelineBars(r).map((b) => `${b.section}: ${b.label} ${b.startMs}-${b.endMs}`)).toEqual([
      'Hops: 1.29/stable 3000-64000',
      'Hops: 1.30/stable 64000-122000',
      'Addon downtime: dns 132000-160000',
      'Addon downtime: ingress 127000-178000',
      'Addon downtime: hostpath-storage 122000-195000'
    ])
  })

  it('is a Mermaid gantt block of valid shape, with absolute times from the run’s start', () => {
    const r = typicalUpgrade()
    const block = fenced(mermaidTimeline(r))
    expect(ganttProblems(block)).toEqual([])
    const t0 = Date.parse(r.startedAt)
    expect(block).toContain(`1.29/stable (61 s) :done, ${t0 + 3000}, ${t0 + 64000}`)
    expect(block).toContain(`hostpath-storage (73 s) :${t0 + 122000}, ${t0 + 195000}`)
  })

  it('marks a failed hop as critical and keeps the grammar when names hold odd characters', () => {
    const r = failedRun()
    r.hops[0].channel = '1.29/stable: #x; y%%'
    const block = fenced(mermaidTimeline(r))
    expect(ganttProblems(block)).toEqual([])
    expect(block).toMatch(/1\.30\/stable \(601 s\) :crit, /)
  })

  it('is in the job summary and in the compact pull-request comment, and absent when nothing ran', () => {
    const r = typicalUpgrade()
    expect(renderSummary(r, { limit: 1 << 20 })).toContain('```mermaid\ngantt')
    expect(renderSummary(r, { limit: 65_000, compact: true })).toContain('```mermaid\ngantt')
    r.hops = []
    r.addons = []
    expect(mermaidTimeline(r)).toBe('')
  })

  it('chooses ticks from the run’s length: a few per axis, each with its own label', () => {
    // From a sub-second test run to a six-hour job; the axis starts anywhere within a day.
    for (const span of [40, 300, 900, 3_300, 8_000, 45_000, 192_000, 700_000, 2_500_000, 21_600_000]) {
      const axis = timelineAxis(span)
      const [, every, unit] = /^(\d+)(\w+)$/.exec(axis.tickInterval)!
      const step = Number(every) * UNIT_MS[unit]
      for (const start of [Date.parse('2026-11-24T12:00:00.000Z'), Date.parse('2026-11-24T23:59:58.123Z')]) {
        // d3 puts the ticks at the multiples of the step within the domain.
        const ticks: number[] = []
        for (let t = Math.ceil(start / step) * step; t <= start + span; t += step) ticks.push(t)
        const labels = ticks.map((t) => formatUtc(axis.axisFormat, t))
        expect(new Set(labels).size, `${span} ms: ${labels.join(' ')}`).toBe(labels.length)
        expect(ticks.length, `${span} ms, ${axis.tickInterval}`).toBeGreaterThanOrEqual(1)
        expect(ticks.length, `${span} ms, ${axis.tickInterval}`).toBeLessThanOrEqual(7)
      }
    }
  })

  it('says under the chart what its axis shows: the viewer’s local time, the tick spacing, the start in UTC', () => {
    const r = typicalUpgrade()
    const timeline = mermaidTimeline(r)
    const first = Math.min(...timelineBars(r).map((b) => b.startMs))
    const start = new Date(Date.parse(r.startedAt) + first).toISOString()
    const axis = timelineAxis(195_000 - first)
    expect(timeline).toContain(`tickInterval ${axis.tickInterval}`)
    const caption = timeline.slice(fenced(timeline).length)
    expect(caption).toContain('your browser’s time zone')
    expect(caption).toContain(`a tick every ${axis.every}`)
    expect(caption).toContain(`${start.slice(0, 10)} ${start.slice(11, 19)} UTC`)
    expect(caption).not.toMatch(/runner’s clock/)
  })
})
