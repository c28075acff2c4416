import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { marked } from 'marked'
import { renderSummary } from '../../src/report/summary.js'
import type { Report } from '../../src/report/model.js'
import type { Finding } from '../../src/preflight/removed-apis.js'
import { typicalUpgrade, failedRun, manyFindings } from '../helpers/reports.js'
import { unbalanced } from '../helpers/html.js'

const size = (s: string) => Buffer.byteLength(s, 'utf8')
// Text as it may come from a cluster or a user: markup, table pipes, backticks, line breaks, non-ASCII.
const text = fc.string({
  unit: fc.constantFrom('a', 'Z', '1', ' ', '<', '>', '&', '|', '`', '"', '\n', '€', '✅', '/'),
  maxLength: 30
})

const finding = fc.record({
  removedIn: fc.integer({ min: 22, max: 36 }),
  apiVersion: text,
  kind: text,
  name: text,
  replacement: text,
  evidence: text,
  source: fc.constant('guide' as const)
}) as fc.Arbitrary<Finding>

const report: fc.Arbitrary<Report> = fc
  .record({
    failed: fc.boolean(),
    findings: fc.array(finding, { maxLength: 60 }),
    warnings: fc.array(text, { maxLength: 40 }),
    extraChanges: fc.array(fc.record({ component: text, before: text, after: text }), { maxLength: 40 }),
    message: text
  })
  .map(({ failed, findings, warnings, extraChanges, message }) => {
    const r = failed ? failedRun() : typicalUpgrade()
    if (failed) r.failure!.message = message
    r.findings = findings
    r.warnings = warnings
    for (const c of extraChanges) r.changes.push({ kind: 'image', ...c, state: 'changed' })
    return r
  })

describe('a summary cut to a size limit', () => {
  it('renders to balanced HTML at any limit, within the limit, saying what was cut', () => {
    fc.assert(
      fc.property(report, fc.integer({ min: 0, max: 40_000 }), fc.boolean(), (r, limit, compact) => {
        const marker = compact ? '<!-- microk8s-upgrade-report:v1 key=k -->' : undefined
        const full = renderSummary(r, { limit: Infinity, compact, marker })
        const text = renderSummary(r, { limit, compact, marker })
        expect(unbalanced(text)).toBeUndefined()
        expect(unbalanced(marked.parse(text, { gfm: true, async: false }))).toBeUndefined()
        // Only the headline and the failure are kept whatever the limit: rendering at 0 gives that minimum.
        const minimum = size(renderSummary(r, { limit: 0, compact, marker }))
        expect(size(text)).toBeLessThanOrEqual(Math.max(limit, minimum))
        if (text !== full) {
          expect(text).toMatch(/✂️ Shortened/)
          expect(text).toContain('the full report is in the JSON report file')
        }
        if (marker) expect(text.trimEnd().endsWith(marker)).toBe(true)
      }),
      { numRuns: 150 }
    )
  })

  it('cuts a long table after a whole row, closes it, and names the section and the rows kept', () => {
    const r = typicalUpgrade()
    r.findings = manyFindings(3000)
    const text = renderSummary(r, { limit: 50_000 })
    const shown = (text.match(/<tr><td>1\.29<\/td>/g) ?? []).length
    expect(shown).toBeGreaterThan(10)
    expect(shown).toBeLessThan(3000)
    expect(text).toContain(`removed-API findings shows ${shown} of 3000 rows`)
    // The note comes after the closed table, not inside it.
    expect(text.indexOf('✂️')).toBeGreaterThan(text.lastIndexOf('</table>'))
    expect(unbalanced(text)).toBeUndefined()
  })
})
