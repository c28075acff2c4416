import { describe, it, expect } from 'vitest'
import * as path from 'node:path'
import { readReports } from '../../src/report/reader.js'
import { renderGrid, gridHeadline, sortJobs, type GridInput } from '../../src/report/grid.js'
import { componentRows, differs, JOB_HEAD } from '../../src/report/grid-rows.js'
import { longestOutage, type TargetDisruption } from '../../src/probes/outages.js'
import { failure, merged } from '../../src/report-action/main.js'
import { typicalUpgrade, failedRun, probedUpgrade, probeOutage, probeTarget } from '../helpers/reports.js'
import type { ReadReport } from '../../src/report/reader.js'

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'reports')

/** The fixture reports as the report action sees them, with paths relative to the fixtures directory. */
async function fixtureGrid(): Promise<GridInput> {
  const { reports, unreadable } = await readReports([fixtures], fixtures)
  return {
    jobs: reports.map((r) => ({ ...r, file: path.relative(fixtures, r.file) })),
    unreadable: unreadable.map((u) => ({ ...u, file: path.relative(fixtures, u.file) }))
  }
}

const job = (report = typicalUpgrade(), file = 'r.json'): ReadReport => ({ file, report, notes: [] })
const size = (s: string) => Buffer.byteLength(s, 'utf8')
/** The rows of the first table (the jobs) and of the second (the components), without their header rows. */
const tables = (text: string) =>
  [...text.matchAll(/<table>\n([\s\S]*?)\n<\/table>/g)].map((m) => m[1].split('\n').slice(1))

