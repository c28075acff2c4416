#!/usr/bin/env node
// Captures the report fixtures of the report action's tests (test/fixtures/reports/) from real runs of the bundled
// action against the simulator: a success, a strict job, a failure at a hop, a dry run, a run with removed-API
// findings and one sampled by the disruption probes (the simulator's loopback endpoints: sim/lib/endpoints.mjs);
// then derives the files the reader must cope with: an older schema version, a corrupt (truncated) file, an
// unknown schema version and a JSON file that is not a report. Run `npm run build` first.
//
//   node scripts/capture-report-fixtures.mjs [NAME…]   only the named runs (and what is derived from them)
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runAction, ROOT } from './run-action.mjs'

const out = path.join(ROOT, 'test', 'fixtures', 'reports')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-fixtures-'))
const scenario = (name) => path.join(ROOT, 'sim', 'scenarios', `${name}.yaml`)
// Demo-like timing (0.01 real seconds per simulated second), so durations in the fixtures look like a runner's.
const timing = { timeScale: 0.01 }
const runs = {
  success: { scenario: scenario('demo'), inputs: { channel: '1.30/stable', addons: 'dns ingress hostpath-storage' } },
  strict: {
    scenario: scenario('demo'),
    overrides: { installed: { channel: '1.29-strict/stable' } },
    inputs: { channel: '1.30-strict/stable', addons: 'dns ingress hostpath-storage' }
  },
  'failure-at-hop': {
    scenario: scenario('faults/readiness-never'),
    inputs: { channel: '1.30/stable', 'wait-timeout': '60' }
  },
  'dry-run': {
    scenario: scenario('demo'),
    overrides: { installed: { channel: '1.27/stable' } },
    inputs: { channel: '1.30/stable', 'dry-run': 'true' }
  },
  findings: { scenario: scenario('removed-apis'), inputs: { channel: '1.30/stable' } },
  // The probes sample the endpoints, which follow the cluster: the API server and the application are down while
  // each refresh restarts kubelite, the ingress while it is cycled.
  disruption: {
    scenario: scenario('demo'),
    endpoints: { service: 'demo/web' },
    inputs: (p) => ({
      channel: '1.30/stable',
      addons: 'dns ingress hostpath-storage',
      'probe-interval': '50ms',
      probes: [
        `web=http://127.0.0.1:${p.ingress}/`,
        `app=service/demo/web:${p.app}`,
        'dns/web.demo.svc.cluster.local'
      ].join('\n')
    })
  },
  'older-schema': {
    scenario: scenario('demo'),
    overrides: { installed: { channel: '1.29/stable' } },
    inputs: { channel: '1.30/stable', addons: 'dns ingress hostpath-storage' }
  }
}

const only = process.argv.slice(2)
for (const name of only) if (!(name in runs)) throw new Error(`no run named ${name}: ${Object.keys(runs).join(', ')}`)
const wanted = (name) => !only.length || only.includes(name)

fs.mkdirSync(out, { recursive: true })
await Promise.all(
  Object.entries(runs)
    .filter(([name]) => wanted(name))
    .map(async ([name, spec]) => {
      const r = await runAction({
        ...spec,
        overrides: { ...timing, ...spec.overrides },
        dir: path.join(dir, name),
        env: { GITHUB_RUN_ATTEMPT: '1' }
      })
      if (!r.report) throw new Error(`${name}: no report (exit ${r.code})\n${r.stderr}`)
      // Paths of this machine's temporary directory mean nothing in a fixture.
      const text = JSON.stringify(r.report, null, 2).replaceAll(dir, '/home/runner/work/_temp')
      fs.writeFileSync(path.join(out, `${name}.json`), `${text}\n`)
      console.log(`${name}: exit ${r.code}, status ${r.report.status}`)
    })
)
if (!wanted('older-schema') && !wanted('strict')) {
  console.log(`wrote ${out}`)
  process.exit(0)
}

// Schema version 1: before job, runAttempt, manifests and findings' file/line existed.
const v1 = JSON.parse(fs.readFileSync(path.join(out, 'older-schema.json'), 'utf8'))
v1.schemaVersion = 1
delete v1.job
delete v1.runAttempt
fs.writeFileSync(path.join(out, 'older-schema.json'), `${JSON.stringify(v1, null, 2)}\n`)
// A job cancelled while writing its report.
const whole = fs.readFileSync(path.join(out, 'strict.json'), 'utf8')
fs.writeFileSync(path.join(out, 'corrupt.json'), whole.slice(0, Math.floor(whole.length / 3)))
fs.writeFileSync(path.join(out, 'unknown-schema.json'), `${JSON.stringify({ ...v1, schemaVersion: 99 }, null, 2)}\n`)
fs.writeFileSync(
  path.join(out, 'not-a-report.json'),
  `${JSON.stringify({ name: 'some-artifact', version: '1.0.0' })}\n`
)
console.log(`wrote ${out}`)
