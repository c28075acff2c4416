import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import {
  parseSnapList,
  parseSnapInfoChannels,
  isChangeConflict,
  isTransientDownloadFailure,
  parseSnapChanges,
  isUnfinished,
  Snap
} from '../../src/cluster/snap.js'
import { scriptedCmd } from '../helpers/fake-cmd.js'

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')

describe('snap output parsing', () => {
  it('reads snap list in CI (non-TTY) form', () => {
    expect(parseSnapList(fixture('snap-list-ci.txt'))).toEqual({
      version: 'v1.30.14',
      revision: 8248,
      tracking: '1.30/stable',
      channel: { track: '1.30', minor: 30, confinement: 'classic', risk: 'stable' },
      confinement: 'classic',
      held: false
    })
  })

  it('reads the held note and TTY publisher badge', () => {
    expect(parseSnapList(fixture('snap-list-tty-held.txt'))).toMatchObject({
      revision: 2920,
      held: true,
      confinement: 'classic'
    })
  })

  it('tells strict installs by their notes', () => {
    expect(parseSnapList(fixture('snap-list-strict.txt'))).toMatchObject({
      confinement: 'strict',
      channel: { minor: 30, confinement: 'strict' }
    })
  })

  it('reads the channels of a real snap info capture, with closed and abridged rows', () => {
    const channels = parseSnapInfoChannels(fixture('snap-info-2025-10.txt'))
    expect(channels.get('1.30/stable')).toEqual({
      channel: '1.30/stable',
      version: 'v1.30.14',
      revision: 8248,
      confinement: 'classic'
    })
    expect(channels.get('1.34-strict/stable')).toMatchObject({
      version: 'v1.34.1',
      revision: 8447,
      confinement: 'strict'
    })
    expect(channels.get('latest/stable')).toMatchObject({ version: 'v1.34.1', revision: 8492 })
    expect(channels.get('1.13/stable')).toMatchObject({ version: 'v1.13.6', revision: 581 })
    expect(channels.get('1.23-eksd/candidate')).toEqual({ channel: '1.23-eksd/candidate' })
    expect(channels.has('installed')).toBe(false)
  })

  it('knows which failures are worth another try', () => {
    expect(isChangeConflict({ code: 10, stderr: fixture('snap-refresh-conflict.stderr') })).toBe(true)
    expect(isChangeConflict({ code: 1, stderr: 'error: snap "microk8s" has changes in progress' })).toBe(true)
    expect(isChangeConflict({ code: 1, stderr: 'error: snap "microk8s" is not available on 1.99/stable' })).toBe(false)
    expect(
      isTransientDownloadFailure({
        code: 1,
        stderr:
          'error: cannot perform the following tasks:\n- Download snap "microk8s" (8006) from channel "1.29/stable" (received an unexpected http response code (503))'
      })
    ).toBe(true)
    expect(isTransientDownloadFailure({ code: 1, stderr: 'error: access denied (try with sudo)' })).toBe(false)
  })
})

describe('snap changes', () => {
  it('reads IDs, statuses and summaries whatever the time columns hold', () => {
    const humanised =
      'ID   Status  Spawn                   Ready                   Summary\n' +
      '175  Error   yesterday at 22:33 JST  yesterday at 22:41 JST  Auto-refresh snap "microk8s"\n' +
      '181  Doing   today at 10:00 UTC      -                       Refresh "microk8s" snap from "1.29/stable" channel\n'
    expect(parseSnapChanges(humanised)).toEqual([
      { id: '175', status: 'Error', summary: 'Auto-refresh snap "microk8s"' },
      { id: '181', status: 'Doing', summary: 'Refresh "microk8s" snap from "1.29/stable" channel' }
    ])
    const rfc3339 =
      'ID  Status  Spawn                 Ready  Summary\n' +
      '9   Do      2025-10-14T00:30:00Z  -      Auto-refresh snap "microk8s"\n\n'
    expect(parseSnapChanges(rfc3339).map((c) => [c.id, c.status, c.summary])).toEqual([
      ['9', 'Do', 'Auto-refresh snap "microk8s"']
    ])
    expect(parseSnapChanges('')).toEqual([])
  })

  it('counts only changes snapd has not finished as in progress', () => {
    const status = (s: string) => isUnfinished({ id: '1', status: s, summary: '' })
    expect(['Do', 'Doing', 'Undoing', 'Wait'].map(status)).toEqual([true, true, true, true])
    expect(['Done', 'Error', 'Undone', 'Hold'].map(status)).toEqual([false, false, false, false])
  })
})

