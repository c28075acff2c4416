import { describe, it, expect } from 'vitest'
import { parseChannel, parseTracking, parseKubeVersion, trackFor, formatChannel } from '../../src/cluster/channel.js'

describe('channel grammar', () => {
  it.each([
    ['1.30/stable', { track: '1.30', minor: 30, confinement: 'classic', risk: 'stable' }],
    ['1.28/edge', { track: '1.28', minor: 28, confinement: 'classic', risk: 'edge' }],
    ['1.30-strict/candidate', { track: '1.30-strict', minor: 30, confinement: 'strict', risk: 'candidate' }],
    ['latest/beta', { track: 'latest', confinement: 'classic', risk: 'beta' }],
    ['  1.31/stable  ', { track: '1.31', minor: 31, confinement: 'classic', risk: 'stable' }]
  ])('accepts %s', (text, expected) => {
    expect(parseChannel(text)).toEqual(expected)
  })

  it.each([
    ['', /is empty/],
    ['1.30', /not a channel/],
    ['stable', /not a channel/],
    ['1.30/stable/hotfix', /not a channel/],
    ['1.30/testing', /unknown risk 'testing'/],
    ['1.30/Stable', /unknown risk/],
    ['2.30/stable', /unknown track '2.30'/],
    ['1.30-eksd/stable', /EKS-D tracks are not supported/],
    ['v1.30/stable', /unknown track/],
    ['1.30;rm -rf //stable', /not a channel|unknown track/],
    ['1.30/stable\n1.31/stable', /not a channel|unknown risk/]
  ])('refuses %j with a message saying what is accepted', (text, message) => {
    expect(() => parseChannel(text)).toThrow(message)
    expect(() => parseChannel(text)).toThrow(/track 'X.Y', 'X.Y-strict' or 'latest'/)
  })

  it('reads the channels snap reports as tracked, including branches and the bare risk form', () => {
    expect(parseTracking('1.28/stable')).toMatchObject({ minor: 28, risk: 'stable' })
    expect(parseTracking('1.30-strict/stable/hotfix-1')).toMatchObject({ minor: 30, confinement: 'strict' })
    expect(parseTracking('stable')).toMatchObject({ track: 'latest', risk: 'stable' })
    expect(parseTracking('1.23-eksd/stable')).toBeUndefined()
    expect(parseTracking('-')).toBeUndefined()
  })

  it('keeps the flavour when naming the track of a minor', () => {
    expect(trackFor(29, 'classic')).toBe('1.29')
    expect(trackFor(29, 'strict')).toBe('1.29-strict')
    expect(formatChannel({ track: '1.29-strict', risk: 'beta' })).toBe('1.29-strict/beta')
  })

  it('parses Kubernetes versions as MicroK8s and kubectl print them', () => {
    expect(parseKubeVersion('v1.30.14')).toMatchObject({ major: 1, minor: 30, patch: 14 })
    expect(parseKubeVersion('v1.22.3-3+9ec7c40ec93c73')).toMatchObject({ minor: 22, patch: 3 })
    expect(parseKubeVersion('v1.25-18')).toMatchObject({ minor: 25 })
    expect(parseKubeVersion('garbage')).toBeUndefined()
  })
})
