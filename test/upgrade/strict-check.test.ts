import { describe, it, expect } from 'vitest'
import { checkStrictTracks, deniedStrictTracks, wayOut } from '../../src/upgrade/strict-check.js'
import { parseChannel } from '../../src/cluster/channel.js'
import type { CorePlan, Hop } from '../../src/upgrade/plan.js'
import type { NetMediation } from '../../src/cluster/apparmor.js'
import { PlanError } from '../../src/base/errors.js'

const hop = (text: string, kind: Hop['kind'] = 'refresh'): Hop => {
  const channel = parseChannel(text)
  return { kind, channel, channelText: text, minor: channel.minor! }
}
const install = (text: string): CorePlan => ({
  kind: 'install',
  targetMinor: parseChannel(text).minor!,
  hops: [hop(text, 'install')],
  notes: []
})
const upgrade = (from: number, to: number, suffix = '-strict'): CorePlan => ({
  kind: 'upgrade',
  fromMinor: from,
  targetMinor: to,
  hops: Array.from({ length: to - from }, (_, i) => hop(`1.${from + i + 1}${suffix}/stable`)),
  notes: []
})
const mediating: NetMediation = {
  state: 'mediating',
  detail: 'fine-grained network mediation: …/network_v9 is present'
}
const notMediating: NetMediation = { state: 'not-mediating', detail: 'no …/network_v9' }
const unknown: NetMediation = { state: 'unknown', detail: "'test -d /sys/kernel/security' exited 124" }

describe('strict tracks against a mediating kernel', () => {
  it('names every denied strict track a plan installs or passes through, and no classic or fixed one', () => {
    expect(deniedStrictTracks(install('1.29-strict/stable'))).toEqual(['1.29-strict'])
    expect(deniedStrictTracks(upgrade(28, 35))).toEqual([
      '1.29-strict',
      '1.30-strict',
      '1.31-strict',
      '1.32-strict',
      '1.33-strict'
    ])
    expect(deniedStrictTracks(upgrade(28, 30, ''))).toEqual([])
    expect(deniedStrictTracks(install('1.34-strict/stable'))).toEqual([])
  })

  it('refuses on a mediating kernel with fail, naming the tracks and what works', () => {
    const plan = upgrade(28, 30)
    expect(() =>
      checkStrictTracks(plan, mediating, 'fail', { tracking: '1.28-strict/stable', confinement: 'strict' })
    ).toThrow(PlanError)
    expect(() => checkStrictTracks(plan, mediating, 'fail')).toThrow(
      /the strict tracks 1\.29-strict, 1\.30-strict of this plan cannot run pods on it: .*bare `network,`.*nothing was changed\. Use a strict track that carries the fixed profile \(1\.34-strict\/stable or newer\) or the classic track 1\.30\/stable/
    )
  })

  it('goes on with the warning with warn', () => {
    const r = checkStrictTracks(install('1.32-strict/candidate'), mediating, 'warn')
    expect(r.warnings).toHaveLength(1)
    expect(r.warnings[0]).toMatch(
      /1\.32-strict .*concierge#267.*going on as strict-apparmor is warn\. If they do, use .*1\.34-strict\/candidate or newer\) or the classic track 1\.32\/candidate$/
    )
  })

  it('says an unread kernel is unknown, warns and goes on, whatever the mode', () => {
    const r = checkStrictTracks(install('1.29-strict/stable'), unknown, 'fail')
    expect(r.notes).toEqual([`this runner's kernel: ${unknown.detail} (unknown)`])
    expect(r.warnings[0]).toMatch(/could not tell .*Not taken as "not mediating"/)
  })

  it('notes a kernel that does not mediate, and reads nothing when no track is affected', () => {
    expect(checkStrictTracks(install('1.29-strict/stable'), notMediating, 'fail')).toEqual({
      notes: [
        "this runner's kernel: no …/network_v9; the containerd profile of 1.29-strict is not denied sockets here"
      ],
      warnings: []
    })
    expect(checkStrictTracks(install('1.35-strict/stable'), undefined, 'fail')).toEqual({ notes: [], warnings: [] })
  })

  it('warns when the installed strict track is denied and the plan leaves it (no hop), without refusing', () => {
    const none: CorePlan = { kind: 'none', fromMinor: 30, targetMinor: 30, hops: [], notes: [] }
    const r = checkStrictTracks(none, mediating, 'fail', { tracking: '1.30-strict/stable', confinement: 'strict' })
    expect(r.warnings[0]).toMatch(/microk8s 1\.30-strict\/stable is installed and .*its pods cannot run on this kernel/)
    expect(r.warnings[0]).toMatch(/a new install: MicroK8s does not switch confinement in place/)
  })

  it('points a new strict minor at itself and an old one at the first fixed track', () => {
    expect(wayOut(35, 'edge', false)).toBe(
      'use a strict track that carries the fixed profile (1.35-strict/edge or newer) or the classic track 1.35/edge'
    )
    expect(wayOut(28, 'stable', false)).toMatch(/\(1\.34-strict\/stable or newer\) or the classic track 1\.28\/stable$/)
  })
})
