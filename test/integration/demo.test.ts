// `npm run demo` reads like the runner's log view and ends with the summary rendered for a terminal
// (scripts/demo.mjs); its output, with what changes from run to run normalised, is a snapshot. Its closing count of
// commands is the README's. `npm run demo:matrix` (scripts/demo-matrix.mjs) shows what the README claims: every job
// cycles the stale ingress.
import { describe, it } from 'vitest'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ROOT } from '../../scripts/run-action.mjs'

/** Durations, paths and bar positions change from run to run; what the demo shows does not. */
function normalise(out: string, dir: string): string {
  return (
    out
      .split(dir)
      .join('<dir>')
      // The timeline's axis: clock times, the run's start, a tick spacing that follows the run's length.
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{3})? UTC/g, '<date> UTC')
      .replace(/\b\d\d:\d\d:\d\d(?:\.\d{3})?\b/g, 'HH:MM:SS')
      .replace(/a tick every \d+ (?:ms|s|min)\b/g, 'a tick every N')
      .replace(/\d+(?:\.\d+)? s\b/g, 'N s')
      // What the disruption probes saw at this scale depends on the machine's speed (test/integration/disruption.test.ts
      // checks the measurement): the rows and outputs are kept, their figures not.
      .replace(/^(API server │).*$/gm, '$1 …')
      .replace(/^( *disruption=).*$/m, '$1…')
      .replace(/(max-outage-seconds=)[\d.]+/g, '$1N')
      .replace(/│ *█[ █]*│/g, '│bars│')
      .replace(/^(Simulator:).*?;/m, '$1 …;')
      .replace(/ *│ */g, ' │ ')
      .replace(/─+/g, '─')
      .replace(/ {2,}/g, (m, offset, s) => (s[offset - 1] === '\n' ? m : ' '))
      .replace(/ +$/gm, '')
      // The timeline's axis is indented by its longest label, which holds a duration.
      .replace(/^ +(└|HH:MM:SS)/gm, '$1')
  )
}

/** `N program, M program …` (programs in backticks or not) as program → count. */
function counts(list: string): Record<string, number> {
  return Object.fromEntries(
    [...list.matchAll(/(\d+) `?([a-z][a-z0-9 -]*?)`?(?=,|$| and )/g)].map((m) => [m[2].trim(), Number(m[1])])
  )
}

/** Runs a script of scripts/ as `node` would (not synchronously: the tests of a file run side by side). */
function node(script: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}
const demo = (...args: string[]) => node('scripts/demo.mjs', args, { NO_COLOR: '1' })

describe.concurrent('npm run demo', () => {
  it('reads like the runner’s log and ends with the summary, the path of its HTML rendering and the README’s count', async ({
    expect
  }) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mk8s-demo-'))
    const r = await demo('--no-color', '--scale', '0.001', '--width', '400', '--dir', dir)
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).not.toMatch(/::(group|endgroup|debug|add-mask|warning|error)/)
    expect(r.stdout).not.toMatch(/<table>|<tr>|<details>/)
    expect(fs.existsSync(path.join(dir, 'step_summary.html'))).toBe(true)

    // The plan is printed once; the repository comparison adds only what it decided (which candidates cycle).
    const log = r.stdout.slice(0, r.stdout.indexOf('\nOutputs\n'))
    const planLines = log.split('\n').filter((l) => /^(Core|Addons): |^ {2}(keep|candidates|disable|enable)\b/.test(l))
    expect(planLines.length).toBeGreaterThan(3)
    expect(planLines.filter((l, i) => planLines.indexOf(l) !== i)).toEqual([])
    expect(log).toMatch(/^Plan after compare addon repositories:\n {2}disable: /m)

    // Every program counted, and the total is their sum; the README gives the same figures.
    const [, total, list] = /^Simulator: (\d+) commands \(([^)]*)\)/m.exec(r.stdout)!
    const ran = counts(list)
    expect(Object.keys(ran)).toEqual(expect.arrayContaining(['snap', 'microk8s', 'microk8s kubectl', 'git']))
    expect(Object.values(ran).reduce((a, b) => a + b, 0)).toBe(Number(total))
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ')
    const [, documentedTotal, documented] = /The demo \([^)]*\) makes (\d+) commands: ([^(.;]*)/.exec(readme)!
    expect({ total: Number(documentedTotal), ...counts(documented.trim()) }).toEqual({ total: Number(total), ...ran })

    await expect(normalise(r.stdout, dir)).toMatchFileSnapshot('__snapshots__/demo.txt')
  })

  it('prints its usage for --help and refuses an unknown option or a missing value, running nothing', async ({
    expect
  }) => {
    for (const help of ['--help', '-h']) {
      const r = await demo(help)
      expect(r.status).toBe(0)
      expect(r.stdout).toMatch(/^usage: npm run demo -- /)
      expect(r.stdout).toContain('--scenario FILE')
      expect(r.stdout).not.toContain('Running dist/index.js')
    }
    const unknown = await demo('--no-such-input', 'x')
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toMatch(/^unknown option --no-such-input/)
    const missing = await demo('--channel')
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/^--channel needs a value/)
    expect(missing.stdout).toBe('')
  })
})

describe.concurrent('npm run demo:matrix', () => {
  it('prints its usage for --help and refuses an option it does not take (the demo’s inputs included)', async ({
    expect
  }) => {
    const r = await node('scripts/demo-matrix.mjs', ['--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^usage: npm run demo:matrix -- /)
    const unknown = await node('scripts/demo-matrix.mjs', ['--channel', '1.30/stable'])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toMatch(/^unknown option --channel\n\nusage: npm run demo:matrix -- /)
  })

  it('upgrades every job’s stale ingress (v1.8.0) by cycling it, as the README says', async ({ expect }) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mk8s-matrix-'))
    const r = await node('scripts/demo-matrix.mjs', ['--dir', dir, '--timeScale', '0.001'])
    expect(r.status, r.stderr).toBe(0)
    const files = fs.readdirSync(path.join(dir, 'reports')).sort()
    expect(files).toHaveLength(3)
    const ingressTag = (snapshot: any) =>
      snapshot.workloads.find((w: any) => w.namespace === 'ingress' && w.kind === 'DaemonSet').images[0].tag
    for (const file of files) {
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'reports', file), 'utf8'))
      expect(report.status, file).toBe('success')
      expect(report.addons.find((a: any) => a.name === 'ingress').status, file).toBe('cycled')
      expect(ingressTag(report.before), file).toBe('v1.8.0')
      expect(ingressTag(report.after), file).not.toBe('v1.8.0')
    }
  })
})
