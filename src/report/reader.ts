/**
 * Reads report files written by matrix jobs (the main action's `report-file`) for the report action: every
 * schema version this code knows, each checked against schema/report.schema.json. A file that cannot be read
 * is named with the reason (corrupt, unknown schema, not a report, not of the schema's shape) and the others
 * are still read.
 */
import * as fs from 'node:fs/promises'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import schema from '../../schema/report.schema.json' with { type: 'json' }
import { expandPatterns } from '../base/glob.js'
import { SCHEMA_VERSION, type Report } from './model.js'

/** Schema versions this code reads; older ones are brought to the current shape by `upgradeReport`. */
export const READABLE_SCHEMA_VERSIONS = [1, 2, 3, SCHEMA_VERSION] as const

export interface ReadReport {
  file: string
  report: Report
  /** What was off but did not stop the file being read (schema mismatches). */
  notes: string[]
  /** The schema version the file was written in, when older than the current one. */
  olderSchema?: number
}

export interface UnreadableFile {
  file: string
  reason: string
}

export interface ReadResult {
  reports: ReadReport[]
  unreadable: UnreadableFile[]
}

const STATUSES = ['success', 'failure', 'dry-run']

// ajv-formats is CommonJS: its default export is the function, or an object holding it.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv) => void
let validate: ReturnType<Ajv['compile']> | undefined

function schemaErrors(doc: unknown): string[] {
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false })
    addFormats(ajv)
    validate = ajv.compile(schema)
  }
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`)
}

/**
 * A report of an older schema version in the current shape: every field versions 2 (manifests, setup), 3
 * (disruption) and 4 (workloads, requestedApis) added is optional, so only the version changes.
 */
export function upgradeReport(doc: Record<string, any>): Record<string, any> {
  if ([1, 2, 3].includes(doc.schemaVersion)) return { ...doc, schemaVersion: SCHEMA_VERSION }
  return doc
}

/** Parses one report file's text: the report and notes, or why it cannot be read. */
export function parseReport(text: string): Omit<ReadReport, 'file'> | { reason: string } {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    return {
      reason: text.trim()
        ? `corrupt: not valid JSON (${(error as Error).message})`
        : 'corrupt: the file is empty (was the job cancelled while writing it?)'
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('schemaVersion' in doc)) {
    return { reason: 'not a microk8s-upgrade-action report: no schemaVersion field' }
  }
  const version = (doc as { schemaVersion: unknown }).schemaVersion
  if (!(READABLE_SCHEMA_VERSIONS as readonly unknown[]).includes(version)) {
    return {
      reason:
        `unknown schema version ${JSON.stringify(version)}: this report action reads versions ` +
        `${READABLE_SCHEMA_VERSIONS.join(', ')}; use a report action as new as the action that wrote the report`
    }
  }
  const notes: string[] = []
  const report = upgradeReport(doc as Record<string, any>)
  // What the grid cannot do without: a status and a target, named first as the likeliest cause.
  const missing = [
    STATUSES.includes(report.status)
      ? ''
      : `status is ${JSON.stringify(report.status)}, not one of ${STATUSES.join(', ')}`,
    typeof report.target?.channel === 'string' ? '' : 'target.channel is missing'
  ].filter(Boolean)
  if (missing.length) return { reason: `not a report the grid can show: ${missing.join('; ')}` }
  // Anything else off is unreadable too: the grid and the merged JSON read every field the schema promises, and
  // one file of the wrong shape (after: {}, addons: [null]) must not stop the others rendering.
  const errors = schemaErrors(report)
  if (errors.length) {
    return {
      reason: `does not match the report schema (${errors.slice(0, 3).join('; ')}${errors.length > 3 ? `; ${errors.length - 3} more` : ''})`
    }
  }
  return { report: report as Report, notes, ...(version !== SCHEMA_VERSION ? { olderSchema: version as number } : {}) }
}

/**
 * Reads every report file the patterns name (a directory stands for the `.json` files under it, as
 * actions/download-artifact with merge-multiple leaves them), in path order.
 */
export async function readReports(patterns: string[], cwd: string): Promise<ReadResult & { files: string[] }> {
  const files = await expandPatterns(patterns, { cwd, directoryFiles: /\.json$/i })
  const result: ReadResult & { files: string[] } = { reports: [], unreadable: [], files }
  for (const file of files) {
    let text: string
    try {
      text = await fs.readFile(file, 'utf8')
    } catch (error) {
      result.unreadable.push({ file, reason: `cannot be read: ${(error as Error).message}` })
      continue
    }
    const parsed = parseReport(text)
    if ('reason' in parsed) result.unreadable.push({ file, reason: parsed.reason })
    else result.reports.push({ file, ...parsed })
  }
  return result
}
