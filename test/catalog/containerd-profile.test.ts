import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import {
  FIRST_FIXED_STRICT_MINOR,
  STRICT_PROFILES,
  strictProfile,
  strictTrackDenied
} from '../../src/catalog/containerd-profile.js'

describe('the containerd AppArmor profile of each strict track', () => {
  it('has exactly one row for every minor', () => {
    for (let minor = 20; minor <= 40; minor++) {
      const rows = STRICT_PROFILES.filter((p) => (p.from ?? 0) <= minor && minor <= (p.to ?? Infinity))
      expect(rows, `1.${minor}-strict`).toHaveLength(1)
    }
  })

  it('counts 1.25–1.33-strict as denied on a mediating kernel, 1.34-strict and newer as fixed', () => {
    const denied = [25, 28, 29, 30, 31, 32, 33].map(strictTrackDenied)
    expect(denied.every(Boolean)).toBe(true)
    expect([34, 35, 36].map(strictTrackDenied)).toEqual([false, false, false])
    expect(FIRST_FIXED_STRICT_MINOR).toBe(34)
    // 1.32/1.33 have the #5218 families but no `raw`: affected for what the action needs (MetalLB, concierge#267).
    expect(strictProfile(33).rules).not.toMatch(/raw/)
    expect(strictProfile(33).why).toMatch(/concierge#267/)
    expect(strictProfile(34).rules).toMatch(/network raw,/)
  })

  it('is what action.yml and the README say about the first fixed strict track', () => {
    const track = `1.${FIRST_FIXED_STRICT_MINOR}-strict`
    const action = fs.readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    expect(action).toContain(`before ${track}`)
    expect(readme.split('\n').find((l) => l.startsWith('| `strict-apparmor`'))).toContain(`before ${track}`)
  })
})
