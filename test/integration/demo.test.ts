// `npm run demo` reads like the runner's log view and ends with the summary rendered for a terminal
// (scripts/demo.mjs); its output, with what changes from run to run normalised, is a snapshot.
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
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
      .replace(/\d+(?:\.\d+)? s\b/g, 'N s')
      .replace(/│ *█[ █]*│/g, '│bars│')
      .replace(/^(Simulator:).*?;/m, '$1 …;')
      .replace(/ *│ */g, ' │ ')
      .replace(/─+/g, '─')
      .replace(/ {2,}/g, (m, offset, s) => (s[offset - 1] === '\n' ? m : ' '))
      .replace(/ +$/gm, '')
      // The timeline's axis is indented by its longest label, which holds a duration.
      .replace(/^ +(└|N s)/gm, '$1')
  )
}

describe('npm run demo', () => {
  it('reads like the runner’s log and ends with the summary and the path of its HTML rendering', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mk8s-demo-'))
    const r = spawnSync(
      process.execPath,
      ['scripts/demo.mjs', '--no-color', '--scale', '0.001', '--width', '400', '--dir', dir],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' }
      }
    )
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).not.toMatch(/::(group|endgroup|debug|add-mask|warning|error)/)
    expect(r.stdout).not.toMatch(/<table>|<tr>|<details>/)
    expect(fs.existsSync(path.join(dir, 'step_summary.html'))).toBe(true)
    await expect(normalise(r.stdout, dir)).toMatchFileSnapshot('__snapshots__/demo.txt')
  })
})
