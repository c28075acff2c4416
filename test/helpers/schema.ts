// Validates a report against schema/report.schema.json (ajv and ajv-formats are CommonJS: take their exports).
import { createRequire } from 'node:module'
import * as fs from 'node:fs'

const require = createRequire(import.meta.url)
const { Ajv } = require('ajv') as typeof import('ajv')
const addFormats = require('ajv-formats') as (ajv: unknown) => void
const schema = JSON.parse(fs.readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8'))

const ajv = new Ajv({ allErrors: true, strict: false })
addFormats(ajv)
const validate = ajv.compile(schema)

/** Schema violations of a report, as `path message` lines; empty when valid. */
export function validateReport(report: unknown): string[] {
  return validate(JSON.parse(JSON.stringify(report)))
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
}
