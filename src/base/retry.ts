/**
 * The one retry policy: exponential back-off within an attempt count and a deadline. Used for commands that may
 * fail transiently (snap downloads, snapd change conflicts) and for polling a condition (a snapd change
 * finishing, a kubelet reporting after a hop).
 *
 * A small module rather than a library such as p-retry: half the uses poll a condition rather than retry a
 * thrown error, the last wait must be cut to the time left before the deadline (wait-timeout), each wait needs
 * a progress line, and tests drive the clock; this is forty lines with no dependency in the bundle.
 */

export interface RetryPolicy {
  /** How many attempts at most (the first included). */
  attempts: number
  /** First back-off in ms; doubles each time up to maxDelayMs. */
  baseDelayMs: number
  maxDelayMs: number
  /** Give up once this much time (ms) has gone by since the first attempt. */
  deadlineMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 16000, deadlineMs: 600_000 }

/** Polling a condition until a deadline: 100 ms, doubling, at most 5 s apart. */
export function pollUntil(deadlineMs: number): RetryPolicy {
  return { attempts: Infinity, baseDelayMs: 100, maxDelayMs: 5000, deadlineMs }
}

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const realClock: Clock = { now: () => Date.now(), sleep }

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Told before each wait: which attempt comes next, how long was spent so far, how long the wait is. */
export interface WaitInfo {
  nextAttempt: number
  elapsedMs: number
  delayMs: number
}

export interface Attempts<T> {
  /** What `attempt` returned last time it gave a value; undefined when it never did. */
  value?: T
  /** How many attempts ran. */
  attempts: number
  elapsedMs: number
}

/**
 * Calls `attempt` until it returns something other than `undefined`, waiting between calls with exponential
 * back-off; stops after `policy.attempts` calls or once the deadline would pass (the last wait is cut to the
 * time left, so one more attempt runs at the deadline). Never throws by itself: errors of `attempt` propagate.
 */
export async function retry<T>(
  attempt: (n: number) => Promise<T | undefined>,
  policy: RetryPolicy,
  onWait: (info: WaitInfo) => void = () => {},
  clock: Clock = realClock
): Promise<Attempts<T>> {
  const started = clock.now()
  for (let n = 1; ; n++) {
    const value = await attempt(n)
    const elapsedMs = clock.now() - started
    if (value !== undefined) return { value, attempts: n, elapsedMs }
    const left = policy.deadlineMs - elapsedMs
    if (n >= policy.attempts || left <= 0) return { attempts: n, elapsedMs }
    const delayMs = Math.min(policy.baseDelayMs * 2 ** (n - 1), policy.maxDelayMs, left)
    onWait({ nextAttempt: n + 1, elapsedMs, delayMs })
    await clock.sleep(delayMs)
  }
}
