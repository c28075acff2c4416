/**
 * What a person sees while the action waits: when a wait starts, what it waits for and its limit; then a progress
 * line at least every 15 seconds ("waiting for MicroK8s to be ready: 45 s of 600 s"), with the last status the
 * wait saw when there is one; when it ends, how long it took. Every wait goes through `waitWithProgress`:
 * readiness after a refresh, each addon's rollout, snap downloads.
 */

/** A progress line at least this often (the runner's log otherwise looks hung). */
export const PROGRESS_INTERVAL_MS = 15_000

/** Time and a repeating timer; tests pass fake timers. */
export interface ProgressClock {
  now(): number
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void
}

export const realProgressClock: ProgressClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms)
    // A progress timer never keeps the process alive on its own.
    timer.unref?.()
    return () => clearInterval(timer)
  }
}

/** `0.4 s` under ten seconds, whole seconds above. */
export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`
}

export function startLine(what: string, limitSeconds: number): string {
  return `waiting for ${what} (at most ${limitSeconds} s)`
}

export function progressLine(what: string, elapsedMs: number, limitSeconds: number, lastStatus?: string): string {
  return `waiting for ${what}: ${Math.floor(elapsedMs / 1000)} s of ${limitSeconds} s${lastStatus ? `; last status: ${lastStatus}` : ''}`
}

export function endLine(what: string, elapsedMs: number, ok: boolean): string {
  return ok
    ? `waited ${formatSeconds(elapsedMs)} for ${what}`
    : `stopped waiting for ${what} after ${formatSeconds(elapsedMs)}`
}

/** One wait in progress: `status` records what it last saw, shown in the next progress line. */
export interface Wait {
  status(text: string): void
  elapsedMs(): number
}

/**
 * Runs `work` as a wait: logs the start line, a progress line every `intervalMs` while it runs, and the end line
 * (also when it throws, then rethrows).
 */
export async function waitWithProgress<T>(
  what: string,
  limitSeconds: number,
  work: (wait: Wait) => Promise<T>,
  log: (line: string) => void,
  clock: ProgressClock = realProgressClock,
  intervalMs = PROGRESS_INTERVAL_MS
): Promise<T> {
  const started = clock.now()
  let last: string | undefined
  const wait: Wait = {
    status: (text) => {
      const line = text.trim()
      if (line) last = line
    },
    elapsedMs: () => clock.now() - started
  }
  log(startLine(what, limitSeconds))
  const stop = clock.every(intervalMs, () => log(progressLine(what, wait.elapsedMs(), limitSeconds, last)))
  try {
    const result = await work(wait)
    stop()
    log(endLine(what, wait.elapsedMs(), true))
    return result
  } catch (error) {
    stop()
    log(endLine(what, wait.elapsedMs(), false))
    throw error
  }
}
