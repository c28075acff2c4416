/**
 * Which of the probes' outages (report.disruption, docs/disruption.md) the timeline draws, and what it leaves out.
 * Mermaid's gantt gives every task a row of its own (mermaid-js/mermaid, packages/mermaid/src/diagrams/gantt/
 * ganttRenderer: one row per task unless `displayMode: compact`), so a flapping target would add a row per failed
 * stretch: the chart draws each target's longest few and a bounded number in all, the longest first across
 * targets, and the caption names what it left out (the report JSON has every outage).
 */
import type { Report } from './model.js'
import { exceedsLimit, type OutageRecord } from '../probes/outages.js'

/** At most this many outage bars per target (its longest). */
export const OUTAGE_BARS_PER_TARGET = 3
/** At most this many outage bars in all: every target's longest first, then every target's second, … */
export const OUTAGE_BARS = 12

export interface OutageBar {
  /** The target's label, as the report has it (escaped where it is drawn). */
  target: string
  outage: OutageRecord
  /** Longer than max-disruption, when that was set. */
  over: boolean
}

export interface OutageBars {
  /** Grouped by target in the report's order, by start within a target. */
  bars: OutageBar[]
  /** Per target, the outages not drawn: how many and how long in all. */
  left: Array<{ target: string; count: number; ms: number }>
}

/** The outage bars of a report (none when nothing was sampled). */
export function outageBars(r: Report): OutageBars {
  const d = r.disruption
  if (!d) return { bars: [], left: [] }
  const candidates = d.targets.flatMap((t, ti) =>
    [...t.outages]
      .sort((a, b) => b.durationMs - a.durationMs || a.startMs - b.startMs)
      .slice(0, OUTAGE_BARS_PER_TARGET)
      .map((outage, rank) => ({ ti, rank, outage }))
  )
  const drawn = candidates
    .sort((a, b) => a.rank - b.rank || b.outage.durationMs - a.outage.durationMs || a.ti - b.ti)
    .slice(0, OUTAGE_BARS)
  const bars: OutageBar[] = []
  const left: OutageBars['left'] = []
  d.targets.forEach((t, ti) => {
    const mine = drawn
      .filter((c) => c.ti === ti)
      .map((c) => c.outage)
      .sort((a, b) => a.startMs - b.startMs)
    for (const outage of mine) bars.push({ target: t.label, outage, over: exceedsLimit(d, outage) })
    const rest = t.outages.filter((o) => !mine.includes(o))
    if (rest.length)
      left.push({ target: t.label, count: rest.length, ms: rest.reduce((sum, o) => sum + o.durationMs, 0) })
  })
  return { bars, left }
}
