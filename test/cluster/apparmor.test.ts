import { describe, it, expect } from 'vitest'
import { readNetMediation, readKernelDenials, containerdDenials, isNetDenial } from '../../src/cluster/apparmor.js'
import { SystemFiles } from '../../src/cluster/system-files.js'
import { scriptedCmd } from '../helpers/fake-cmd.js'

const FEATURES = '/sys/kernel/security/apparmor/features'

describe('reading whether the kernel mediates AppArmor networking', () => {
  it('is mediating when features/network_v9 is a directory, read with test -d only', async () => {
    const cmd = scriptedCmd([{ code: 0 }, { code: 0 }])
    expect(await readNetMediation(new SystemFiles(cmd))).toMatchObject({ state: 'mediating' })
    expect(cmd.calls).toEqual([
      ['test', '-d', FEATURES],
      ['test', '-d', `${FEATURES}/network_v9`]
    ])
  })

  it('is not mediating with only the older network features, or without AppArmor', async () => {
    expect(await readNetMediation(new SystemFiles(scriptedCmd([{ code: 0 }, { code: 1 }])))).toMatchObject({
      state: 'not-mediating',
      detail: expect.stringMatching(/only the older network features/)
    })
    const noAppArmor = scriptedCmd([{ code: 1 }, { code: 0 }])
    expect(await readNetMediation(new SystemFiles(noAppArmor))).toMatchObject({
      state: 'not-mediating',
      detail: expect.stringMatching(/AppArmor is not enabled/)
    })
    expect(noAppArmor.calls[1]).toEqual(['test', '-d', '/sys/kernel/security'])
  })

  it.each([
    ['sudo refused (exit 1 with a message)', [{ code: 1, stderr: 'sudo: a password is required' }]],
    ['test missing', [{ code: 127, stderr: 'sudo: test: command not found' }]],
    ['securityfs unreadable', [{ code: 1 }, { code: 1 }]],
    ['network_v9 read killed', [{ code: 0 }, { code: 124 }]]
  ])('is unknown, never "not mediating", when a read fails: %s', async (_, results) => {
    const m = await readNetMediation(new SystemFiles(scriptedCmd(results)))
    expect(m.state).toBe('unknown')
    expect(m.detail.length).toBeGreaterThan(10)
  })
})

describe('the kernel log', () => {
  const denial =
    'apparmor="DENIED" operation="create" class="net" profile="cri-containerd.apparmor.d" pid=4107 comm="coredns" family="inet" sock_type="stream"'
  const log = [
    '[    0.000000] Linux version 6.17.0',
    `[  130.75] audit: type=1400 audit(1767225600.000:4107): ${denial}`,
    '[  131.00] audit: type=1400 audit(1.2:3): apparmor="DENIED" operation="open" class="file" profile="snap.other" name="/x"',
    '[  132.00] audit: type=1400 audit(1.2:4): apparmor="ALLOWED" operation="create" profile="cri-containerd.apparmor.d"'
  ].join('\n')

  it("keeps containerd's denials only, from apparmor= on, and tells net ones", async () => {
    expect(containerdDenials(log)).toEqual([denial])
    expect(isNetDenial(denial)).toBe(true)
    expect(isNetDenial('apparmor="DENIED" operation="open" class="file"')).toBe(false)
    const cmd = scriptedCmd([{ code: 0, stdout: `${log}\n${log}\n${log}\n${log}` }])
    expect(await readKernelDenials(cmd)).toEqual({ lines: [denial, denial, denial] })
    expect(cmd.calls).toEqual([['dmesg']])
  })

  it('says when it cannot be read, rather than "no denial"', async () => {
    const r = await readKernelDenials(
      scriptedCmd([{ code: 1, stderr: 'dmesg: read kernel buffer failed: Operation not permitted' }])
    )
    expect(r).toEqual({ error: "'dmesg' exited 1: dmesg: read kernel buffer failed: Operation not permitted" })
  })
})
