// Validates a report against schema/report.schema.json with ajv in strict mode: the schema itself must be strict
// (every `required` name declared in `properties`, no unknown keywords or formats), and a report that breaks it is
// listed as `path message` lines. Used by the tests that check a report, and by scripts/run-action.mjs for every
// report a run writes under vitest. (ajv and ajv-formats are CommonJS: take their exports.)
import { createRequire } from 'node:module'
import * as fs from 'node:fs'

const require = createRequire(import.meta.url)
const { Ajv } = require('ajv') as typeof import('ajv')
const addFormats = require('ajv-formats') as (ajv: unknown) => void
export const schema = JSON.parse(fs.readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8'))

const ajv = new Ajv({ allErrors: true, strict: true })
addFormats(ajv)
const validate = ajv.compile(schema)

/** Schema violations of a report, as `path message` lines; empty when valid. */
export function validateReport(report: unknown): string[] {
  return validate(JSON.parse(JSON.stringify(report)))
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
}
