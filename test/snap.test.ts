import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import {
  parseSnapList,
  parseSnapInfoChannels,
  isChangeConflict,
  isTransientDownloadFailure,
  Snap
} from '../src/snap.js'
import { scriptedCmd } from './helpers/fake-cmd.js'

const fixture = (name: string) => fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

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

describe('snap retries', () => {
  const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2, deadlineMs: 10_000 }

  it('retries a change conflict with back-off and succeeds', async () => {
    const cmd = scriptedCmd([
      { code: 10, stderr: 'error: snap "microk8s" has "auto-refresh" change in progress' },
      { code: 10, stderr: 'error: snap "microk8s" has "auto-refresh" change in progress' },
      { code: 0, stdout: 'microk8s (1.29/stable) v1.29.15 from Canonical** refreshed' }
    ])
    const r = await new Snap(cmd, fast).refresh({ track: '1.29', minor: 29, confinement: 'classic', risk: 'stable' })
    expect(r.stdout).toContain('refreshed')
    expect(cmd.calls).toHaveLength(3)
    expect(cmd.calls[0]).toEqual(['snap', 'refresh', 'microk8s', '--channel=1.29/stable', '--classic'])
  })

  it('gives up after the bound and says so', async () => {
    const cmd = scriptedCmd(
      Array(10).fill({ code: 10, stderr: 'error: snap "microk8s" has "auto-refresh" change in progress' })
    )
    await expect(new Snap(cmd, fast).hold()).rejects.toThrow(/gave up after 4 attempts/)
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