describe('snap retries', () => {
  const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2, deadlineMs: 10_000 }

  const conflict = { code: 10, stderr: 'error: snap "microk8s" has "auto-refresh" change in progress' }
  const changes = (status: string) => ({
    code: 0,
    stdout:
      'ID   Status  Spawn               Ready               Summary\n' +
      `174  Done    today at 09:12 UTC  today at 09:13 UTC  Install "microk8s" snap\n` +
      `175  ${status.padEnd(6)}  today at 10:00 UTC  ${status === 'Done' ? 'today at 10:03 UTC' : '-                 '}  Auto-refresh snap "microk8s"\n`
  })
  /** A clock that moves only when the code under test sleeps. */
  const fakeClock = () => {
    const clock = { t: 0, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms) }
    return clock
  }

  it('waits for the snapd change named by a conflict, then runs the command', async () => {
    const cmd = scriptedCmd([
      conflict,
      changes('Doing'),
      changes('Doing'),
      changes('Done'),
      { code: 0, stdout: 'microk8s (1.29/stable) v1.29.15 from Canonical** refreshed' }
    ])
    const log: string[] = []
    const clock = fakeClock()
    const snap = new Snap(cmd, { ...fast, deadlineMs: 600_000 }, (m) => log.push(m), {}, clock)
    const r = await snap.refresh({ track: '1.29', minor: 29, confinement: 'classic', risk: 'stable' })
    expect(r.stdout).toContain('refreshed')
    expect(cmd.calls.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'snap refresh',
      'snap changes',
      'snap changes',
      'snap changes',
      'snap refresh'
    ])
    expect(log[0]).toMatch(/waiting for snapd to finish change 175 \(Auto-refresh snap "microk8s", Doing\)/)
    expect(log[0]).toMatch(/wait-timeout/)
  })

  it('fails once wait-timeout passes, naming the change that is still running', async () => {
    const cmd = scriptedCmd([conflict, ...Array(200).fill(changes('Doing'))])
    const clock = fakeClock()
    const snap = new Snap(cmd, { ...fast, deadlineMs: 60_000 }, () => {}, {}, clock)
    await expect(snap.hold()).rejects.toThrow(
      /snapd change 175 \(Auto-refresh snap "microk8s", Doing\) was still in progress when wait-timeout ran out.*snap watch 175/
    )
    // It waited the whole wait-timeout, and not much longer.
    expect(clock.t).toBe(60_000)
    expect(cmd.calls.filter((c) => c[1] === 'refresh')).toHaveLength(1)
  })

  it('retries right away when the change finished before it could be looked up', async () => {
    const cmd = scriptedCmd([conflict, { code: 1, stderr: 'error: no changes found' }, { code: 0 }])
    await new Snap(cmd, fast, () => {}, {}, fakeClock()).hold()
    expect(cmd.calls.map((c) => c[1])).toEqual(['refresh', 'changes', 'refresh'])
  })

  it('gives up on transient download failures after the attempts and says so', async () => {
    const cmd = scriptedCmd(Array(10).fill({ code: 1, stderr: 'error: unexpected EOF' }))
    await expect(
      new Snap(cmd, fast, () => {}, {}, fakeClock()).refresh({
        track: '1.29',
        minor: 29,
        confinement: 'classic',
        risk: 'stable'
      })
    ).rejects.toThrow(/gave up after 4 attempts/)
    expect(cmd.calls).toHaveLength(4)
  })

  it('never retries an unknown channel or a permission error', async () => {
    for (const stderr of [
      'error: snap "microk8s" is not available on 1.99/stable but is available to install on the following tracks:',
      'error: access denied (try with sudo)'
    ]) {
      const cmd = scriptedCmd([{ code: 1, stderr }, { code: 0 }])
      await expect(
        new Snap(cmd, fast).install({ track: '1.99', minor: 99, confinement: 'classic', risk: 'stable' })
      ).rejects.toThrow(/exit code 1/)
      expect(cmd.calls).toHaveLength(1)
    }
  })

  it('installs strict tracks without --classic', async () => {
    const cmd = scriptedCmd([{ code: 0 }])
    await new Snap(cmd, fast).install({ track: '1.30-strict', minor: 30, confinement: 'strict', risk: 'stable' })
    expect(cmd.calls[0]).toEqual(['snap', 'install', 'microk8s', '--channel=1.30-strict/stable'])
  })
})
