// The simulator's clock: a command that waits for a moment (the cluster ready again after a refresh) must find the
// moment reached when it wakes. Node measures a timer from the event loop's cached time, which lags behind the wall
// clock after synchronous work (loading and parsing the state), so a bare setTimeout can wake a few milliseconds
// early; `microk8s status --wait-ready` then answered "not running" under load, and the action failed a hop.
import { describe, it, expect, vi } from 'vitest'
import { sleepUntil } from '../sim/lib/state.mjs'

const busy = (ms: number) => {
  const t0 = Date.now()
  while (Date.now() - t0 < ms);
}

describe('sleepUntil', () => {
  it('never wakes before the wall-clock moment, even right after synchronous work', async () => {
    let early = 0
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setImmediate(r)) // a fresh loop iteration: its cached time is taken now
      busy(4) // the work a command does before it waits, which the cached time does not see
      const target = Date.now() + 8
      await sleepUntil(target)
      if (Date.now() < target) early++
    }
    expect(early).toBe(0)
  })

  it('sets no timer for a moment already past', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout')
    await sleepUntil(Date.now() - 1000)
    expect(timers).not.toHaveBeenCalled()
    timers.mockRestore()
  })
})
