/**
 * The disruption measured by the probes (report.disruption, docs/disruption.md) as the job summary's table
 * (target, availability, longest outage, during), as the pull-request comment's one line with the longest outage,
 * and as the step outputs `max-outage-seconds` and `disruption` (one JSON line). Sections of their own, which
 * summary.ts includes with one call each; everything from the cluster or the user is escaped. It claims only what
 * was sampled: a target that never answered has no availability, and is named as such, not as "no outage".
 */
import { esc } from './escape.js'
import type { Report } from './model.js'
import type { Section } from './fit.js'
import { longestOutage, neverAnswered, overLimit } from '../probes/outages.js'
import type { TargetDisruption } from '../probes/outages.js'

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** `99.2 %`, never rounded up to 100 when something failed. */
export function percent(availability: number): string {
  const p = Math.floor(availability * 1000) / 10
  return `${p.toFixed(1)} %`
}

function during(t: TargetDisruption): string {
  const longest = [...t.outages].sort((a, b) => b.durationMs - a.durationMs)[0]
  if (!longest) return ''
  const more = t.outages.length > 1 ? ` (+${t.outages.length - 1} more)` : ''
  return `${esc(longest.during)}: ${esc(longest.kind)}${longest.open ? ', still out at the end' : ''}${more}`
}

/** The summary's disruption section (a Section of summary.ts by shape), or undefined when nothing was sampled. */
export function disruptionSection(
  r: Report
): { name: string; head: string; rows: string[]; foot: string; droppable: number } | undefined {
  const d = r.disruption
  if (!d) return undefined
  const over = new Set(overLimit(d).map((t) => t.label))
  const rows = d.targets.map((t) => {
    const flag = over.has(t.label) ? ' ⚠️' : ''
    const cells = t.answered
      ? [
          `${esc(t.label)}${flag}`,
          `${percent(t.availability!)} <sub>(${t.samples - t.failures}/${t.samples})</sub>`,
          t.longestOutageMs ? secs(t.longestOutageMs) : 'none',
          during(t)
        ]
      : [
          `${esc(t.label)}${flag}`,
          'never answered',
          '',
          esc(t.unresolved ? `not reached: ${t.unresolved}` : `${t.notYetUp} samples unanswered`)
        ]
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>\n`
  })
  const limit = d.limitMs !== undefined ? `; max-disruption ${secs(d.limitMs)}${over.size ? ' exceeded (⚠️)' : ''}` : ''
  return {
    name: 'disruption',
    head:
      `**Disruption** <sub>(a sample every ${secs(d.intervalMs)} from the first change to the end; ` +
      `outages are accurate to one interval${limit})</sub>\n\n<table>\n` +
      '<tr><th>target</th><th>availability</th><th>longest outage</th><th>during</th></tr>\n',
    rows,
    foot: '</table>\n\n',
    droppable: 0
  }
}

/**
 * The pull-request comment's line: the longest outage of any target (target, length, during what, its failure
 * kind), or that there was none, and the targets that never answered. An HTML paragraph, so a label's `_` or `*`
 * is never read as Markdown emphasis. Undefined when nothing was sampled.
 */
export function longestOutageLine(r: Report): Section | undefined {
  const d = r.disruption
  if (!d) return undefined
  const longest = longestOutage(d)
  const never = neverAnswered(d).map(esc)
  const parts: string[] = []
  if (longest) {
    const { label, outage } = longest
    const over = longest.overLimit ? ` ⚠️ over max-disruption (${secs(d.limitMs!)})` : ''
    parts.push(
      `${esc(label)}, ${secs(outage.durationMs)}, during ${esc(outage.during)} (${esc(outage.kind)}` +
        `${outage.open ? ', still out at the end' : ''})${over}`
    )
  } else {
    const answered = d.targets.length - never.length
    parts.push(
      answered ? `none (${answered} target${answered === 1 ? '' : 's'} answered every sample)` : 'none measured'
    )
  }
  if (never.length) parts.push(`⚠️ never answered: ${never.join(', ')}`)
  return {
    name: 'longest outage',
    head: `<p><b>Longest outage:</b> ${parts.join('; ')} <sub>(a sample every ${secs(d.intervalMs)})</sub></p>\n\n`,
    rows: [],
    foot: '',
    droppable: 0
  }
}

/** `max-outage-seconds` and `disruption` (empty when nothing was sampled). */
export function disruptionOutputs(r: Report): Record<string, string> {
  const d = r.disruption
  if (!d) return { 'max-outage-seconds': '', disruption: '' }
  const longest = longestOutage(d)
  return {
    'max-outage-seconds': ((longest?.outage.durationMs ?? 0) / 1000).toFixed(1),
    disruption: JSON.stringify(
      d.targets.map((t) => ({
        target: t.label,
        answered: t.answered,
        ...(t.answered ? { availability: Number(t.availability!.toFixed(4)) } : {}),
        samples: t.samples,
        failures: t.failures,
        longestOutageSeconds: Number((t.longestOutageMs / 1000).toFixed(1)),
        ...(t.outages.length ? { during: [...t.outages].sort((a, b) => b.durationMs - a.durationMs)[0].during } : {})
      }))
    )
  }
}
