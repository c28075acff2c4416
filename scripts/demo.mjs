#!/usr/bin/env node
// `npm run demo`: the action's main job, run as the runner runs it, against the simulator where no MicroK8s
// exists: a 1.28 cluster with dns (custom upstreams and Corefile), ingress and hostpath-storage holding a bound
// volume, upgraded to 1.30/stable. It shows what the runner's log view shows (scripts/workflow-log.mjs), then the
// job summary rendered for the terminal, and writes it as step_summary.html (scripts/render-summary.mjs).
//
// `npm run demo -- --help` lists the options (USAGE below); docs/summary.md says what the summary shows.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runAction, deepMerge, ACTION_INPUTS, ROOT } from './run-action.mjs'
import { readScenario } from '../sim/lib/scenario.mjs'
import { createLogView } from './workflow-log.mjs'
import { summaryForTerminal, summaryPage } from './render-summary.mjs'
import { parseArgs, requireBundles } from './args.mjs'

const USAGE = `usage: npm run demo -- [options] [--INPUT VALUE ...]   (or: node scripts/demo.mjs ...)

Runs the bundled action (dist/index.js) as the runner runs it, against the simulator, and prints the runner's log
view, the outputs and the job summary; writes the summary as step_summary.html.

  --verbose           open every log group
  --debug             also show debug lines and mask notices
  --color, --no-color colour the output (default: when stdout is a terminal and NO_COLOR is unset)
  --scenario FILE     simulator scenario (default sim/scenarios/demo.yaml)
  --scale S           real seconds per simulated second (default: the scenario's timeScale)
  --width N           terminal columns for the summary (default: the terminal's, at most 140)
  --dir DIR           keep the files in DIR (default: a new temporary directory)
  --INPUT VALUE       any input of action.yml, e.g. --channel 1.29/stable, --addons 'dns ingress',
                      --cycle-addons always (defaults here: channel 1.30/stable, addons dns ingress hostpath-storage)
  -h, --help          this text
`
const { flags, opts } = parseArgs(process.argv.slice(2), {
  usage: USAGE,
  flags: ['verbose', 'debug', 'color', 'no-color'],
  options: ['scenario', 'scale', 'width', 'dir'],
  accepts: (name) => ACTION_INPUTS.includes(name),
  defaults: {
    scenario: path.join(ROOT, 'sim', 'scenarios', 'demo.yaml'),
    channel: '1.30/stable',
    addons: 'dns ingress hostpath-storage'
  }
})
const color = flags.has('color') || (!flags.has('no-color') && process.stdout.isTTY && !process.env.NO_COLOR)
const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'microk8s-demo-'))
const { scenario, dir: _d, scale, width: widthOption, ...inputs } = opts
const width = Number(widthOption) || Math.min(process.stdout.columns || 120, 140)
const bold = (t) => (color ? `\u001b[1m${t}\u001b[0m` : t)

requireBundles('dist/index.js')
console.log(bold(`Running dist/index.js against the simulator (${path.relative(ROOT, scenario)})`))
console.log(
  `inputs: ${Object.entries(inputs)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}\n`
)

const log = createLogView({ verbose: flags.has('verbose'), debug: flags.has('debug'), color })
// The kubelet posts its new version with readiness unless the scenario says otherwise: with a delay, whether the
// action finds the node still on the old kubelet (and waits for it: 2 more commands per hop) would depend on how
// fast this machine runs the action, and the command count below with it.
const scenarioObject = readScenario(scenario)
const r = await runAction({
  scenario: deepMerge(scenarioObject, {
    readiness: { kubeletAfterReady: scenarioObject.readiness?.kubeletAfterReady ?? 0 },
    ...(scale ? { timeScale: Number(scale) } : {})
  }),
  inputs,
  dir,
  // The API server the probes sample (and an application at demo/web) on loopback, following the cluster.
  endpoints: { service: 'demo/web' },
  echo: (stream, chunk) => (stream === 'stdout' ? log.push(String(chunk)) : process.stderr.write(chunk))
})
log.end()

console.log(`\n${bold('Outputs')}`)
for (const [k, v] of Object.entries(r.outputs)) console.log(`  ${k}=${v}`)

console.log(`\n${bold('Job summary')}\n`)
process.stdout.write(summaryForTerminal(r.summary, { width, color }))
const html = path.join(dir, 'step_summary.html')
fs.writeFileSync(html, summaryPage(r.summary))

// Every program the action ran, microk8s kubectl apart from the other microk8s subcommands.
const programs = new Map([
  ['snap', 0],
  ['microk8s', 0],
  ['microk8s kubectl', 0]
])
for (const c of r.state.calls) {
  const program = c.tool === 'microk8s' && c.args[0] === 'kubectl' ? 'microk8s kubectl' : c.tool
  programs.set(program, (programs.get(program) ?? 0) + 1)
}
const others = [...programs.keys()].slice(3).sort()
console.log(
  `\nThe summary as GitHub shows it: ${html}\n` +
    `Simulator: ${r.state.calls.length} commands (` +
    [...programs.keys()]
      .slice(0, 3)
      .concat(others)
      .map((p) => `${programs.get(p)} ${p}`)
      .join(', ') +
    `); files in ${dir}`
)
process.exit(r.code ?? 1)
