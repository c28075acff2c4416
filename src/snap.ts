/**
 * Everything the action knows about the `snap` command: its arguments, output formats and errors
 * (docs/microk8s-behaviour.md §2). No other module parses snap output.
 */
import type { Cmd, CmdResult } from './cmd.js'
import { displayCommand } from './cmd.js'
import { CommandError } from './errors.js'
import { type Channel, type Confinement, formatChannel, parseTracking } from './channel.js'

export interface InstalledSnap {
  version: string
  revision: number
  /** Tracking column as printed (`1.28/stable`), and parsed where the action understands it. */
  tracking: string
  channel?: Channel
  confinement: Confinement
  held: boolean
}

export interface StoreChannel {
  channel: string
  /** Undefined when the channel is closed (`^`, `--`): nothing can be installed from it. */
  version?: string
  revision?: number
  confinement?: Confinement
}

/** `snap list microk8s` (columns Name Version Rev Tracking Publisher Notes); undefined when not installed. */
export function parseSnapList(stdout: string): InstalledSnap | undefined {
  for (const line of stdout.split('\n')) {
    const cols = line.trim().split(/\s+/)
    if (cols[0] !== 'microk8s' || cols.length < 5) continue
    const [, version, rev, tracking, , notes = '-'] = cols
    const noteList = notes.split(',')
    return {
      version,
      revision: Number(rev),
      tracking,
      channel: parseTracking(tracking),
      // Classic installs say `classic` in Notes; strict ones say `-` (or other notes without `classic`).
      confinement: noteList.includes('classic') ? 'classic' : 'strict',
      held: noteList.includes('held')
    }
  }
  return undefined
}

/**
 * The `channels:` block of `snap info microk8s`. Rows look like
 * `  1.30/stable:   v1.30.14  2025-09-01 (8248) 169MB classic`; closed rows carry `^`, `--`, `↑` or `–`.
 */
export function parseSnapInfoChannels(stdout: string): Map<string, StoreChannel> {
  const channels = new Map<string, StoreChannel>()
  let inChannels = false
  for (const line of stdout.split('\n')) {
    if (/^channels:\s*$/.test(line)) {
      inChannels = true
      continue
    }
    if (!inChannels) continue
    if (!/^\s/.test(line)) break // next top-level key (`installed:`)
    const m = /^\s+([^\s:]+\/[^\s:]+):\s*(.*)$/.exec(line)
    if (!m) continue
    const [, channel, rest] = m
    const fields = rest.trim().split(/\s+/).filter(Boolean)
    if (fields.length === 0 || ['^', '--', '↑', '–'].includes(fields[0])) {
      channels.set(channel, { channel })
      continue
    }
    const rev = /\((\d+)\)/.exec(rest)
    const last = fields[fields.length - 1]
    channels.set(channel, {
      channel,
      version: fields[0],
      revision: rev ? Number(rev[1]) : undefined,
      confinement: last === 'classic' ? 'classic' : 'strict'
    })
  }
  return channels
}

/** snapd marks change conflicts retryable with exit code 10 (microk8s-behaviour.md §2.5). */
export function isChangeConflict(r: Pick<CmdResult, 'code' | 'stderr'>): boolean {
  return r.code === 10 || /has (?:"[^"]+" change|changes) in progress/.test(r.stderr)
}

/** Transient store or network trouble while downloading; worth another try. */
export function isTransientDownloadFailure(r: Pick<CmdResult, 'code' | 'stderr'>): boolean {
  if (r.code === 0) return false
  return /unexpected http response|connection reset|i\/o timeout|TLS handshake timeout|temporary failure in name resolution|unexpected EOF|download snap .* failed/i.test(
    r.stderr.replace(/\s+/g, ' ')
  )
}

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

export class Snap {
  constructor(
    private readonly cmd: Cmd,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly log: (msg: string) => void = () => {},
    /** `devmode`: strict tracks are installed with `--devmode` (the strict-devmode input). */
    private readonly options: { devmode?: boolean } = {}
  ) {}

  async installed(): Promise<InstalledSnap | undefined> {
    const r = await this.cmd.run('snap', ['list', 'microk8s'])
    if (r.code !== 0) {
      if (/no matching snaps installed/.test(r.stderr)) return undefined
      throw new CommandError('snap list microk8s', r.code, r.stdout, r.stderr)
    }
    return parseSnapList(r.stdout)
  }

  async storeChannels(): Promise<Map<string, StoreChannel>> {
    const r = await this.runRetrying(['info', 'microk8s'])
    return parseSnapInfoChannels(r.stdout)
  }

  /** `snap install microk8s [--classic|--devmode] --channel=…` (strict tracks: `--devmode` only when asked). */
  async install(channel: Channel): Promise<CmdResult> {
    const flag = channel.confinement === 'classic' ? ['--classic'] : this.options.devmode ? ['--devmode'] : []
    const args = ['install', 'microk8s', ...flag]
    return this.runRetrying([...args, `--channel=${formatChannel(channel)}`])
  }

  /** `snap refresh microk8s --channel=…`; `has no updates available` is a success (exit 0). */
  async refresh(channel: Channel): Promise<CmdResult> {
    const classic = channel.confinement === 'classic' ? ['--classic'] : []
    return this.runRetrying(['refresh', 'microk8s', `--channel=${formatChannel(channel)}`, ...classic])
  }

  /** Holds auto-refresh (snapd ≥ 2.58). With `--hold` snapd ignores `--channel`, so this is its own call. */
  async hold(): Promise<CmdResult> {
    return this.runRetrying(['refresh', '--hold', 'microk8s'])
  }

  async unhold(): Promise<CmdResult> {
    return this.runRetrying(['refresh', '--unhold', 'microk8s'])
  }

  /**
   * Runs a snap command; waits and retries while another change is in progress (auto-refresh, seeding)
   * and on transient download failures, with exponential back-off, within the policy's bounds. Unknown
   * channels, permission errors and everything else fail at once.
   */
  private async runRetrying(args: string[]): Promise<CmdResult> {
    const started = Date.now()
    const command = displayCommand('snap', args)
    for (let attempt = 1; ; attempt++) {
      const r = await this.cmd.run('snap', args)
      if (r.code === 0) return r
      const retryable = isChangeConflict(r) || isTransientDownloadFailure(r)
      const delay = Math.min(this.retry.baseDelayMs * 2 ** (attempt - 1), this.retry.maxDelayMs)
      const outOfTime = Date.now() - started + delay > this.retry.deadlineMs
      if (!retryable || attempt >= this.retry.attempts || outOfTime) {
        const why = retryable ? ` (gave up after ${attempt} attempts)` : ''
        throw new CommandError(command, r.code, r.stdout, r.stderr, failureSummary(command, r, why))
      }
      this.log(
        `${command}: ${firstLine(r.stderr)}; retrying in ${delay / 1000}s (attempt ${attempt + 1} of ${this.retry.attempts})`
      )
      await sleep(delay)
    }
  }
}

function failureSummary(command: string, r: CmdResult, why: string): string {
  const text = r.stderr.replace(/\s+/g, ' ').trim() || r.stdout.trim()
  return `'${command}' failed with exit code ${r.code}${why}: ${text.slice(0, 600)}`
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? ''
  )
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
