import { describe, it, expect } from 'vitest'
import { mermaidTimeline, timelineBars } from '../../src/report/timeline.js'
import { renderSummary } from '../../src/report/summary.js'
import { typicalUpgrade, failedRun } from '../helpers/reports.js'

/**
 * The shape of Mermaid's gantt grammar (mermaid-js/mermaid, packages/mermaid/src/diagrams/gantt/parser/gantt.jison
 * and the gantt syntax page): a `gantt` line, then statements, one a line. A task is `name : data` where the name
 * holds no `:` `#` `;` and data is comma-separated: optional tags (done, active, crit, milestone), then start and
 * end, which with `dateFormat x` are milliseconds since the epoch.
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
    else if (/^section [^:#;]+$/.test(line)) sections++
    else if ((m = /^([^:#;]+?) :((?:(?:done|active|crit|milestone), )*)(\d+), (\d+)$/.exec(line))) {
      if (sections === 0) problems.push(`task before any section: ${line}`)
      if (dateFormat !== 'x') problems.push('task times need dateFormat x')
      if (Number(m[4]) <= Number(m[3])) problems.push(`a bar that ends before it starts: ${line}`)
    } else problems.push(`not a gantt statement: ${line}`)
  }
  return problems
}

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
    const block = mermaidTimeline(r).trimEnd()
    expect(ganttProblems(block)).toEqual([])
    const t0 = Date.parse(r.startedAt)
    expect(block).toContain(`1.29/stable (61 s) :done, ${t0 + 3000}, ${t0 + 64000}`)
    expect(block).toContain(`hostpath-storage (73 s) :${t0 + 122000}, ${t0 + 195000}`)
  })

  it('marks a failed hop as critical and keeps the grammar when names hold odd characters', () => {
    const r = failedRun()
    r.hops[0].channel = '1.29/stable: #x; y%%'
    const block = mermaidTimeline(r).trimEnd()
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
})
