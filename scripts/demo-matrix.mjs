#!/usr/bin/env node
// `npm run demo:matrix`: what a workflow matrix does, without a runner. The main action (dist/index.js) runs on
// three simulated runners at once, each starting from another channel (1.28 and 1.29 classic, 1.28 strict) and
// upgrading to 1.30 with report-file set; then the report action (report/dist/index.js) reads the three reports
// from one directory, as actions/download-artifact with merge-multiple leaves them, and the grid is printed.
// Each job starts from the demo scenario with only its channel changed (merged into the scenario's `installed`, so
// the stale ingress it records stays and every job cycles ingress). `--help` lists the options.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runAction, runReportAction, deepMerge, ROOT } from './run-action.mjs'
import { readScenario } from '../sim/lib/scenario.mjs'
import { summaryForTerminal, summaryPage } from './render-summary.mjs'
import { parseArgs, requireBundles } from './args.mjs'

const USAGE = `usage: npm run demo:matrix -- [options]   (or: node scripts/demo-matrix.mjs ...)

Runs the bundled main action (dist/index.js) on three simulated runners at once (1.28 and 1.29 classic, 1.28
strict, each upgraded to 1.30), then the bundled report action (report/dist/index.js) on their reports, and prints
the grid; writes it as step_summary.html.

  --dir DIR         keep the files in DIR (default: a new temporary directory)
  --timeScale S     real seconds per simulated second (default: the demo scenario's timeScale)
  -h, --help        this text
`
const { opts } = parseArgs(process.argv.slice(2), { usage: USAGE, options: ['dir', 'timeScale'] })
const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'microk8s-matrix-'))
requireBundles('dist/index.js', 'report/dist/index.js')

const scenario = path.join(ROOT, 'sim', 'scenarios', 'demo.yaml')
const demo = readScenario(scenario)
const jobs = [
  { from: '1.28/stable', channel: '1.30/stable' },
  { from: '1.29/stable', channel: '1.30/stable' },
  { from: '1.28-strict/stable', channel: '1.30-strict/stable' }
]
const reports = path.join(dir, 'reports')
fs.mkdirSync(reports, { recursive: true })
console.log(`# ${jobs.length} matrix jobs against the simulator (${path.relative(ROOT, scenario)}), at the same time`)
const runs = await Promise.all(
  jobs.map((job, i) => {
    const name = `${job.from.replace(/\W+/g, '-')}-to-${job.channel.replace(/\W+/g, '-')}`
    const started = Date.now()
    return runAction({
      scenario: deepMerge(demo, {
        installed: { channel: job.from },
        ...(opts.timeScale ? { timeScale: Number(opts.timeScale) } : {})
      }),
      dir: path.join(dir, `job-${i + 1}`),
      inputs: {
        channel: job.channel,
        addons: 'dns ingress hostpath-storage',
        // Each job's report under its own name, as upload-artifact then download-artifact would leave them.
        'report-file': path.join(reports, `${name}.json`)
      },
      env: { GITHUB_JOB: 'upgrade', GITHUB_RUN_ATTEMPT: '1' }
    }).then((r) => {
      console.log(
        `job ${i + 1}: ${job.from} → ${job.channel}: exit ${r.code}, ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
          `hops ${r.outputs.hops || 'none'}, report ${path.relative(dir, r.outputs['report-file'] ?? '')}`
      )
      return r
    })
  })
)

console.log(`\n# The report action on ${path.relative(dir, reports)}/\n`)
const grid = await runReportAction({ dir: path.join(dir, 'grid'), workspace: dir, inputs: { reports: 'reports' } })
process.stderr.write(grid.stderr)
for (const line of grid.stdout.split('\n')) if (line.startsWith('::')) console.log(line)
console.log('# Outputs')
for (const [k, v] of Object.entries(grid.outputs)) console.log(`${k}=${v}`)
// The grid as the terminal can show it; the page GitHub would show beside it (open it in a browser).
const html = path.join(dir, 'grid', 'step_summary.html')
fs.writeFileSync(html, summaryPage(grid.summary))
console.log(`\n# Job summary (Markdown: ${grid.files.summary}; as a page: ${html})\n`)
process.stdout.write(
  summaryForTerminal(grid.summary, { width: process.stdout.columns || 160, color: Boolean(process.stdout.isTTY) })
)
process.exit(grid.code ?? (runs.some((r) => r.code !== 0) ? 1 : 0))
