#!/usr/bin/env node
// `npm run demo`: the action's main job, run as the runner runs it, against the simulator where no MicroK8s
// exists: a 1.28 cluster with dns (custom upstreams and Corefile), ingress and hostpath-storage holding a bound
// volume, upgraded to 1.30/stable. It shows what the runner's log view shows (scripts/workflow-log.mjs), then the
// job summary rendered for the terminal, and writes it as step_summary.html (scripts/render-summary.mjs).
//
// Options: --verbose (open every group), --debug (debug lines and mask notices too), --color / --no-color,
// --scenario FILE, --channel CH, --scale S (real seconds per simulated second), --width N (terminal columns),
// --dir DIR (keeps the files);
// any other --name value becomes an action input. See docs/summary.md.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runAction, ROOT } from './run-action.mjs'
import { createLogView } from './workflow-log.mjs'
import { summaryForTerminal, summaryPage } from './render-summary.mjs'

const FLAGS = ['verbose', 'debug', 'color', 'no-color']
const args = process.argv.slice(2)
const flags = new Set()
const opts = {
  scenario: path.join(ROOT, 'sim', 'scenarios', 'demo.yaml'),
  channel: '1.30/stable',
  addons: 'dns ingress hostpath-storage'
}
for (let i = 0; i < args.length; i++) {
  const name = args[i].replace(/^--/, '')
  if (FLAGS.includes(name)) flags.add(name)
  else opts[name] = args[++i]
}
const color = flags.has('color') || (!flags.has('no-color') && process.stdout.isTTY && !process.env.NO_COLOR)
const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'microk8s-demo-'))
const { scenario, dir: _d, scale, width: widthOption, ...inputs } = opts
const width = Number(widthOption) || Math.min(process.stdout.columns || 120, 140)
const bold = (t) => (color ? `\u001b[1m${t}\u001b[0m` : t)

if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run build` first')
  process.exit(1)
}
console.log(bold(`Running dist/index.js against the simulator (${path.relative(ROOT, scenario)})`))
console.log(
  `inputs: ${Object.entries(inputs)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}\n`
)

const log = createLogView({ verbose: flags.has('verbose'), debug: flags.has('debug'), color })
const r = await runAction({
  scenario,
  inputs,
  dir,
  overrides: scale ? { timeScale: Number(scale) } : {},
  echo: (stream, chunk) => (stream === 'stdout' ? log.push(String(chunk)) : process.stderr.write(chunk))
})
log.end()

console.log(`\n${bold('Outputs')}`)
for (const [k, v] of Object.entries(r.outputs)) console.log(`  ${k}=${v}`)

console.log(`\n${bold('Job summary')}\n`)
process.stdout.write(summaryForTerminal(r.summary, { width, color }))
const html = path.join(dir, 'step_summary.html')
fs.writeFileSync(html, summaryPage(r.summary))

const calls = r.state.calls
const count = (pred) => calls.filter(pred).length
console.log(
  `\nThe summary as GitHub shows it: ${html}\n` +
    `Simulator: ${calls.length} commands (${count((c) => c.tool === 'snap')} snap, ` +
    `${count((c) => c.tool === 'microk8s' && c.args[0] !== 'kubectl')} microk8s, ` +
    `${count((c) => c.tool === 'microk8s' && c.args[0] === 'kubectl')} microk8s kubectl); files in ${dir}`
)
process.exit(r.code ?? 1)
