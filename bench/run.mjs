#!/usr/bin/env node
// Benchmark: the demo scenario (1.28 → 1.30, dns + ingress + hostpath-storage) with realistic simulated latencies
// (snap refresh 20 s, snap install 45 s, each microk8s call 1 s, enable 8 s, disable 5 s, rollout 10 s, readiness
// 30 s after a refresh), scaled by --scale (default 0.05: 20 s become 1 s). Prints wall time, the time spent inside
// commands, the action's own overhead, how fast readiness was noticed, and call counts, against the targets; then
// the total addon downtime (each cycled addon from the start of its disable until rolled out again) with
// cycle-addons: auto (only the addons whose directory changed) against always; last, the disruption sampler's CPU
// at a 1 s interval (bench/probes-cpu.mjs: --probe-samples samples of four loopback targets; it takes twice as many
// seconds, an idle baseline of the same length first).
//
//   npm run bench -- --scale 0.05 --runs 3 --probe-samples 60
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runAction, ROOT } from '../scripts/run-action.mjs'
import { coldStart } from './cold-start.mjs'
import { samplerCpu, report as samplerReport, TARGET_PCT } from './probes-cpu.mjs'

const args = process.argv.slice(2)
const opt = (name, fallback) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback)
const scale = opt('scale', 0.05)
const runs = opt('runs', 3)
const probeSamples = opt('probe-samples', 60)
const scenario = path.join(ROOT, 'sim', 'scenarios', 'demo.yaml')

const TARGETS = { overheadPct: 2, readinessNoticedMs: 1000, inventoryCalls: 3, coldStartAboveBareMs: 150 }
const results = []
/** Total downtime of the cycled addons, in simulated seconds, and which were cycled. */
const downtime = (r) => {
  const cycled = r.report.addons.filter((a) => a.status === 'cycled')
  return { s: cycled.reduce((sum, a) => sum + a.durationMs, 0) / 1000 / scale, names: cycled.map((a) => a.name) }
}
const downtimes = { auto: [], always: [] }
for (let i = 0; i < runs * 2; i++) {
  const mode = i % 2 === 0 ? 'auto' : 'always'
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mk8s-bench-'))
  const r = await runAction({
    scenario,
    dir,
    overrides: { timeScale: scale },
    inputs: { channel: '1.30/stable', addons: 'dns ingress hostpath-storage', 'cycle-addons': mode }
  })
  if (r.code !== 0) {
    console.error(r.stdout, r.stderr)
    throw new Error(`bench run ${i + 1} (cycle-addons: ${mode}) failed`)
  }
  downtimes[mode].push(downtime(r))
  if (mode === 'always') continue
  const calls = r.state.calls.filter((c) => c.tool === 'snap' || c.tool === 'microk8s')
  // The action's own account: time spent waiting for its commands (spawn to exit, as @actions/exec sees it).
  const inCommands = r.report.timing.commandMs
  const simulated = calls.reduce((sum, c) => sum + c.simSeconds, 0)
  // Readiness noticed: from the moment the cluster became ready to the start of the action's next command.
  const lags = []
  calls.forEach((c, k) => {
    if (c.readyAt && calls[k + 1]) lags.push(calls[k + 1].spawned - c.readyAt)
  })
  // The final inventory: the microk8s calls after the last `snap list`, before the data-check reads.
  const lastList = calls.map((c) => c.args.join(' ')).lastIndexOf('list microk8s')
  // The data-check reads start with the Helm release records; everything the checks add comes after them.
  const afterList = calls.slice(lastList + 1)
  const dataReads = afterList.findIndex((c) => /^kubectl get secrets\b/.test(c.args.join(' ')))
  const inventory = afterList.slice(0, dataReads === -1 ? undefined : dataReads).filter((c) => c.tool === 'microk8s')
  results.push({
    wallMs: r.wallMs,
    inCommandsMs: inCommands,
    overheadPct: ((r.wallMs - inCommands) / r.wallMs) * 100,
    simulatedS: simulated,
    readinessLagMs: Math.max(...lags),
    snap: calls.filter((c) => c.tool === 'snap').length,
    microk8s: calls.filter((c) => c.tool === 'microk8s' && c.args[0] !== 'kubectl').length,
    kubectl: calls.filter((c) => c.tool === 'microk8s' && c.args[0] === 'kubectl').length,
    inventoryCalls: inventory.length,
    maxRssMb: r.report.timing.maxRssKb / 1024
  })
}

const median = (k) => results.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)]
const fmt = (n, d = 1) => n.toFixed(d)
const line = (label, value, target, ok) =>
  console.log(
    `${label.padEnd(46)} ${String(value).padStart(12)}   ${target ? `${target.padEnd(10)} ${ok ? 'ok' : 'MISSED'}` : ''}`
  )
console.log(
  `bench: demo scenario 1.28 → 1.30, time scale ${scale} (simulated seconds × ${scale} = real seconds), ${runs} run(s), median shown\n`
)
line('wall time of the action process (real)', `${fmt(median('wallMs') / 1000, 2)} s`)
line('time inside snap/microk8s commands (real)', `${fmt(median('inCommandsMs') / 1000, 2)} s`)
line('sum of simulated command time (unscaled)', `${fmt(median('simulatedS'), 0)} s`)
line(
  'action overhead (process wall − in commands) / wall',
  `${fmt(median('overheadPct'), 2)} %`,
  `≤ ${TARGETS.overheadPct} %`,
  median('overheadPct') <= TARGETS.overheadPct
)
line(
  'readiness noticed after it came (real, worst hop)',
  `${fmt(median('readinessLagMs'), 0)} ms`,
  `≤ ${TARGETS.readinessNoticedMs} ms`,
  median('readinessLagMs') <= TARGETS.readinessNoticedMs
)
line(
  'final inventory: microk8s calls',
  median('inventoryCalls'),
  `≤ ${TARGETS.inventoryCalls}`,
  median('inventoryCalls') <= TARGETS.inventoryCalls
)
line('peak memory of the action process (max RSS)', `${fmt(median('maxRssMb'), 0)} MiB`)
const cold = coldStart()
line(
  `cold start: CPU above bare node (${fmt(cold.bareMs, 0)} ms)`,
  `${fmt(cold.aboveBareMs, 0)} ms`,
  `≤ ${TARGETS.coldStartAboveBareMs} ms`,
  cold.aboveBareMs <= TARGETS.coldStartAboveBareMs
)
line('snap calls', median('snap'))
line('microk8s calls (not kubectl)', median('microk8s'))
line('microk8s kubectl calls', median('kubectl'))
const medianDowntime = (mode) => downtimes[mode].map((d) => d.s).sort((a, b) => a - b)[Math.floor(runs / 2)]
for (const mode of ['auto', 'always']) {
  line(
    `total addon downtime, cycle-addons: ${mode} (simulated)`,
    `${fmt(medianDowntime(mode), 0)} s`,
    undefined,
    undefined
  )
  console.log(`${''.padEnd(4)}cycled: ${downtimes[mode][0].names.join(', ') || 'none'}`)
}
const sampler = samplerReport(await samplerCpu({ samples: probeSamples, intervalMs: 1000 }))
line('disruption sampler at 1 s: CPU above idle, of one core', sampler.figure, `≤ ${TARGET_PCT} %`, sampler.ok)
console.log(`${''.padEnd(4)}${sampler.detail}`)
console.log(
  `\nper run: ${results.map((x) => `${fmt(x.wallMs / 1000, 2)} s wall / ${fmt(x.overheadPct, 2)} % overhead`).join('; ')}`
)
