// The bundled report action (report/dist/index.js) run as the runner runs it, on the fixture reports laid out
// as actions/download-artifact with merge-multiple leaves them.
import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runReportAction } from '../../scripts/run-action.mjs'
import { useFakeGitHub } from '../helpers/fake-github.js'
import { SCHEMA_VERSION } from '../../src/report/model.js'

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'reports')

/** A workspace with the fixture reports under reports/ (all, or the named ones). */
function workspace(names?: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grid-it-'))
  fs.mkdirSync(path.join(dir, 'reports'))
  for (const f of fs.readdirSync(fixtures))
    if (!names || names.includes(f.replace(/\.json$/, '')))
      fs.copyFileSync(path.join(fixtures, f), path.join(dir, 'reports', f))
  return dir
}

describe('report action (bundled)', () => {
  it('renders the grid to the summary and files, names unreadable files, and fails on the failed job', async () => {
    const ws = workspace()
    const r = await runReportAction({ dir: path.join(ws, 'run'), workspace: ws, inputs: { reports: 'reports' } })
    expect(r.code, r.stderr).toBe(1)
    expect(r.outputs.total).toBe('7')
    expect(r.outputs.failed).toBe('1')
    expect(fs.readFileSync(r.outputs.grid, 'utf8')).toBe(r.summary)
    expect(r.summary).toMatch(/^### ❌ MicroK8s upgrade matrix: 7 jobs · ✅ 5 passed · ❌ 1 failed/)
    const merged = JSON.parse(fs.readFileSync(r.outputs.json, 'utf8'))
    expect(merged.total).toBe(7)
    expect(merged.reports.map((j: any) => j.report.schemaVersion)).toEqual(Array(7).fill(SCHEMA_VERSION))
    // The job the probes sampled shows its longest outage; the others (no disruption in their report) a dash.
    expect(r.summary).toMatch(/<td>\d+\.\d\u00a0s <sub>[^<]*(<wbr>[^<]*)* · [^<]+<\/sub><\/td>/)
    expect(merged.unreadable.map((u: any) => u.file)).toEqual([
      'reports/corrupt.json',
      'reports/not-a-report.json',
      'reports/unknown-schema.json'
    ])
    expect(r.stdout).toMatch(/^::warning title=report not read::reports\/corrupt.json: corrupt: not valid JSON/m)
    expect(r.stdout).toMatch(
      /^::error::1 job\(s\) failed \(reports\/failure-at-hop.json: at refresh 1.30\/stable\); 3 report file\(s\) could not be read/m
    )
  })

  it('fail-on: never passes, finding fails on the findings of a run that passed', async () => {
    const ws = workspace(['success', 'findings'])
    const never = await runReportAction({
      dir: path.join(ws, 'never'),
      workspace: ws,
      inputs: { reports: 'reports/*.json', 'fail-on': 'never' }
    })
    expect(never.code, never.stdout).toBe(0)
    expect(never.outputs.total).toBe('2')
    const passing = await runReportAction({
      dir: path.join(ws, 'failure'),
      workspace: ws,
      inputs: { reports: 'reports' }
    })
    expect(passing.code, passing.stdout).toBe(0)
    const finding = await runReportAction({
      dir: path.join(ws, 'finding'),
      workspace: ws,
      inputs: { reports: 'reports', 'fail-on': 'finding' }
    })
    expect(finding.code).toBe(1)
    expect(finding.stdout).toMatch(/^::error::3 removed-API finding\(s\) \(fail-on: finding\)$/m)
  })

  it('refuses a bad input before reading anything, naming the input', async () => {
    const ws = workspace([])
    const r = await runReportAction({
      dir: path.join(ws, 'run'),
      workspace: ws,
      inputs: { reports: 'reports', 'fail-on': 'sometimes' }
    })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^::error::Input 'fail-on': 'sometimes' is not one of failure, finding, never$/m)
    expect(r.outputs.total).toBeUndefined()
  })

  describe('pull-request comment', () => {
    const { state, url: apiUrl } = useFakeGitHub()

    it('posts one sticky comment with the grid and updates it on the next run', async () => {
      Object.assign(state, { comments: [], forbid: false, maxBody: Infinity })
      const ws = workspace(['success', 'strict', 'failure-at-hop'])
      const event = path.join(ws, 'event.json')
      fs.writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }))
      const env = {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_API_URL: apiUrl()
      }
      const inputs = { reports: 'reports', 'pr-comment': 'true', 'github-token': 't', 'fail-on': 'never' }
      const first = await runReportAction({ dir: path.join(ws, 'a'), workspace: ws, inputs, env })
      expect(first.code, first.stdout).toBe(0)
      fs.copyFileSync(path.join(fixtures, 'dry-run.json'), path.join(ws, 'reports', 'dry-run.json'))
      const second = await runReportAction({ dir: path.join(ws, 'b'), workspace: ws, inputs, env })
      expect(second.code, second.stdout).toBe(0)
      expect(second.stdout).toMatch(/pull-request comment updated/)
      expect(state.comments).toHaveLength(1)
      const body = state.comments[0].body
      expect(body).toContain('<!-- microk8s-upgrade-report:v1 key=microk8s-upgrade-matrix -->')
      expect(body).toContain('MicroK8s upgrade matrix: 4 jobs')
      expect(body).toContain('❌ failed at refresh 1.30/stable')
    })
  })
})
