import { describe, it, expect } from 'vitest'
import { mermaidText, mermaidTimeline, timelineAxis, timelineBars } from '../../src/report/timeline.js'
import { OUTAGE_BARS, OUTAGE_BARS_PER_TARGET, outageBars } from '../../src/report/timeline-outages.js'
import { renderSummary } from '../../src/report/summary.js'
import { typicalUpgrade, failedRun, probedUpgrade, probeOutage, probeTarget } from '../helpers/reports.js'

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
    } else if (/^section [^:#;%]+$/.test(line)) sections++
    else if ((m = /^([^:#;%]+?) :((?:(?:done|active|crit|milestone), )*)(\d+), (\d+)$/.exec(line))) {
      if (sections === 0) problems.push(`task before any section: ${line}`)
      // The lexer takes the first rule that matches: a name that begins like a statement is read as one.
      if (STATEMENT.test(m[1])) problems.push(`a task name read as a statement: ${line}`)
      if (dateFormat !== 'x') problems.push('task times need dateFormat x')
      if (Number(m[4]) <= Number(m[3])) problems.push(`a bar that ends before it starts: ${line}`)
    } else problems.push(`not a gantt statement: ${line}`)
  }
  return problems
}

/** What gantt.jison's lexer matches before a task name, case-insensitively (its rules in their order). */
const STATEMENT =
  /^(gantt|inclusiveEndDates|topAxis|(dateFormat|axisFormat|tickInterval|includes|excludes|todayMarker|weekday|title|accDescription|section|click|call|href)\s|\d{4}-\d\d-\d\d|accTitle\s*:|accDescr\s*[:{])/i

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

describe('the timeline’s outages', () => {
  const t0 = Date.parse(typicalUpgrade().startedAt)

  it('names in its title only what it draws', () => {
    const r = probedUpgrade([probeTarget('API server', [probeOutage(3000, 1200)])])
    r.hops = []
    r.addons = []
    expect(fenced(mermaidTimeline(r))).toContain('title Timeline: outages\n')
    expect(fenced(mermaidTimeline(typicalUpgrade()))).toContain('title Timeline: hops and addon downtime\n')
  })

  it('keeps two targets apart whose labels are cut to the same name', () => {
    const long = 'ingress.example.internal.corp:8443/api/'
    const r = probedUpgrade(
      [
        probeTarget(`${long}health`, [probeOutage(40_000, 2000)]),
        probeTarget(`${long}ready`, [probeOutage(60_000, 3000)])
      ],
      5000
    )
    const block = fenced(mermaidTimeline(r))
    expect(ganttProblems(block)).toEqual([])
    const sections = block
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('section ') && l.includes('outages'))
    expect(sections).toEqual([
      'section ingress.example.internal.corp... outages',
      'section ingress.example.internal.corp... (2) outages'
    ])
  })

  it('draws each target’s outages in a section of its own, red when over max-disruption or still out', () => {
    const r = probedUpgrade(
      [
        probeTarget('API server', [
          probeOutage(40_000, 2500, { during: 'refresh 1.29/stable' }),
          probeOutage(100_000, 4000)
        ]),
        probeTarget('web', [probeOutage(150_000, 9000, { kind: 'HTTP 503', during: 'ingress cycle' })]),
        probeTarget('steady'),
        probeTarget('app', [probeOutage(190_000, 6000, { open: true })])
      ],
      5000
    )
    const block = fenced(mermaidTimeline(r))
    expect(ganttProblems(block)).toEqual([])
    expect(block).toContain('title Timeline: hops, addon downtime and outages')
    const lines = block.split('\n').map((l) => l.trim())
    const from = (section: string) => lines.slice(lines.indexOf(`section ${section}`) + 1)
    expect(from('API server outages').slice(0, 2)).toEqual([
      `refused (2.5 s) :active, ${t0 + 40_000}, ${t0 + 42_500}`,
      `refused (4.0 s) :active, ${t0 + 100_000}, ${t0 + 104_000}`
    ])
    expect(from('web outages')[0]).toBe(`HTTP 503 (9.0 s) :crit, ${t0 + 150_000}, ${t0 + 159_000}`)
    expect(from('app outages')[0]).toBe(`refused until the end (6.0 s) :crit, ${t0 + 190_000}, ${t0 + 196_000}`)
    // A target without outages has no section; the run's own sections come first, as before.
    expect(lines.filter((l) => l.startsWith('section '))).toEqual([
      'section Hops',
      'section Addon downtime',
      'section API server outages',
      'section web outages',
      'section app outages'
    ])
    // Nothing was left out: the caption says nothing of outages.
    expect(mermaidTimeline(r).slice(block.length)).not.toContain('Outages')
  })

  it('keeps target labels within the grammar: no character that ends a name, starts a comment or closes the fence', () => {
    const labels = ['service/demo/web:8080', '127.0.0.1:8443/healthz', 'a#b;c%%d', 'x`y```\nz', 'gantt', 'title-x']
    const r = probedUpgrade(labels.map((l, i) => probeTarget(l, [probeOutage(10_000 * (i + 1), 1000)])))
    const block = fenced(mermaidTimeline(r))
    expect(ganttProblems(block)).toEqual([])
    const named = block.split('\n').filter((l) => /^ {2}section | :/.test(l))
    expect(named.map((l) => l.replace(/ :[^:]*$/, '')).join('\n')).not.toMatch(/`|%|#|;|:/)
    expect(block).toContain('section service/demo/web 8080 outages')
    expect(block).toContain('section 127.0.0.1 8443/healthz outages')
    expect(block).toContain('section a b c d outages')
    expect(block).toContain('section gantt outages')
  })

  it('leads a task name that would read as a statement with a dot; cuts long names', () => {
    for (const name of ['gantt x', 'Title (3 s)', 'section a', 'click me', 'call x', '2026-11-24 task', 'topAxis'])
      expect(STATEMENT.test(mermaidText(name)), name).toBe(false)
    expect(mermaidText('title x (3 s)')).toBe('· title x (3 s)')
    expect(mermaidText('titles (3 s)')).toBe('titles (3 s)')
    // A section name is all the text after `section `: it may begin with anything.
    expect(mermaidText('title x', 'section')).toBe('title x')
    expect(mermaidText('x'.repeat(100))).toMatch(/^x{45}\.\.\.$/)
    expect(mermaidText(':#;')).toBe('task')
    const long = probedUpgrade([probeTarget(`https-host.example/${'p'.repeat(80)}`, [probeOutage(5000, 1000)])])
    const section = fenced(mermaidTimeline(long))
      .split('\n')
      .find((l) => l.startsWith('  section') && l.endsWith('outages'))!
    expect(section).toMatch(/^ {2}section https-host\.example\/p+\.\.\. outages$/)
    expect(section.slice('  section '.length, -' outages'.length).length).toBeLessThanOrEqual(32)
  })

  it('draws the longest few of each target and a bounded number in all, and says what it left out', () => {
    // A flapping target: 20 outages, the longest last; and eleven targets with four each.
    const flapping = Array.from({ length: 20 }, (_, i) => probeOutage(5000 + i * 9000, 1000 + i * 100))
    const one = probedUpgrade([probeTarget('web', flapping)])
    const drawn = outageBars(one)
    expect(drawn.bars.map((b) => b.outage.durationMs)).toEqual([2700, 2800, 2900])
    const leftMs = flapping.slice(0, 17).reduce((n, o) => n + o.durationMs, 0)
    expect(drawn.left).toEqual([{ target: 'web', count: 17, ms: leftMs }])
    const caption = mermaidTimeline(one).slice(fenced(mermaidTimeline(one)).length)
    expect(caption).toContain(
      `at most the ${OUTAGE_BARS_PER_TARGET} longest of each target and ${OUTAGE_BARS} in all are drawn; not drawn: web 17 (${Math.round(leftMs / 1000)} s in all)`
    )

    const labels = Array.from({ length: 11 }, (_, i) => `t${i}`)
    const many = probedUpgrade(
      labels.map((l, i) =>
        probeTarget(
          l,
          [1, 2, 3, 4].map((k) => probeOutage(3000 + i * 1000 + k * 40_000, 1000 * k + i))
        )
      )
    )
    const bars = outageBars(many).bars
    expect(bars).toHaveLength(OUTAGE_BARS)
    // Every target's longest first, then the longest of the second-longest.
    for (const [i, l] of labels.entries())
      expect(Math.max(...bars.filter((b) => b.target === l).map((b) => b.outage.durationMs))).toBe(4000 + i)
    expect(bars.filter((b) => b.target === 't10')).toHaveLength(2)
    const block = fenced(mermaidTimeline(many))
    expect(ganttProblems(block)).toEqual([])
    expect(block.split('\n').filter((l) => / :(active|crit), /.test(l))).toHaveLength(OUTAGE_BARS)
    const text = mermaidTimeline(many)
    expect(text).toContain('not drawn: t0 3 (')
    expect(text).toContain('t10 2 (')
  })

  it('escapes a label in the caption', () => {
    const flapping = Array.from({ length: 5 }, (_, i) => probeOutage(5000 + i * 9000, 1000))
    const text = mermaidTimeline(probedUpgrade([probeTarget('<img src=x>', flapping)]))
    expect(text).not.toContain('<img')
    expect(text).toContain('&lt;img src=x&gt; 2 (2.0 s in all)')
  })

  it('draws outages even when the run had no hop and no addon; nothing without probes', () => {
    const r = probedUpgrade([probeTarget('API server', [probeOutage(3000, 1200)])])
    r.hops = []
    r.addons = []
    expect(ganttProblems(fenced(mermaidTimeline(r)))).toEqual([])
    r.disruption = undefined
    expect(mermaidTimeline(r)).toBe('')
  })
})
