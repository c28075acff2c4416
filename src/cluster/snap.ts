/**
 * Everything the action knows about the `snap` command: its arguments, output formats and errors
 * (docs/microk8s-behaviour.md §2). No other module parses snap output.
 */
import type { Cmd, CmdResult } from '../base/cmd.js'
import { displayCommand } from '../base/cmd.js'
import { CommandError } from '../base/errors.js'
import { type Clock, realClock, retry, DEFAULT_RETRY, type RetryPolicy } from '../base/retry.js'
import { type Channel, type Confinement, formatChannel, parseTracking } from './channel.js'

export interface InstalledSnap {
  version: string
  revision: number
  /** Tracking column as printed (`1.28/stable`), and parsed where the action understands it. */
  tracking: string
  channel?: Channel
  confinement: Confinement
  held: boolean
  devmode?: boolean
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
      held: noteList.includes('held'),
      // Devmode: confinement is not enforced (files outside /home are readable).
      ...(noteList.includes('devmode') ? { devmode: true } : {})
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

export { DEFAULT_RETRY, type RetryPolicy } from '../base/retry.js'

/** One row of `snap changes microk8s` (columns ID Status Spawn Ready Summary; facts §2.6). */
export interface SnapChange {
  id: string
  status: string
  summary: string
}

/** Statuses of a change that has not finished (snapd's Status.Ready() is false for these). */
const UNFINISHED = new Set(['Do', 'Doing', 'Undo', 'Undoing', 'Abort', 'Wait', 'Default'])

/**
 * `snap changes microk8s`: a tabwriter table whose Spawn and Ready cells may hold spaces (`today at 10:01 UTC`),
 * so the Summary is cut at the column where its header starts. `no changes found` (stderr) gives none.
 */
export function parseSnapChanges(stdout: string): SnapChange[] {
  const lines = stdout.split('\n')
  const header = lines.findIndex((l) => /^ID\s+Status\s+Spawn\s+Ready\s+Summary/.test(l))
  if (header === -1) return []
  const summaryAt = lines[header].indexOf('Summary')
  const changes: SnapChange[] = []
  for (const line of lines.slice(header + 1)) {
    const m = /^(\d+)\s+(\S+)/.exec(line)
    if (m) changes.push({ id: m[1], status: m[2], summary: line.slice(summaryAt).trim() })
  }
  return changes
}

export function isUnfinished(change: SnapChange): boolean {
  return UNFINISHED.has(change.status)
}

/** The kind snapd names in a conflict (`has "auto-refresh" change in progress`), if it names one. */
export function conflictKind(stderr: string): string | undefined {
  return /has "([^"]+)" change in progress/.exec(stderr)?.[1]
}

export class Snap {
  constructor(
    private readonly cmd: Cmd,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly log: (msg: string) => void = () => {},
    /** `devmode`: strict tracks are installed with `--devmode` (the strict-devmode input). */
    private readonly options: { devmode?: boolean } = {},
    private readonly clock: Clock = realClock
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

  /** Changes of microk8s that snapd has not finished (`snap changes microk8s`). */
  async unfinishedChanges(): Promise<SnapChange[]> {
    const r = await this.cmd.run('snap', ['changes', 'microk8s'])
    if (r.code !== 0 && !/no changes found/.test(r.stderr)) {
      throw new CommandError('snap changes microk8s', r.code, r.stdout, r.stderr)
    }
    return parseSnapChanges(r.stdout).filter(isUnfinished)
  }

  /**
   * Runs a snap command. A snapd change in progress (exit 10: an auto-refresh or seeding, which commonly lasts
   * minutes) is waited for by polling `snap changes microk8s` until it finishes, with a progress line, within
   * the policy's deadline (wait-timeout); transient download failures are retried with back-off. Unknown
   * channels, permission errors and everything else fail at once.
   */
  private async runRetrying(args: string[]): Promise<CmdResult> {
    const command = displayCommand('snap', args)
    const deadline = this.clock.now() + this.retry.deadlineMs
    let last: CmdResult | undefined
    const outcome = await retry(
      async () => {
        const r = await this.cmd.run('snap', args)
        last = r
        if (r.code === 0) return r
        if (isChangeConflict(r)) {
          await this.waitForChanges(command, r, deadline)
          return undefined
        }
        if (isTransientDownloadFailure(r)) return undefined
        throw new CommandError(command, r.code, r.stdout, r.stderr, failureSummary(command, r, ''))
      },
      this.retry,
      ({ nextAttempt, delayMs }) =>
        this.log(
          `${command}: ${firstLine(last!.stderr)}; retrying in ${delayMs / 1000}s (attempt ${nextAttempt} of ${this.retry.attempts})`
        ),
      this.clock
    )
    if (outcome.value) return outcome.value
    const r = last!
    throw new CommandError(
      command,
      r.code,
      r.stdout,
      r.stderr,
      failureSummary(command, r, ` (gave up after ${outcome.attempts} attempts)`)
    )
  }

  /** Polls until microk8s has no unfinished snapd change, or fails naming the change once `deadline` passes. */
  private async waitForChanges(command: string, conflict: CmdResult, deadline: number): Promise<void> {
    let busy: SnapChange[] = []
    const started = this.clock.now()
    const waited = await retry(
      async () => {
        busy = await this.unfinishedChanges()
        return busy.length === 0 ? true : undefined
      },
      { attempts: Infinity, baseDelayMs: 1000, maxDelayMs: 10_000, deadlineMs: deadline - started },
      ({ elapsedMs }) =>
        this.log(
          `waiting for snapd to finish ${describeChanges(busy)} before '${command}': ` +
            `${Math.round(elapsedMs / 1000)} s so far, at most ${Math.round((deadline - started) / 1000)} s more (wait-timeout)`
        ),
      this.clock
    )
    if (waited.value) return
    const what = busy.length ? describeChanges(busy) : `the "${conflictKind(conflict.stderr) ?? 'unknown'}" change`
    throw new CommandError(
      command,
      conflict.code,
      conflict.stdout,
      conflict.stderr,
      `snapd ${what} was still in progress when wait-timeout ran out (waited ${Math.round(waited.elapsedMs / 1000)} s); ` +
        `'${command}' did not run. Follow it with ${busy[0] ? `'snap watch ${busy[0].id}'` : "'snap changes microk8s'"}, or raise wait-timeout`
    )
  }
}

function describeChanges(changes: SnapChange[]): string {
  return changes.map((c) => `change ${c.id} (${c.summary || 'no summary'}, ${c.status})`).join(', ')
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
