// The summary's "Deprecated APIs requested at run time" section: one row per API over the reads, escaped, with
// the removing release against the target; reads that failed named as not read, never as none requested.
import { describe, it, expect } from 'vitest'
import { newReport } from '../../src/report/model.js'
import { requestedApisSection } from '../../src/report/requested-apis.js'
import { renderSummary } from '../../src/report/summary.js'
import type { RequestedApisRead } from '../../src/preflight/requested-apis.js'

const read = (at: string, minor: number, requested: RequestedApisRead['requested']): RequestedApisRead => ({
  at,
  atMs: 0,
  minor,
  status: 'read',
  requested
})
const report = (reads: RequestedApisRead[]) => {
  const r = newReport('1.32/stable', 32)
  r.requestedApis = { reads }
  return r
}
const whole = (s: ReturnType<typeof requestedApisSection>) => (s ? s.head + s.rows.join('') + s.foot : '')
const v1beta2 = {
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
  resource: 'flowschemas',
  removedRelease: '1.29',
  removedIn: 29,
  replacement: 'flowcontrol.apiserver.k8s.io/v1'
}

describe('the requested-APIs section', () => {
  it('one row per API, sorted by removal, with the reads that saw it and where it stands against the target', () => {
    const text = whole(
      requestedApisSection(
        report([
          read('before the run', 28, [v1beta2, { apiVersion: 'v1', resource: 'componentstatuses' }]),
          read('before 1.29/stable', 28, [v1beta2]),
          read('after the run', 32, [
            { apiVersion: 'example.com/v1', resource: 'things', removedRelease: '1.35', removedIn: 35 }
          ])
        ])
      )
    )
    const rows = text.split('\n').filter((l) => l.startsWith('<tr><td>'))
    expect(rows).toEqual([
      '<tr><td><code>flowcontrol.apiserver.k8s.io/v1beta2</code> flowschemas</td><td>1.29 ⚠️ <sub>not served by the target: what sends it fails</sub></td><td>before the run, before 1.29/stable</td><td><code>flowcontrol.apiserver.k8s.io/v1</code></td></tr>',
      '<tr><td><code>example.com/v1</code> things</td><td>1.35 <sub>after the target: migrate before your next upgrade</sub></td><td>after the run</td><td></td></tr>',
      '<tr><td><code>v1</code> componentstatuses</td><td><sub>no removal set</sub></td><td>before the run</td><td></td></tr>'
    ])
  })

  it('escapes what came from the API server and from a failed read', () => {
    const text = whole(
      requestedApisSection(
        report([
          read('before the run', 28, [
            { apiVersion: 'x<script>/v1', resource: 'a|b', subresource: '`s`', removedRelease: '1.<b>' }
          ]),
          { at: 'after the run', atMs: 1, status: 'not read', detail: 'exit 1: <html> & "quotes"', requested: [] }
        ])
      )
    )
    expect(text).toContain('<code>x&lt;script&gt;/v1</code> a&#124;b/&#96;s&#96;')
    expect(text).toContain('1.&lt;b&gt;')
    expect(text).toContain('Not read: after the run (exit 1: &lt;html&gt; &amp; &quot;quotes&quot;).')
    expect(text).not.toMatch(/<script>|<html>|<b>/)
  })

  it('says none only of reads that answered, and not read when none did', () => {
    const none = whole(
      requestedApisSection(
        report([
          read('before the run', 28, []),
          { at: 'after the run', atMs: 1, status: 'not read', detail: 'exit 1', requested: [] }
        ])
      )
    )
    expect(none).toBe(
      '**Deprecated APIs requested at run time**: none in 1 read (before the run).\n\nNot read: after the run (exit 1).\n\n'
    )
    const unread = whole(
      requestedApisSection(
        report([{ at: 'before the run', atMs: 0, status: 'not read', detail: 'exit 1', requested: [] }])
      )
    )
    expect(unread).toBe(
      '**Deprecated APIs requested at run time**: not read.\n\nNot read: before the run (exit 1).\n\n'
    )
    expect(requestedApisSection(newReport('1.32/stable', 32))).toBeUndefined()
  })

  it('stands after the removed-API findings in the summary', () => {
    const r = report([read('before the run', 28, [v1beta2])])
    r.findings = [
      {
        removedIn: 29,
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
        kind: 'FlowSchema',
        name: 'ci',
        replacement: 'flowcontrol.apiserver.k8s.io/v1',
        evidence: 'last-applied',
        source: 'guide'
      }
    ]
    const summary = renderSummary(r, { limit: 1 << 20 })
    const found = summary.indexOf('Removed APIs found in cluster objects and manifests')
    expect(found).toBeGreaterThan(-1)
    expect(summary.indexOf('Deprecated APIs requested at run time')).toBeGreaterThan(found)
  })
})
