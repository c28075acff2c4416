// The sampler (src/probes/sampler.ts) on fake timers: one sample per interval per target, stamped at its start,
// a target resolved late counted from its first answer, an outage of N polls measured as N intervals.
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest'
import { Sampler, RESOLVE_EVERY, type Check } from '../../src/probes/sampler.js'
import { API_SERVER, type ProbeTarget } from '../../src/probes/targets.js'

const INTERVAL = 1000
const web: ProbeTarget = { kind: 'http', label: 'web', url: 'http://127.0.0.1/' }

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }))
afterEach(() => vi.useRealTimers())

describe('sampler', () => {
  it('an always-up target is 100 %; an API server down for N polls is one outage of N intervals, attributed', async () => {
    let poll = 0
    const down = new Set([5, 6, 7]) // polls of the API server that fail
    const checks: Record<string, Check> = {
      [API_SERVER.label]: async () => (down.has(poll++) ? { ok: false, kind: 'refused' } : { ok: true }),
      web: async () => ({ ok: true })
    }
    const sampler = new Sampler([API_SERVER, web], INTERVAL, async (t) => checks[t.label], Date.now())
    sampler.start()
    await vi.advanceTimersByTimeAsync(12 * INTERVAL)
    const [api, w] = await sampler.stop([
      { name: 'refresh 1.29/stable', atMs: 4500, durationMs: 4000 },
      { name: 'addon cycle', atMs: 9000, durationMs: 3000 }
    ])
    expect(w).toMatchObject({ availability: 1, failures: 0, outages: [], maxGapMs: INTERVAL })
    expect(w.samples).toBeGreaterThanOrEqual(12)
    expect(api.failures).toBe(3)
    expect(api.outages).toEqual([
      expect.objectContaining({
        durationMs: 3 * INTERVAL,
        failedSamples: 3,
        kind: 'refused',
        during: 'refresh 1.29/stable'
      })
    ])
    expect(api.longestOutageMs).toBe(3 * INTERVAL)
  })

  it('retries a target it cannot resolve every few intervals, and counts it from its first answer', async () => {
    let tries = 0
    const resolve = async () => {
      if (++tries < 3) throw new Error('services "web" not found')
      return (async () => ({ ok: true })) as Check
    }
    const sampler = new Sampler([web], INTERVAL, resolve, Date.now())
    sampler.start()
    await vi.advanceTimersByTimeAsync(3 * RESOLVE_EVERY * INTERVAL)
    const [w] = await sampler.stop()
    expect(tries).toBe(3)
    expect(w).toMatchObject({ answered: true, availability: 1, notYetUp: 0, outages: [] })
    expect(w.unresolved).toBeUndefined()
  })

  it('a target never resolved is reported with why, never as an outage', async () => {
    const sampler = new Sampler(
      [web],
      INTERVAL,
      async () => Promise.reject(new Error('no cluster IP\nmore')),
      Date.now()
    )
    sampler.start()
    await vi.advanceTimersByTimeAsync(10 * INTERVAL)
    const [w] = await sampler.stop()
    expect(w).toMatchObject({ answered: false, samples: 0, outages: [], unresolved: 'no cluster IP' })
  })
})
