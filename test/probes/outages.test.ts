// Merging samples into outages and attributing them (src/probes/outages.ts), on a simulated clock.
import { describe, it, expect } from 'vitest'
import { OutageTracker, attribute, overLimit, type RunWindow } from '../../src/probes/outages.js'

/** Feeds a tracker one sample every `interval` ms from `from`: `pattern` is a string of `.` (up) and kinds' first letters. */
function feed(pattern: string, interval = 1000, from = 0): OutageTracker {
  const t = new OutageTracker('web', 'http')
  const kinds: Record<string, string> = { r: 'refused', t: 'timeout', '5': 'HTTP 503', n: 'NXDOMAIN' }
  ;[...pattern].forEach((c, i) =>
    t.record({ atMs: from + i * interval, ok: c === '.', ...(c === '.' ? {} : { kind: kinds[c] }) })
  )
  return t
}

describe('outages', () => {
  it('an always-up target is 100 % available with no outage', () => {
    const r = feed('..........').result(10_000, [])
    expect(r).toMatchObject({
      samples: 10,
      failures: 0,
      availability: 1,
      longestOutageMs: 0,
      outages: [],
      answered: true
    })
  })

  it('counts a target from its first answer; consecutive failures merge into one outage with its main kind', () => {
    const r = feed('rrr..rr5r...t.').result(14_000, [])
    expect(r.notYetUp).toBe(3)
    expect(r.samples).toBe(11)
    expect(r.failures).toBe(5)
    expect(r.availability).toBeCloseTo(6 / 11)
    expect(r.outages.map((o) => [o.startMs, o.endMs, o.kind, o.failedSamples])).toEqual([
      [5000, 9000, 'refused', 4],
      [12_000, 13_000, 'timeout', 1]
    ])
    expect(r.outages[0].kinds).toEqual({ refused: 3, 'HTTP 503': 1 })
    expect(r.longestOutageMs).toBe(4000)
    expect(r.maxGapMs).toBe(1000)
  })

  it('an outage still going when sampling stops is open and ends at the stop', () => {
    const r = feed('...rr').result(5000, [])
    expect(r.outages).toEqual([expect.objectContaining({ startMs: 3000, endMs: 5000, open: true })])
  })

  it('a target that never answers has no availability and fails only a set max-disruption', () => {
    const never = feed('tttt').result(4000, [], 'the Service has no cluster IP')
    expect(never).toMatchObject({
      answered: false,
      samples: 0,
      notYetUp: 4,
      unresolved: 'the Service has no cluster IP'
    })
    expect(never.availability).toBeUndefined()
    const record = { intervalMs: 1000, startedAtMs: 0, stoppedAtMs: 4000, targets: [never] }
    expect(overLimit(record)).toEqual([])
    expect(overLimit({ ...record, limitMs: 60_000 })).toEqual([never])
  })

  it('attributes an outage to the most specific window it fell in', () => {
    const windows: RunWindow[] = [
      { name: 'refresh 1.29/stable', atMs: 0, durationMs: 10_000 },
      { name: 'addon cycle', atMs: 10_000, durationMs: 30_000 },
      { name: 'dns cycle', atMs: 10_000, durationMs: 8000 },
      { name: 'ingress cycle', atMs: 18_000, durationMs: 12_000 }
    ]
    expect(attribute(2000, 6000, windows)).toBe('refresh 1.29/stable')
    expect(attribute(19_000, 29_000, windows)).toBe('ingress cycle')
    // Mostly in the ingress cycle, a little in the dns cycle.
    expect(attribute(17_000, 30_000, windows)).toBe('ingress cycle')
    expect(attribute(50_000, 51_000, windows)).toBe('between steps')
  })
})
