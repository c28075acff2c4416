import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest'
import { waitWithProgress, progressLine } from '../../src/base/progress.js'
import { MicroK8s } from '../../src/cluster/microk8s.js'
import type { Cmd, CmdOptions, CmdResult } from '../../src/base/cmd.js'

// Simulated time: vitest's fake timers move Date.now() and the progress timer together, so a wait of 100 s
// takes no real time and the lines do not depend on how busy the machine is.
beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

const READY =
  'microk8s:\n  running: True\nhigh-availability:\n  enabled: False\naddons:\n  - name: dns\n    repository: core\n    status: enabled\n'

/** A Cmd whose every command takes `seconds` of simulated time, printing `lines` as it goes. */
function slowCmd(seconds: number, stdout: string, lines: string[] = [], code = 0): Cmd & { calls: string[][] } {
  const calls: string[][] = []
  return {
    calls,
    history: [],
    run(file: string, args: string[], options: CmdOptions = {}): Promise<CmdResult> {
      calls.push([file, ...args])
      lines.forEach((l, i) => setTimeout(() => options.onLine?.(l), ((i + 1) * seconds * 1000) / (lines.length + 1)))
      return new Promise((resolve) =>
        setTimeout(() => resolve({ code, stdout, stderr: '', ms: seconds * 1000 }), seconds * 1000)
      )
    }
  }
}

const elapsedOf = (lines: string[]) =>
  lines.filter((l) => /^waiting for .*: \d+ s of/.test(l)).map((l) => Number(/: (\d+) s of/.exec(l)![1]))

describe('progress during a wait', () => {
  it('says what it waits for and its limit, then a line every 15 s, then how long it took', async () => {
    const log: string[] = []
    const done = waitWithProgress(
      'the thing',
      600,
      () => new Promise((r) => setTimeout(r, 100_000)),
      (l) => log.push(l)
    )
    await vi.advanceTimersByTimeAsync(100_000)
    await done
    expect(log[0]).toBe('waiting for the thing (at most 600 s)')
    expect(elapsedOf(log)).toEqual([15, 30, 45, 60, 75, 90])
    expect(log[log.length - 1]).toBe('waited 100 s for the thing')
  })

  it('a readiness wait of 100 s shows at least 6 progress lines with increasing elapsed times', async () => {
    const log: string[] = []
    const cmd = slowCmd(100, READY)
    const microk8s = new MicroK8s(cmd, { waitTimeout: 600 }, (l) => log.push(l))
    const ready = microk8s.waitReady()
    await vi.advanceTimersByTimeAsync(100_000)
    expect((await ready).running).toBe(true)
    const elapsed = elapsedOf(log)
    expect(elapsed.length).toBeGreaterThanOrEqual(6)
    elapsed.forEach((e, i) => i > 0 && expect(e).toBeGreaterThan(elapsed[i - 1]))
    expect(log[0]).toBe('waiting for MicroK8s to be ready (at most 600 s)')
    expect(log[log.length - 1]).toBe('waited 100 s for MicroK8s to be ready')
    // Still one command: the progress comes from the action's clock, not from more calls.
    expect(cmd.calls).toHaveLength(1)
  })

  it('an addon rollout shows the last line kubectl printed as its last status', async () => {
    const log: string[] = []
    const waiting = 'Waiting for deployment "coredns" rollout to finish: 0 of 1 updated replicas are available...'
    const microk8s = new MicroK8s(slowCmd(40, '', [waiting]), { waitTimeout: 300 }, (l) => log.push(l))
    const rollout = microk8s.rolloutStatus('deployment', 'kube-system', 'coredns')
    await vi.advanceTimersByTimeAsync(40_000)
    await rollout
    expect(log).toEqual([
      'waiting for deployment kube-system/coredns to roll out (at most 300 s)',
      'waiting for deployment kube-system/coredns to roll out: 15 s of 300 s',
      progressLine('deployment kube-system/coredns to roll out', 30_000, 300, waiting),
      'waited 40 s for deployment kube-system/coredns to roll out'
    ])
  })

  it('says when it stopped waiting, and how long it had waited, when the wait fails', async () => {
    const log: string[] = []
    const microk8s = new MicroK8s(slowCmd(20, 'microk8s:\n  running: False\n', [], 1), { waitTimeout: 20 }, (l) =>
      log.push(l)
    )
    const ready = microk8s.waitReady().catch((e: Error) => e)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(String(await ready)).toMatch(/did not become ready within wait-timeout \(20s\)/)
    expect(log[log.length - 1]).toBe('stopped waiting for MicroK8s to be ready after 20 s')
  })
})
