#!/usr/bin/env node
// `npm test`: the typecheck and the tests side by side, since on a small machine each mostly waits for the other's
// core otherwise. Fails when either fails; arguments go to vitest. The typecheck's output is printed when it ends.
import { spawn } from 'node:child_process'

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname

function run(file, args, buffered) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', buffered ? 'pipe' : 'inherit', buffered ? 'pipe' : 'inherit'] })
    let out = ''
    if (buffered) for (const s of [child.stdout, child.stderr]) s.on('data', (d) => (out += d))
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }))
  })
}

const [typecheck, tests] = await Promise.all([
  run(bin('tsc'), ['--noEmit'], true),
  run(bin('vitest'), ['run', ...process.argv.slice(2)], false)
])
if (typecheck.code !== 0) process.stderr.write(`typecheck failed:\n${typecheck.out}`)
process.exitCode = typecheck.code || tests.code
