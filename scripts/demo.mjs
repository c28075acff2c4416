#!/usr/bin/env node
// `npm run demo`: the action's main job, run as the runner runs it, against the simulator where no MicroK8s
// exists: a 1.28 cluster with dns (custom upstreams and Corefile), ingress and hostpath-storage holding a bound
// volume, upgraded to 1.30/stable. Prints the plan, the steps and the job summary.
// Options: --scenario FILE, --channel CH, --dir DIR (keeps the files), any other --name value becomes an input.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runAction, ROOT } from './run-action.mjs'

const args = process.argv.slice(2)
const opts = {
  scenario: path.join(ROOT, 'sim', 'scenarios', 'demo.yaml'),
  channel: '1.30/stable',
  addons: 'dns ingress hostpath-storage'
}
for (let i = 0; i < args.length; i += 2) opts[args[i].replace(/^--/, '')] = args[i + 1]
const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'microk8s-demo-'))
const { scenario, dir: _d, ...inputs } = opts

if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run build` first')
  process.exit(1)
}
console.log(
  `# Running dist/index.js against the simulator (${path.relative(ROOT, scenario)}), inputs: ${JSON.stringify(inputs)}\n`
)
const r = await runAction({ scenario, inputs, dir, echo: true })
console.log('\n# Outputs')
for (const [k, v] of Object.entries(r.outputs)) console.log(`${k}=${v}`)
console.log(`\n# Job summary (${r.files.summary})\n`)
console.log(r.summary)
const calls = r.state.calls
const count = (pred) => calls.filter(pred).length
console.log(
  `# Simulator: ${calls.length} commands (${count((c) => c.tool === 'snap')} snap, ` +
    `${count((c) => c.tool === 'microk8s' && c.args[0] !== 'kubectl')} microk8s, ` +
    `${count((c) => c.tool === 'microk8s' && c.args[0] === 'kubectl')} microk8s kubectl); files in ${dir}`
)
process.exit(r.code ?? 1)
