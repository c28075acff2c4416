// Cold start of the bundle: CPU time of `node dist/index.js` up to a fast exit (an input it refuses, so everything
// is loaded and nothing runs), against a bare `node -e 0`, both with the same preload that reads the CPU time at exit.
// Alternating runs, median of each. Usage: import { coldStart } (bench/run.mjs prints it), or run this file.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const PRELOAD = path.join(ROOT, 'bench', 'cpu-at-exit.mjs')

function cpuMs(args, env) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cold-')), 'cpu')
  spawnSync(process.execPath, ['--import', PRELOAD, ...args], {
    env: { ...env, BENCH_CPU_FILE: file },
    stdio: 'ignore'
  })
  const ms = Number(fs.readFileSync(file, 'utf8')) / 1000
  fs.rmSync(path.dirname(file), { recursive: true, force: true })
  return ms
}

/** Median CPU milliseconds of the bundle's cold start and of bare Node, over `runs` alternating runs each. */
export function coldStart(runs = 15, bundle = path.join(ROOT, 'dist', 'index.js')) {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cold-runner-'))
  const env = {
    PATH: process.env.PATH,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: temp,
    INPUT_CHANNEL: 'not-a-channel'
  }
  const bare = []
  const action = []
  for (let i = 0; i < runs; i++) {
    bare.push(cpuMs(['-e', '0'], env))
    action.push(cpuMs([bundle], env))
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  return { bareMs: median(bare), actionMs: median(action), aboveBareMs: median(action) - median(bare) }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = coldStart(Number(process.argv[2] ?? 15))
  console.log(
    `cold start: ${r.actionMs.toFixed(0)} ms CPU; bare node ${r.bareMs.toFixed(0)} ms; the bundle adds ${r.aboveBareMs.toFixed(0)} ms`
  )
}