describe('matrix grid', () => {
  it('a report that is JSON but breaks the schema is named as not read; the rest still render', async () => {
    const offSchema = path.join(import.meta.dirname, '..', 'fixtures', 'reports-off-schema')
    const { reports, unreadable } = await readReports([fixtures, offSchema], fixtures)
    const names = (files: Array<{ file: string }>) => files.map((f) => path.basename(f.file)).sort()
    expect(names(unreadable)).toEqual(
      ['addons-null', 'after-empty', 'channel-number', 'corrupt', 'not-a-report', 'unknown-schema'].map(
        (n) => `${n}.json`
      )
    )
    for (const u of unreadable.filter((u) => u.file.startsWith(offSchema)))
      expect(u.reason, u.file).toMatch(/^does not match the report schema \(\/(after|before\/snap\/channel|addons\/0) /)
    const text = renderGrid({ jobs: reports, unreadable }, { limit: 1 << 20 })
    expect(tables(text)[0]).toHaveLength(reports.length)
    for (const u of unreadable) expect(text).toContain(path.basename(u.file))
  })

  it('renders the fixture reports: a row per job, the unreadable files, versions by job', async () => {
    const grid = await fixtureGrid()
    const text = renderGrid(grid, { limit: 1 << 20 })
    await expect(text).toMatchFileSnapshot('__snapshots__/grid-fixtures.md')
    expect(gridHeadline(grid)).toBe(
      'MicroK8s upgrade matrix: 7 jobs · ✅ 5 passed · ❌ 1 failed · 📝 1 dry run · ⚠️ 3 removed-API findings · ⚠️ 3 files not read'
    )
    const [jobs, more, components] = tables(text)
    expect(jobs).toHaveLength(7)
    expect(more).toHaveLength(7)
    // The failed job names its failing step, links its run, and shows the hop that failed.
    const failed = jobs.find((r) => r.includes('failed at'))!
    expect(failed).toContain(
      '<a href="https://github.com/octo-org/octo-repo/actions/runs/4242">❌ failed at refresh 1.30/stable</a>'
    )
    expect(failed).toMatch(/1\.29 ✅ [\d.]+\u00a0s<br>1\.30 ❌ [\d.]+\u00a0s/)
    expect(jobs.find((r) => r.includes('dry run'))).toContain('1.28 → 1.29 → 1.30 <sub>planned</sub>')
    expect(jobs.find((r) => r.includes('<sub>schema 1</sub>'))).toContain('<code>1.29</code>')
    // Confinement, downtime and duration are folded under the job table, a row for each job.
    expect(text).toMatch(/<\/table>\n\n(- ❌ .*\n)+\n<details><summary>Confinement, downtime, duration/)
    expect(more.find((r) => r.includes('1.29-strict → 1.30-strict'))).toContain('<td>strict</td>')
    for (const name of ['corrupt.json', 'unknown-schema.json', 'not-a-report.json']) expect(text).toContain(name)
    // The strict job ended on another channel and revision: those rows are highlighted, the shared ones not.
    expect(components.find((r) => r.includes('snap channel'))).toMatch(/^<tr><td>⚠️ snap channel/)
    expect(components.find((r) => r.includes('API server'))).toMatch(/^<tr><td>API server/)
  })

  it('highlights the job whose versions differ from the others', () => {
    const old = typicalUpgrade()
    old.after!.addons.find((a) => a.name === 'ingress')!.images = [
      { repository: 'registry.k8s.io/ingress-nginx/controller', tag: 'v1.8.0' }
    ]
    const jobs = [job(), job(old), job()]
    const rows = componentRows(jobs)
    const ingress = rows.find((r) => r.key.endsWith('ingress-nginx/controller'))!
    expect(ingress.values).toEqual(['v1.11.5', 'v1.8.0', 'v1.11.5'])
    expect(differs(ingress, jobs)).toBe(true)
    expect(
      differs(
        rows.find((r) => r.label === 'API server')!,
        jobs
      )
    ).toBe(false)
    const row = tables(renderGrid({ jobs, unreadable: [] }, { limit: 1 << 20 }))[2].find((r) =>
      r.includes('ingress-nginx/<wbr>controller')
    )!
    expect(row).toContain('<td><b>v1.8.0</b></td>')
    expect(row.match(/<td><code>v1\.11\.5<\/code><\/td>/g)).toHaveLength(2)
  })

  it('says in one line why each failed job failed, with the message of its report', async () => {
    const grid = await fixtureGrid()
    const text = renderGrid(grid, { limit: 1 << 20 })
    const failedJobs = grid.jobs.filter((j) => j.report.status === 'failure')
    const lines = text.split('\n').filter((l) => l.startsWith('- ❌ '))
    expect(lines).toHaveLength(failedJobs.length)
    for (const j of failedJobs) {
      const line = lines.find((l) => l.includes(`failed at ${j.report.failure!.step}: `))!
      expect(line).toContain(j.report.failure!.message.replace(/\s+/g, ' ').slice(0, 60))
    }
    expect(lines.join('\n')).toMatch(/did not become ready within wait-timeout/)
    // A message over several lines is still one line, and a very long one is cut.
    const r = failedRun()
    r.failure!.message = `first\nsecond ${'x'.repeat(1000)}`
    const [line] = renderGrid({ jobs: [job(r)], unreadable: [] }, { limit: 1 << 20 })
      .split('\n')
      .filter((l) => l.startsWith('- ❌ '))
    expect(line).toMatch(/: first second x+…$/)
    expect(line.length).toBeLessThan(1000)
  })

  it('keeps the job table to the columns that are compared; the rest are folded, every job in both', () => {
    const text = renderGrid({ jobs: [job(), job(failedRun())], unreadable: [] }, { limit: 1 << 20 })
    const heads = [...text.matchAll(/<table>\n<tr>(.*)<\/tr>/g)].map((m) =>
      [...m[1].matchAll(/<th>(.*?)<\/th>/g)].map((h) => h[1])
    )
    expect(heads[0].join(' · ')).toBe(
      '# · from · target · status · hops · addons · longest outage · data checks · removed APIs'
    )
    expect(heads[1]).toEqual(['#', 'job', 'confinement', 'downtime', 'removed APIs found', 'duration'])
    const [jobs, more] = tables(text)
    expect(more.map((r) => /^<tr><td>(\d+)<\/td>/.exec(r)![1])).toEqual(
      jobs.map((r) => /^<tr><td>(\d+)<\/td>/.exec(r)![1])
    )
    // Long image repositories may break after each `/`, so they do not widen the versions table.
    expect(text).toContain('<code>registry.k8s.io/<wbr>ingress-nginx/<wbr>controller</code>')
  })

  it('gives each job’s longest outage, a dash for reports without probes (schema 1 to 3 without disruption)', async () => {
    const grid = await fixtureGrid()
    const [jobs] = tables(renderGrid(grid, { limit: 1 << 20 }))
    const column = JOB_HEAD.indexOf('longest outage')
    const cell = (row: string) => [...row.matchAll(/<td>(.*?)<\/td>/g)][column][1]
    const sorted = sortJobs(grid.jobs)
    const probed = sorted.findIndex((j) => j.report.disruption)
    expect(probed).toBeGreaterThanOrEqual(0)
    // The captured run: the longest outage of any target, with its target and the step it fell in.
    const d = sorted[probed].report.disruption!
    const longest = longestOutage(d)!
    expect(cell(jobs[probed])).toBe(
      `${(longest.outage.durationMs / 1000).toFixed(1)}\u00a0s <sub>${longest.label.replace(/([/.:])/g, '$1<wbr>')} · ${longest.outage.during}</sub>`
    )
    // Every other fixture has no disruption (a dry run, schema 1, schema 3 runs without probes): a dash.
    sorted.forEach((j, i) => {
      if (i !== probed) expect(cell(jobs[i]), j.file).toBe('—')
    })
    expect(sorted.find((j) => j.olderSchema === 1)).toBeDefined()
  })

  it('names a target that never answered, flags an outage over max-disruption, and says none when all answered', () => {
    const withProbes = (targets: TargetDisruption[], limitMs?: number) => job(probedUpgrade(targets, limitMs))
    const cellOf = (j: ReadReport) => {
      const [jobs] = tables(renderGrid({ jobs: [j], unreadable: [] }, { limit: 1 << 20 }))
      return [...jobs[0].matchAll(/<td>(.*?)<\/td>/g)][JOB_HEAD.indexOf('longest outage')][1]
    }
    expect(cellOf(withProbes([probeTarget('API server', []), probeTarget('web', [])]))).toBe('none')
    expect(
      cellOf(
        withProbes(
          [
            probeTarget('API server', [probeOutage(1000, 4200)]),
            probeTarget('dns/web.demo.svc.cluster.local', [], false)
          ],
          3000
        )
      )
    ).toBe(
      '⚠️ 4.2\u00a0s <sub>API server · refresh 1.30/stable</sub><br>⚠️ never answered <sub>dns/<wbr>web.<wbr>demo.<wbr>svc.<wbr>cluster.<wbr>local</sub>'
    )
    expect(cellOf(withProbes([probeTarget('API server', [], false)]))).toBe('⚠️ never answered <sub>API server</sub>')
    const open = cellOf(
      withProbes([probeTarget('a<b>|c', [probeOutage(1000, 1500, { open: true, during: '<i>x</i>' })])])
    )
    expect(open).toBe('1.5\u00a0s <sub>a&lt;b&gt;&#124;c · &lt;i&gt;x&lt;/i&gt;, still out at the end</sub>')
  })

  it('escapes everything that came from a report', () => {
    const r = failedRun()
    r.failure!.step = '<img src=x onerror=alert(1)>'
    r.runUrl = 'javascript:alert(1)'
    r.target.channel = '1.30/stable</code><script>x</script>'
    r.addons = [{ name: 'a|b`c', status: 'cycled', durationMs: 1 }]
    const text = renderGrid(
      { jobs: [job(r, '<b>x</b>.json')], unreadable: [{ file: '"><svg onload=alert(1)>.json', reason: '<i>' }] },
      { limit: 1 << 20 }
    )
    expect(text).not.toMatch(/<img|<script|<svg|<i>|<b>x|javascript:/)
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(text).toContain('a&#124;b&#96;c')
  })

  it('fits the comment limit by cutting whole rows, identical components first, and says what it cut', () => {
    const jobs: ReadReport[] = []
    for (let i = 0; i < 150; i++) jobs.push(job(i % 7 === 3 ? failedRun() : typicalUpgrade(), `job-${i}.json`))
    const full = renderGrid({ jobs, unreadable: [] }, { limit: 1 << 30 })
    const marker = '<!-- microk8s-upgrade-report:v1 key=grid -->'
    for (const limit of [65536 - 1000, 8000]) {
      const text = renderGrid({ jobs, unreadable: [] }, { limit, marker, elsewhere: 'The job summary has every row.' })
      expect(size(full)).toBeGreaterThan(limit)
      expect(size(text)).toBeLessThanOrEqual(limit)
      expect(text.trimEnd().endsWith(marker)).toBe(true)
      // Whole rows only: every table row is complete.
      for (const rows of tables(text)) for (const row of rows) expect(row).toMatch(/^<tr>.*<\/tr>$/)
      const [jobRows] = tables(text)
      const note = /_Cut to fit GitHub’s size limit: (.*)\._/.exec(text)![1]
      const cutJobs = Number(/(\d+) of 150 job rows/.exec(note)?.[1] ?? 0)
      expect(jobRows.length + cutJobs).toBe(150)
      // Failed jobs go last: a passed job is shown only when every failed one is.
      const failedShown = jobRows.filter((r) => r.includes('failed at')).length
      const failedAll = jobs.filter((j) => j.report.failure).length
      if (limit > 8000) expect(failedShown).toBe(failedAll)
      else expect(failedShown === failedAll || failedShown === jobRows.length).toBe(true)
      expect(failedShown).toBeGreaterThan(0)
      expect(text).toContain('The job summary has every row.')
    }
  })

  it('says what it cut when only component rows go', () => {
    const jobs = [job(), job()]
    const full = renderGrid({ jobs, unreadable: [] }, { limit: 1 << 20 })
    const text = renderGrid({ jobs, unreadable: [] }, { limit: size(full) - 200 })
    expect(text).toMatch(/_Cut to fit GitHub’s size limit: \d+ of \d+ component rows \(identical ones first\)\._/)
    expect(tables(text)[0]).toHaveLength(2)
  })
})

describe('fail-on', () => {
  const input = (reports: ReturnType<typeof typicalUpgrade>[], unreadable = 0): GridInput => ({
    jobs: reports.map((r, i) => job(r, `j${i}.json`)),
    unreadable: Array.from({ length: unreadable }, (_, i) => ({ file: `bad${i}.json`, reason: 'corrupt' }))
  })
  const withFinding = () => {
    const r = typicalUpgrade()
    r.findings = [
      {
        removedIn: 32,
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
        kind: 'FlowSchema',
        name: 'x',
        replacement: 'flowcontrol.apiserver.k8s.io/v1',
        evidence: 'deploy/apf.yaml:3',
        source: 'guide'
      }
    ]
    return r
  }

  it('failure: fails on a failed job, an unreadable file or no file at all; not on findings', () => {
    expect(failure(input([typicalUpgrade(), withFinding()]), 2, ['r'], 'failure')).toBeUndefined()
    expect(failure(input([typicalUpgrade(), failedRun()]), 2, ['r'], 'failure')).toBe(
      '1 job(s) failed (j1.json: at refresh 1.30/stable)'
    )
    expect(failure(input([typicalUpgrade()], 1), 2, ['r'], 'failure')).toBe(
      '1 report file(s) could not be read (bad0.json)'
    )
    expect(failure(input([]), 0, ['reports/'], 'failure')).toBe('no report file matched reports/')
  })

  it('finding: also fails on a removed-API finding', () => {
    expect(failure(input([typicalUpgrade(), withFinding()]), 2, ['r'], 'finding')).toBe(
      '1 removed-API finding(s) (fail-on: finding)'
    )
    expect(failure(input([typicalUpgrade()]), 1, ['r'], 'finding')).toBeUndefined()
  })

  it('never: does not fail', () => {
    expect(failure(input([failedRun(), withFinding()], 3), 0, ['r'], 'never')).toBeUndefined()
  })

  it('the merged JSON counts and keeps every job and every unread file', () => {
    const m = merged(input([typicalUpgrade(), failedRun()], 1))
    expect(m).toMatchObject({ version: 1, total: 2, failed: 1, unreadable: [{ file: 'bad0.json' }] })
    expect(m.reports.map((r) => r.report.status)).toEqual(['success', 'failure'])
  })
})
