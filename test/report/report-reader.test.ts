import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseReport, readReports, READABLE_SCHEMA_VERSIONS } from '../../src/report/reader.js'
import { SCHEMA_VERSION } from '../../src/report/model.js'
import { expandPatterns, globToRegExp } from '../../src/base/glob.js'

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'reports')
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, `${name}.json`), 'utf8')
const schema = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'schema', 'report.schema.json'), 'utf8')
)

describe('reading report files', () => {
  it('reads the current schema version without notes', () => {
    for (const name of ['success', 'strict', 'failure-at-hop', 'dry-run', 'findings']) {
      const r = parseReport(fixture(name))
      expect(r, name).toHaveProperty('report')
      if ('report' in r) {
        expect(r.notes, name).toEqual([])
        expect(r.olderSchema, name).toBeUndefined()
        expect(r.report.schemaVersion).toBe(SCHEMA_VERSION)
      }
    }
  })

  it('reads a schema version 2 report (before disruption) as the current version', () => {
    const text = fs.readFileSync(path.join(fixtures, '..', 'report-schema-2.json'), 'utf8')
    expect(JSON.parse(text).schemaVersion).toBe(2)
    const r = parseReport(text)
    expect(r).toHaveProperty('report')
    if ('report' in r) {
      expect(r.olderSchema).toBe(2)
      expect(r.report.schemaVersion).toBe(SCHEMA_VERSION)
      expect(r.report.disruption).toBeUndefined()
    }
  })

  it('reads a schema version 3 report (before workloads and requestedApis) as the current version', () => {
    const doc = { ...JSON.parse(fixture('success')), schemaVersion: 3 }
    expect(doc.workloads).toBeUndefined()
    const r = parseReport(JSON.stringify(doc))
    if (!('report' in r)) throw new Error(r.reason)
    expect(r.olderSchema).toBe(3)
    expect(r.notes).toEqual([])
    expect(r.report.schemaVersion).toBe(SCHEMA_VERSION)
    expect(r.report.requestedApis).toBeUndefined()
  })

  it('the schema file and the code agree on the current version', () => {
    expect(schema.properties.schemaVersion.const).toBe(SCHEMA_VERSION)
    expect(READABLE_SCHEMA_VERSIONS).toContain(SCHEMA_VERSION)
  })

  it('reads an older schema version, in the current shape, and says so', () => {
    const r = parseReport(fixture('older-schema'))
    if (!('report' in r)) throw new Error(r.reason)
    expect(JSON.parse(fixture('older-schema')).schemaVersion).toBe(1)
    expect(r.report.schemaVersion).toBe(SCHEMA_VERSION)
    expect(r.notes).toEqual([])
    expect(r.olderSchema).toBe(1)
  })

  it('names why a file cannot be read: corrupt, empty, unknown schema, not a report', () => {
    const reason = (text: string) => {
      const r = parseReport(text)
      return 'reason' in r ? r.reason : 'read'
    }
    expect(reason(fixture('corrupt'))).toMatch(/^corrupt: not valid JSON \(/)
    expect(reason('  \n')).toMatch(/^corrupt: the file is empty/)
    expect(reason(fixture('unknown-schema'))).toMatch(
      /^unknown schema version 99: this report action reads versions 1, 2, 3/
    )
    expect(reason(fixture('not-a-report'))).toBe('not a microk8s-upgrade-action report: no schemaVersion field')
    expect(reason('[1, 2]')).toMatch(/no schemaVersion field/)
    expect(reason(JSON.stringify({ schemaVersion: SCHEMA_VERSION, status: 'exploded' }))).toMatch(
      /^not a report the grid can show: status is "exploded", not one of success, failure, dry-run; target.channel is missing$/
    )
  })

  it('does not read a report that breaks the schema in a detail, naming where', () => {
    const doc = JSON.parse(fixture('success'))
    doc.hops[0].durationMs = 'slow'
    delete doc.warnings
    const r = parseReport(JSON.stringify(doc))
    expect('reason' in r && r.reason).toMatch(
      /^does not match the report schema \(.*\/hops\/0\/durationMs must be number/
    )
  })

  it('reads every report under a directory and still reads the rest when some cannot be read', async () => {
    const { reports, unreadable, files } = await readReports([fixtures], process.cwd())
    expect(files).toHaveLength(fs.readdirSync(fixtures).filter((f) => f.endsWith('.json')).length)
    expect(reports.map((r) => path.basename(r.file)).sort()).toEqual(
      ['disruption', 'dry-run', 'failure-at-hop', 'findings', 'older-schema', 'strict', 'success'].map(
        (n) => `${n}.json`
      )
    )
    expect(unreadable.map((u) => path.basename(u.file)).sort()).toEqual([
      'corrupt.json',
      'not-a-report.json',
      'unknown-schema.json'
    ])
  })
})

describe('file patterns', () => {
  it('matches globs on whole path segments', () => {
    expect(globToRegExp('**/*.yaml').test('a/b/c.yaml')).toBe(true)
    expect(globToRegExp('**/*.yaml').test('c.yaml')).toBe(true)
    expect(globToRegExp('*.yaml').test('a/c.yaml')).toBe(false)
    expect(globToRegExp('deploy/*.{yml,yaml}').test('deploy/x.yml')).toBe(true)
    expect(globToRegExp('deploy/?.json').test('deploy/ab.json')).toBe(false)
    expect(globToRegExp('a.b').test('axb')).toBe(false)
  })

  it('expands directories and globs, applies exclusions, and never follows a symbolic link', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'glob-'))
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'glob-outside-'))
    fs.writeFileSync(path.join(outside, 'secret.json'), '{}')
    fs.mkdirSync(path.join(root, 'r', 'job-1'), { recursive: true })
    fs.writeFileSync(path.join(root, 'r', 'job-1', 'a.json'), '{}')
    fs.writeFileSync(path.join(root, 'r', 'b.json'), '{}')
    fs.writeFileSync(path.join(root, 'r', 'notes.txt'), '')
    fs.symlinkSync(outside, path.join(root, 'r', 'link'))
    fs.symlinkSync(path.join(outside, 'secret.json'), path.join(root, 'r', 'c.json'))
    const rel = (files: string[]) => files.map((f) => path.relative(root, f))
    const opts = { cwd: root, directoryFiles: /\.json$/ }
    expect(rel(await expandPatterns(['r'], opts))).toEqual(['r/b.json', 'r/job-1/a.json'])
    expect(rel(await expandPatterns(['r/**/*.json'], opts))).toEqual(['r/b.json', 'r/job-1/a.json'])
    expect(rel(await expandPatterns(['r/*.json'], opts))).toEqual(['r/b.json'])
    expect(rel(await expandPatterns(['r/**/*.json', '!r/job-1/**'], opts))).toEqual(['r/b.json'])
    expect(rel(await expandPatterns(['r/link/secret.json', 'r/c.json', 'missing/*.json'], opts))).toEqual([])
  })
})
