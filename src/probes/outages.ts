/**
 * From samples to outages (docs/disruption.md): a target counts from its first answer; consecutive failed samples
 * merge into one outage from the first failed sample's start to the next answered sample's start (or the end of
 * sampling, left open); each outage is attributed to what the run was doing then. The merging follows OpenShift's
 * backend-disruption samplers (openshift/origin pkg/monitor/backenddisruption: one sample per interval, stamped at
 * its start, failures merged into intervals); the types are the report's (report/model.ts records them).
 */

/** What one sample found: up, or the kind of failure (`timeout`, `refused`, `reset`, `HTTP 503`, `NXDOMAIN`, …). */
export interface Sample {
  /** Milliseconds after the run started, when the sample was sent. */
  atMs: number
  ok: boolean
  kind?: string
}

export interface OutageRecord {
  /** Milliseconds after the run started: the first failed sample's start. */
  startMs: number
  /** The next answered sample's start; for an open outage, when sampling stopped. */
  endMs: number
  durationMs: number
  failedSamples: number
  /** The most frequent failure kind, and every kind seen with its count. */
  kind: string
  kinds: Record<string, number>
  /** The run was still in this outage when sampling stopped. */
  open?: boolean
  /** The step (or addon cycle) that overlapped the outage most; `between steps` when none did. */
  during: string
}

export interface TargetDisruption {
  label: string
  /** `http`, `service`, `dns` or `apiserver`. */
  kind: string
  /** Samples counted (from the first answer on). */
  samples: number
  failures: number
  /** Samples sent before the target first answered (not counted). */
  notYetUp: number
  /** Whether the target ever answered; a target that never did has no availability. */
  answered: boolean
  /** Answered samples / counted samples, 0–1; absent when never answered. */
  availability?: number
  longestOutageMs: number
  /** The longest gap between two consecutive samples' starts: the measurement's precision. */
  maxGapMs: number
  outages: OutageRecord[]
  /** Why the target could not be sampled at all (its address could not be resolved), when that was the case. */
  unresolved?: string
}

export interface DisruptionRecord {
  intervalMs: number
  startedAtMs: number
  stoppedAtMs: number
  /** max-disruption, when given. */
  limitMs?: number
  targets: TargetDisruption[]
}

/** A named window of the run (a report step, an addon's cycle) that an outage can be attributed to. */
export interface RunWindow {
  name: string
  atMs: number
  durationMs: number
}

type OpenOutage = Omit<OutageRecord, 'endMs' | 'durationMs' | 'during' | 'kind'>

/** One target's samples as they come, merged online (no list of every sample is kept). */
export class OutageTracker {
  private samples = 0
  private failures = 0
  private notYetUp = 0
  private answered = false
  private lastAtMs?: number
  private maxGapMs = 0
  private current?: OpenOutage
  private readonly closed: Array<Omit<OutageRecord, 'during'>> = []

  constructor(
    readonly label: string,
    readonly kind: string
  ) {}

  record(sample: Sample): void {
    if (this.lastAtMs !== undefined) this.maxGapMs = Math.max(this.maxGapMs, sample.atMs - this.lastAtMs)
    this.lastAtMs = sample.atMs
    if (!this.answered && !sample.ok) {
      this.notYetUp++
      return
    }
    this.answered = true
    this.samples++
    if (sample.ok) {
      if (this.current) this.close(sample.atMs, false)
      return
    }
    this.failures++
    const kind = sample.kind ?? 'error'
    this.current ??= { startMs: sample.atMs, failedSamples: 0, kinds: {} }
    this.current.failedSamples++
    this.current.kinds[kind] = (this.current.kinds[kind] ?? 0) + 1
  }

  private close(endMs: number, open: boolean): void {
    const c = this.current!
    const kind = Object.entries(c.kinds).sort((a, b) => b[1] - a[1])[0][0]
    this.closed.push({ ...c, endMs, durationMs: endMs - c.startMs, kind, ...(open ? { open: true } : {}) })
    this.current = undefined
  }

  /** The target's record once sampling stopped at `stoppedAtMs`, outages attributed to `windows`. */
  result(stoppedAtMs: number, windows: RunWindow[], unresolved?: string): TargetDisruption {
    if (this.current) this.close(Math.max(stoppedAtMs, this.current.startMs), true)
    const outages = this.closed.map((o) => ({ ...o, during: attribute(o.startMs, o.endMs, windows) }))
    return {
      label: this.label,
      kind: this.kind,
      samples: this.samples,
      failures: this.failures,
      notYetUp: this.notYetUp,
      answered: this.answered,
      ...(this.answered ? { availability: (this.samples - this.failures) / this.samples } : {}),
      longestOutageMs: Math.max(0, ...outages.map((o) => o.durationMs)),
      maxGapMs: this.maxGapMs,
      outages,
      ...(unresolved && !this.answered ? { unresolved } : {})
    }
  }
}

/**
 * The window the outage fell in: of the windows overlapping [startMs, endMs] by at least half as much as the one
 * that overlaps most, the shortest (the most specific: the ingress cycle rather than the whole addon-cycle step
 * that holds it). `between steps` when none overlaps.
 */
export function attribute(startMs: number, endMs: number, windows: RunWindow[]): string {
  const end = Math.max(endMs, startMs + 1)
  const overlaps = windows
    .map((w) => ({ w, overlap: Math.min(end, w.atMs + w.durationMs) - Math.max(startMs, w.atMs) }))
    .filter((o) => o.overlap > 0)
  if (!overlaps.length) return 'between steps'
  const most = Math.max(...overlaps.map((o) => o.overlap))
  return overlaps
    .filter((o) => o.overlap * 2 >= most)
    .sort((a, b) => a.w.durationMs - b.w.durationMs || b.overlap - a.overlap)[0].w.name
}

/**
 * The longest outage among the targets, with its target and whether it exceeds max-disruption (undefined when
 * there was none).
 */
export function longestOutage(
  record: DisruptionRecord
): { label: string; outage: OutageRecord; overLimit: boolean } | undefined {
  let best: { label: string; outage: OutageRecord } | undefined
  for (const t of record.targets)
    for (const o of t.outages) if (!best || o.durationMs > best.outage.durationMs) best = { label: t.label, outage: o }
  if (!best) return undefined
  return { ...best, overLimit: exceedsLimit(record, best.outage) }
}

/** Whether an outage lasted longer than max-disruption (false when it is not set). */
export function exceedsLimit(record: DisruptionRecord, outage: OutageRecord): boolean {
  return record.limitMs !== undefined && outage.durationMs > record.limitMs
}

/** The labels of the targets that never answered a sample (never counted as "no outage"). */
export function neverAnswered(record: DisruptionRecord): string[] {
  return record.targets.filter((t) => !t.answered).map((t) => t.label)
}

/** The targets whose longest outage exceeds max-disruption, and the targets that never answered, when it is set. */
export function overLimit(record: DisruptionRecord): TargetDisruption[] {
  if (record.limitMs === undefined) return []
  return record.targets.filter((t) => !t.answered || t.longestOutageMs > record.limitMs!)
}
