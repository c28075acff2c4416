/**
 * The sampler: every interval, one sample of each target, in this process, each bounded by the interval and
 * stamped at its start (milliseconds after the run started, the report steps' clock). A target is sampled once
 * its address is known (`resolve`: the API server's from the kubeconfig, a Service's cluster IP, the cluster DNS
 * Service's), tried again every few intervals until then, one try at a time. Samples are handed to the target's
 * OutageTracker in the order they were sent. Semantics: docs/disruption.md.
 */
import type { CheckResult } from './checks.js'
import { OutageTracker, type RunWindow, type TargetDisruption } from './outages.js'
import type { ProbeTarget } from './targets.js'

/** One sample of a resolved target, bounded by `timeoutMs`. */
export type Check = (timeoutMs: number) => Promise<CheckResult>

/** Finds where a target lives; throws (with a message safe to print) while it cannot be found yet. */
export type Resolve = (target: ProbeTarget) => Promise<Check>

/** How many intervals pass between two tries to resolve a target that could not be resolved yet. */
export const RESOLVE_EVERY = 5

interface Probe {
  target: ProbeTarget
  tracker: OutageTracker
  check?: Check
  resolving: boolean
  lastTry: number
  unresolved?: string
  /** Samples sent and not yet recorded, in the order sent. */
  pending: Array<{ atMs: number; result?: CheckResult }>
}

export class Sampler {
  private readonly probes: Probe[]
  private readonly inFlight = new Set<Promise<unknown>>()
  private timer?: NodeJS.Timeout
  private startedAt?: number
  private stoppedAt?: number
  private tick = 0

  constructor(
    targets: ProbeTarget[],
    readonly intervalMs: number,
    private readonly resolve: Resolve,
    /** Epoch milliseconds the run started: samples are stamped relative to it. */
    private readonly runStartMs: number,
    private readonly now: () => number = Date.now
  ) {
    this.probes = targets.map((target) => ({
      target,
      tracker: new OutageTracker(target.label, target.kind),
      resolving: false,
      lastTry: -Infinity,
      pending: []
    }))
  }

  get running(): boolean {
    return this.startedAt !== undefined && this.stoppedAt === undefined
  }

  start(): void {
    if (this.startedAt !== undefined) return
    this.startedAt = this.now()
    this.sampleAll()
  }

  private schedule(): void {
    if (this.stoppedAt !== undefined) return
    // Drift-free: the next tick is due at start + k·interval; a late timer skips the ticks it missed.
    const elapsed = this.now() - this.startedAt!
    this.tick = Math.max(this.tick + 1, Math.floor(elapsed / this.intervalMs) + 1)
    const due = this.startedAt! + this.tick * this.intervalMs
    this.timer = setTimeout(() => this.sampleAll(), Math.max(0, due - this.now()))
    this.timer.unref()
  }

  private sampleAll(): void {
    const at = this.now()
    for (const probe of this.probes) {
      if (probe.check) this.sample(probe, at)
      else this.tryResolve(probe, at)
    }
    this.schedule()
  }

  private track<T>(p: Promise<T>): void {
    this.inFlight.add(p)
    void p.finally(() => this.inFlight.delete(p))
  }

  private sample(probe: Probe, at: number): void {
    const entry: { atMs: number; result?: CheckResult } = { atMs: at - this.runStartMs }
    probe.pending.push(entry)
    const p = probe.check!(this.intervalMs)
      .catch((): CheckResult => ({ ok: false, kind: 'error' }))
      .then((result) => {
        entry.result = result
        while (probe.pending[0]?.result) {
          const done = probe.pending.shift()!
          probe.tracker.record({
            atMs: done.atMs,
            ok: done.result!.ok,
            ...(done.result!.kind ? { kind: done.result!.kind } : {})
          })
        }
      })
    this.track(p)
  }

  private tryResolve(probe: Probe, at: number): void {
    if (probe.resolving || at - probe.lastTry < RESOLVE_EVERY * this.intervalMs) return
    probe.resolving = true
    probe.lastTry = at
    const p = this.resolve(probe.target).then(
      (check) => {
        probe.check = check
        probe.unresolved = undefined
        // Sampled from the next tick on; a target counts from its first answer anyway.
        if (this.running) this.sample(probe, this.now())
      },
      (error) =>
        (probe.unresolved = String((error as Error)?.message ?? error)
          .split('\n')[0]
          .slice(0, 200))
    )
    void p.finally(() => (probe.resolving = false))
    this.track(p)
  }

  /** Stops sampling, waits for the samples in flight (each bounded by the interval), and gives each target's record. */
  async stop(windows: RunWindow[] = []): Promise<TargetDisruption[]> {
    if (this.stoppedAt === undefined) this.stoppedAt = this.now()
    if (this.timer) clearTimeout(this.timer)
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight])
    const stopped = this.stoppedAt - this.runStartMs
    return this.probes.map((p) => p.tracker.result(stopped, windows, p.unresolved))
  }

  /** When sampling started and stopped, in milliseconds after the run started. */
  span(): { startedAtMs: number; stoppedAtMs: number } {
    return {
      startedAtMs: (this.startedAt ?? this.runStartMs) - this.runStartMs,
      stoppedAtMs: (this.stoppedAt ?? this.now()) - this.runStartMs
    }
  }
}
