import { describe, it, expect } from 'vitest'
import { renderSummary, headline } from '../../src/report/summary.js'
import { esc } from '../../src/report/escape.js'
import { analyseChanges } from '../../src/report/changes.js'
import { typicalUpgrade, noOpRun, failedRun, manyFindings } from '../helpers/reports.js'
import { validateReport } from '../helpers/schema.js'

describe('report rendering', () => {
  it('renders a typical upgrade', async () => {
    const r = typicalUpgrade()
    expect(headline(r)).toBe('MicroK8s v1.28.15 → v1.30.14 · 3 addons cycled · nothing lost')
    await expect(renderSummary(r, { limit: 1 << 20 })).toMatchFileSnapshot('__snapshots__/summary-upgrade.md')
  })

  it('renders a run that changed nothing', async () => {
    const r = noOpRun()
    expect(headline(r)).toBe('MicroK8s v1.30.14 unchanged · 0 addons cycled · nothing lost')
    await expect(renderSummary(r, { limit: 1 << 20 })).toMatchFileSnapshot('__snapshots__/summary-noop.md')
  })

  it('renders a failure with the step, the message, the cluster state and the diagnostics', async () => {
    const r = failedRun()
    const text = renderSummary(r, { limit: 1 << 20 })
    expect(text).toContain('Failed at refresh 1.30/stable:')
    expect(text).toContain('Cluster left: microk8s v1.30.14 (rev 8248, 1.30/stable), not ready')
    expect(text).toContain('microk8s-inspect-1764000000000.tar.gz')
    await expect(text).toMatchFileSnapshot('__snapshots__/summary-failure.md')
  })

  it('escapes what comes from the cluster, snap or the user', () => {
    const r = typicalUpgrade()
    r.after!.addons.find((a) => a.name === 'ingress')!.images = [
      { repository: 'evil/<script>alert(1)</script>', tag: 'v1|2' }
    ]
    r.failure = {
      step: 'addon cycle',
      message: 'enable failed: <img src=x onerror=alert(1)> | `rm`',
      clusterState: '<b>bold</b>'
    }
    r.status = 'failure'
    r.warnings.push('a | b <i>')
    const { changes } = r
    changes.push({ kind: 'image', component: '<script>x</script>', before: 'v1|0', after: 'v2', state: 'upgraded' })
    const text = renderSummary(r, { limit: 1 << 20 })
    expect(text).not.toMatch(/<script>|<img|<b>bold|b <i>/)
    expect(text).toContain('&lt;script&gt;x&lt;/script&gt;')
    expect(text).toContain('v1&#124;0')
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt; &#124; &#96;rm&#96;')
    expect(esc('a\'b"c\nd')).toBe('a&#39;b&quot;c d')
  })

  it('shortens a too-long summary with a note instead of dropping it, keeping headline and failure', () => {
    const r = failedRun()
    for (let i = 0; i < 20000; i++) r.warnings.push(`warning ${i} ${'x'.repeat(40)}`)
    const full = renderSummary(r, { limit: 1 << 30 })
    expect(Buffer.byteLength(full)).toBeGreaterThan(1 << 20)
    const text = renderSummary(r, { limit: 1 << 20 })
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1 << 20)
    expect(text).toContain(headline(r))
    expect(text).toContain('Failed at refresh 1.30/stable')
    expect(text).toMatch(/Shortened to fit GitHub’s size limit/)
  })

  it('cuts even undroppable parts (thousands of findings) to the limit, saying so', () => {
    const r = typicalUpgrade()
    r.findings = manyFindings(30000)
    const text = renderSummary(r, { limit: 100_000, marker: '<!-- m -->' })
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(100_000)
    expect(text).toMatch(/cut to fit/)
    expect(text.trimEnd().endsWith('<!-- m -->')).toBe(true)
  })

  it('keeps the compact comment rendering under the comment limit, with the top findings and a link', () => {
    const r = typicalUpgrade()
    r.findings = manyFindings(50)
    const text = renderSummary(r, {
      limit: 65536 - 1000,
      compact: true,
      marker: '<!-- microk8s-upgrade-report:v1 key=k -->'
    })
    expect(text.length).toBeLessThan(65536)
    expect(text).toContain('…and 30 more.')
    expect(text).toContain('[Full report and logs](https://github.com/octo-org/octo-repo/actions/runs/4242)')
    expect(text).not.toContain('All components (unchanged included)')
  })
})

