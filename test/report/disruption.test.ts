import { describe, it, expect } from 'vitest'
import { longestOutageLine } from '../../src/report/disruption.js'
import { renderSummary } from '../../src/report/summary.js'
import { unbalanced } from '../helpers/html.js'
import { typicalUpgrade, probedUpgrade, probeOutage, probeTarget } from '../helpers/reports.js'

const comment = (r = typicalUpgrade()) =>
  renderSummary(r, { limit: 65_000, compact: true, marker: '<!-- microk8s-upgrade-report:v1 key=k -->' })
/** The comment's line, or undefined. */
const line = (text: string) => /^<p><b>Longest outage:<\/b>.*<\/p>$/m.exec(text)?.[0]

describe('the pull-request comment’s longest-outage line', () => {
  it('names the target, its length and the step it fell in, under the headline', () => {
    const r = probedUpgrade([
      probeTarget('API server', [probeOutage(64_500, 2600)]),
      probeTarget('web', [
        probeOutage(70_000, 1000),
        probeOutage(127_000, 51_000, { kind: 'HTTP 503', during: 'ingress cycle' })
      ])
    ])
    const text = comment(r)
    expect(line(text)).toBe(
      '<p><b>Longest outage:</b> web, 51.0 s, during ingress cycle (HTTP 503) <sub>(a sample every 1.0 s)</sub></p>'
    )
    // Right under the headline, before the plan; the job summary has the table instead.
    expect(text.indexOf('<p><b>Longest outage:')).toBeLessThan(text.indexOf('**Plan:**'))
    expect(text.indexOf('###')).toBeLessThan(text.indexOf('<p><b>Longest outage:'))
    expect(line(renderSummary(r, { limit: 1 << 20 }))).toBeUndefined()
    expect(unbalanced(text)).toBeUndefined()
  })

  it('says when it exceeded max-disruption, was still out at the end, or no target went down', () => {
    const over = probedUpgrade([probeTarget('API server', [probeOutage(190_000, 6000, { open: true })])], 5000)
    expect(line(comment(over))).toBe(
      '<p><b>Longest outage:</b> API server, 6.0 s, during refresh 1.30/stable (refused, still out at the end) ' +
        '⚠️ over max-disruption (5.0 s) <sub>(a sample every 1.0 s)</sub></p>'
    )
    const none = probedUpgrade([probeTarget('API server'), probeTarget('web')], 5000)
    expect(line(comment(none))).toBe(
      '<p><b>Longest outage:</b> none (2 targets answered every sample) <sub>(a sample every 1.0 s)</sub></p>'
    )
  })

  it('never calls a target that never answered "no outage"', () => {
    const r = probedUpgrade([probeTarget('API server'), probeTarget('dns/web.demo', [], false)])
    expect(line(comment(r))).toBe(
      '<p><b>Longest outage:</b> none (1 target answered every sample); ⚠️ never answered: dns/web.demo ' +
        '<sub>(a sample every 1.0 s)</sub></p>'
    )
    const silent = probedUpgrade([probeTarget('API server', [], false)])
    expect(line(comment(silent))).toContain('none measured; ⚠️ never answered: API server')
  })

  it('escapes what came from the user and the report, and is absent when nothing was sampled', () => {
    const r = probedUpgrade([
      probeTarget('a_b*c<script>', [probeOutage(5000, 3000, { during: '<img src=x>', kind: 'x|y' })])
    ])
    const text = line(comment(r))!
    expect(text).not.toMatch(/<script>|<img/)
    expect(text).toContain('a_b*c&lt;script&gt;, 3.0 s, during &lt;img src=x&gt; (x&#124;y)')
    expect(longestOutageLine(typicalUpgrade())).toBeUndefined()
    expect(line(comment())).toBeUndefined()
  })
})
