import { describe, it, expect, vi, afterEach } from 'vitest'
import * as fs from 'node:fs'
import { parse } from 'yaml'
import { getReportInputs } from '../../src/report-action/inputs.js'

const action = parse(fs.readFileSync(new URL('../../report/action.yml', import.meta.url), 'utf8'))
/** Inputs as the runner gives them: action.yml's defaults, then the given values. */
const getter =
  (given: Record<string, string>) =>
  (name: string): string => {
    if (!(name in action.inputs)) throw new Error(`${name} is not an input of report/action.yml`)
    return given[name] ?? String(action.inputs[name].default ?? '').replace('${{ github.token }}', 'token')
  }

describe('report action inputs', () => {
  it('report/action.yml runs on node24 and describes every input and output', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    for (const spec of [...Object.values<any>(action.inputs), ...Object.values<any>(action.outputs)])
      expect(spec.description.length).toBeGreaterThan(20)
    expect(Object.keys(action.outputs).sort()).toEqual(['failed', 'grid', 'json', 'total'])
  })

  it('reads the defaults and one path or pattern per line', () => {
    expect(getReportInputs(getter({ reports: 'reports\n  other dir/*.json \n\n!reports/old/**' }))).toEqual({
      reports: ['reports', 'other dir/*.json', '!reports/old/**'],
      prComment: false,
      githubToken: 'token',
      commentKey: 'microk8s-upgrade-matrix',
      failOn: 'failure'
    })
  })

  it('names the input and what it accepts', () => {
    expect(() => getReportInputs(getter({ reports: ' ' }))).toThrow(/^Input 'reports': is empty; give the directory/)
    expect(() => getReportInputs(getter({ reports: 'r', 'fail-on': 'always' }))).toThrow(
      "Input 'fail-on': 'always' is not one of failure, finding, never"
    )
    expect(() => getReportInputs(getter({ reports: 'r', 'pr-comment': 'true', 'comment-key': 'a--b' }))).toThrow(
      /^Input 'comment-key'/
    )
    expect(() => getReportInputs(getter({ reports: 'r', 'pr-comment': 'yes' }))).toThrow(/^Input 'pr-comment'/)
  })

  it('checks comment-key only when a comment is posted', () => {
    expect(getReportInputs(getter({ reports: 'r', 'comment-key': 'a--b' })).commentKey).toBe('a--b')
  })

  afterEach(() => vi.restoreAllMocks())

  it('masks the token in every later log line', () => {
    const out: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk))
      return true
    })
    getReportInputs(getter({ reports: 'r', 'github-token': ' ghp_s3cr3t ' }))
    expect(out.join('')).toContain('::add-mask::ghp_s3cr3t')
  })
})