describe('report JSON', () => {
  it.each([
    ['typical upgrade', typicalUpgrade()],
    ['no-op', noOpRun()],
    ['failure', failedRun()]
  ])('validates against schema/report.schema.json: %s', (_, r) => {
    expect(validateReport(r)).toEqual([])
  })

  it('the schema rejects a report missing what readers rely on', () => {
    const r: any = typicalUpgrade()
    delete r.dataChecks
    r.status = 'ok'
    expect(validateReport(r).join('\n')).toMatch(/dataChecks|status/)
  })
})

describe('analysis of the changes', () => {
  it('claims nothing from a table about what the target ships for an addon left as it was', () => {
    const r = typicalUpgrade()
    r.addons = r.addons.filter((a) => a.name !== 'ingress')
    r.addons.push({ name: 'ingress', status: 'kept', note: 'listed in never-cycle' })
    r.after!.addons.find((a) => a.name === 'ingress')!.images = [
      { repository: 'registry.k8s.io/ingress-nginx/controller', tag: 'v1.8.0' }
    ]
    analyseChanges(r)
    // Measured instead, by comparing the addon repositories after the last hop (test/integration).
    expect(r.warnings).toEqual([])
  })

  it('warns that Calico is not upgraded when the target snap measured a newer one', () => {
    const r = typicalUpgrade()
    r.after!.serverVersion = 'v1.33.5'
    r.targetCalico = 'v3.29.3'
    analyseChanges(r)
    expect(r.changes.find((c) => c.kind === 'cni')).toMatchObject({
      before: 'v3.25.1',
      after: 'v3.25.1',
      shipped: 'v3.29.3'
    })
    expect(r.warnings.join('\n')).toMatch(/Calico v3\.25\.1 keeps running: .* the 1\.33 snap bundles v3\.29\.3/)
    // The snap's calico.yaml is a template generate-cni.sh completes: never advised as something to apply as it is.
    expect(r.warnings.join('\n')).not.toMatch(/re-apply/)
    expect(r.warnings.join('\n')).toMatch(
      /generate-cni\.sh: applied as it is, it resets the pod CIDR, the IPv4\/IPv6 address assignment, the MTU and the IP autodetection \(which microk8s join sets to can-reach/
    )
  })

  it('claims nothing about Calico when the target snap was not measured', () => {
    const r = typicalUpgrade()
    r.after!.serverVersion = 'v1.33.5'
    analyseChanges(r)
    expect(r.changes.find((c) => c.kind === 'cni')?.shipped).toBeUndefined()
    expect(r.warnings).toEqual([])
  })

  it('says nothing when everything runs what the target ships', () => {
    const r = typicalUpgrade()
    r.targetCalico = 'v3.25.1'
    analyseChanges(r)
    expect(r.warnings).toEqual([])
  })
})

describe('what the summary says', () => {
  it('a failure headline shows ❌ once and no addon count when the cycle never started', () => {
    const text = renderSummary(failedRun(), { limit: 1 << 20 })
    const title = text.split('\n')[0]
    expect(title.match(/❌/g)).toHaveLength(1)
    expect(title).not.toMatch(/addons? cycled/)
  })

  it('a failure during the cycle says how far it got', () => {
    const r = typicalUpgrade()
    r.status = 'failure'
    r.failure = { step: 'addon cycle', message: 'enable ingress failed', clusterState: 'running' }
    r.addons[1].status = 'failed'
    r.addons[2].status = 're-enabled'
    expect(headline(r)).toMatch(/1 of 3 addons cycled · .*failed at addon cycle$/)
  })

  it('names every column, calls the addon time downtime and says what it measures', () => {
    const text = renderSummary(typicalUpgrade(), { limit: 1 << 20 })
    expect(text).not.toContain('<th></th>')
    expect(text).toContain('<th>downtime²</th>')
    expect(text).toMatch(/² downtime: from the start of the addon’s disable until its workloads were rolled out again/)
  })

  it('says what a label is where one is shown', () => {
    const text = renderSummary(typicalUpgrade(), { limit: 1 << 20 })
    expect(text).toContain('<sub>label¹ 1.8.0</sub>')
    expect(text).toMatch(/¹ label: the version the addon repository’s <code>addons\.yaml<\/code> gives/)
  })

  it('keeps the lines of a multi-line step detail (the plan) apart', () => {
    const r = typicalUpgrade()
    r.steps.push({ name: 'plan', status: 'ok', durationMs: 10, detail: 'Core: upgrade\nAddons: cycle <x>' })
    expect(renderSummary(r, { limit: 1 << 20 })).toContain('<td>Core: upgrade<br>Addons: cycle &lt;x&gt;</td>')
  })

  it('shows what could not be read as unknown, never as removed (readiness timed out)', () => {
    const r = failedRun()
    expect(r.changes.some((c) => c.state === 'removed' || c.state === 'added')).toBe(false)
    expect(r.changes.find((c) => c.component === 'dns')).toMatchObject({
      before: 'enabled',
      state: 'unknown',
      unreadable: { after: 'the cluster is not ready' }
    })
    // The snap is read on both sides, so it is compared.
    expect(r.changes.find((c) => c.component === 'microk8s snap')?.state).toBe('upgraded')
    const text = renderSummary(r, { limit: 1 << 20 })
    expect(text).not.toMatch(/removed<\/td>|enabled → disabled/)
    const unread = r.changes.filter((c) => c.unreadable?.after)
    expect(unread.length).toBeGreaterThan(1)
    for (const rendering of [text, renderSummary(r, { limit: 65_000, compact: true })]) {
      // One line names everything that could not be read, instead of a row each.
      const lines = rendering.split('\n').filter((l) => l.includes('Not readable after the run'))
      expect(lines[0]).toContain('(the cluster is not ready), so unknown, not removed:')
      for (const c of unread) expect(lines[0]).toContain(`<code>${c.component}</code>`)
      expect(rendering).not.toContain('<td>❔ unknown</td>')
      // What was read on both sides is still a row.
      expect(rendering).toMatch(/<td><code>microk8s snap<\/code><\/td>/)
    }
    expect(validateReport(r)).toEqual([])
  })

  it('leaves out a column no row has a value in, and keeps it where one has', () => {
    const r = typicalUpgrade()
    for (const c of r.changes) delete c.shipped
    const head = (text: string) => /<tr><th>kind<\/th>.*<\/tr>/.exec(text)![0]
    expect(head(renderSummary(r, { limit: 1 << 20 }))).not.toContain('target ships')
    r.changes.find((c) => c.state !== 'unchanged')!.shipped = 'v9.9.9'
    const text = renderSummary(r, { limit: 1 << 20 })
    expect(head(text)).toContain('<th>target ships</th>')
    expect(text).toContain('<td>v9.9.9</td>')
    // Every row keeps as many cells as its header.
    for (const table of text.match(/<table>[\s\S]*?<\/table>/g)!) {
      const counts = table
        .split('\n')
        .filter((l) => l.startsWith('<tr>'))
        .map((l) => l.match(/<t[hd]>/g)!.length)
      expect(new Set(counts).size, table).toBe(1)
    }
  })

  it('points the comment to the diagnostics output, never to a path on the runner', () => {
    const r = failedRun()
    const comment = renderSummary(r, { limit: 65_000, compact: true })
    expect(comment).toContain('the step’s <code>diagnostics</code> output')
    expect(comment).not.toContain(r.diagnostics!)
    expect(renderSummary(r, { limit: 1 << 20 })).toContain(`<code>${r.diagnostics}</code>`)
  })
})
