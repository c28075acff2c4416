/**
 * The one way the action runs a program. Arguments are always an array: no shell ever sees a string built
 * from input. `ExecCmd` is the real implementation (node:child_process); unit tests pass a fake `Cmd`.
 *
 * Why not @actions/exec: it always gives the child a stdin pipe and writes `input` into it after the spawn. A
 * program that exits before that write (`test -e`, `cat` of a missing file, `true`) closes the pipe first, the
 * write fails with EPIPE on a stream nobody listens to, and Node ends the whole action on the unhandled 'error'
 * event (the class of execa#74). Here the child's stdin is /dev/null unless there is input to give, and the one
 * write there is has its errors handled and reported in the result, never thrown as an event.
 */
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import * as core from '@actions/core'

export interface CmdResult {
  code: number
  stdout: string
  stderr: string
  /** Wall time in milliseconds. */
  ms: number
}

export interface CmdOptions {
  /** Written to the program's stdin, which is then closed. Without it stdin is /dev/null (reads end at once). */
  input?: string
  /** Echo the program's output into the log (default: only with ACTIONS_STEP_DEBUG). */
  echo?: boolean
  /** The output holds credentials or secret data: never echo it, not even in debug mode. */
  secret?: boolean
  /** Called with each line of output as it comes (never for secret output): a wait's last status. */
  onLine?: (line: string) => void
}

export interface Cmd {
  /** Runs `file args…` (with sudo when needed) and returns its exit code and output; never throws on exit codes. */
  run(file: string, args: string[], options?: CmdOptions): Promise<CmdResult>
  /** Every command run so far, for the report's step list. */
  readonly history: Array<{ command: string; code: number; ms: number }>
}

/** Joins a command for display only (never executed): arguments with spaces or quotes are quoted. */
export function displayCommand(file: string, args: string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')
}

/**
 * PATH with /snap/bin appended when missing: snap puts `microk8s` there, and self-hosted runner services often
 * start without it (GitHub-hosted runners and sudo's secure_path have it). Appended, so PATH keeps precedence.
 */
export function withSnapBin(pathValue: string | undefined): string {
  const parts = (pathValue ?? '').split(':').filter(Boolean)
  return parts.includes('/snap/bin') ? parts.join(':') : [...parts, '/snap/bin'].join(':')
}

/** Exit code of coreutils `timeout` when the command ran out of time. */
export const TIMED_OUT = 124
/** Exit code a shell gives a program it cannot find; also ours when the spawn itself fails. */
export const NOT_FOUND = 127

/** Splits a stream into lines for `onLine`, keeping the unfinished tail until more arrives or the stream ends. */
function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let tail = ''
  return {
    push(chunk) {
      const parts = (tail + chunk).split(/\r?\n/)
      tail = parts.pop() ?? ''
      for (const line of parts) onLine(line)
    },
    end() {
      if (tail) onLine(tail)
      tail = ''
    }
  }
}

interface Spawned {
  code: number
  stdout: string
  stderr: string
  /** Why the program could not be started or fed, when it could not. */
  failure?: string
}

/** Spawns one program with stdin /dev/null (or fed `input`), collects its output; resolves, never rejects. */
function spawnCollect(program: string, argv: string[], options: CmdOptions, echo: boolean): Promise<Spawned> {
  return new Promise((resolve) => {
    const out: Buffer[] = []
    const err: Buffer[] = []
    let failure: string | undefined
    let settled = false
    const finish = (code: number) => {
      if (settled) return
      settled = true
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ...(failure ? { failure } : {})
      })
    }
    let child
    try {
      child = spawn(program, argv, {
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        env: { ...process.env, PATH: withSnapBin(process.env.PATH), LC_ALL: 'C.UTF-8' }
      })
    } catch (error) {
      failure = (error as Error).message
      finish(NOT_FOUND)
      return
    }
    const lines = options.onLine && !options.secret ? lineSplitter(options.onLine) : undefined
    const errLines = options.onLine && !options.secret ? lineSplitter(options.onLine) : undefined
    child.stdout?.on('data', (d: Buffer) => {
      out.push(d)
      if (echo) process.stdout.write(d)
      lines?.push(d.toString('utf8'))
    })
    child.stderr?.on('data', (d: Buffer) => {
      err.push(d)
      if (echo) process.stderr.write(d)
      errLines?.push(d.toString('utf8'))
    })
    // Spawn failures (ENOENT, EACCES) arrive here; 'close' may not follow.
    child.on('error', (error: Error) => {
      failure = error.message
      finish(NOT_FOUND)
    })
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      lines?.end()
      errLines?.end()
      // A signal death is reported as a shell does: 128 + the signal's number.
      finish(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1))
    })
    if (child.stdin) {
      // The program may exit before reading (or without ever reading): EPIPE/ECONNRESET here is an answer to
      // report, not a crash.
      child.stdin.on('error', (error: NodeJS.ErrnoException) => {
        if (!failure && error.code !== 'EPIPE') failure = `writing stdin: ${error.message}`
      })
      child.stdin.end(options.input)
    }
  })
}

export class ExecCmd implements Cmd {
  readonly history: Array<{ command: string; code: number; ms: number }> = []

  /**
   * @param useSudo prefix privileged programs with `sudo -n` (GitHub-hosted runners run as `runner`;
   *   as root the programs are called directly).
   * @param boundSeconds when set, every command runs under coreutils `timeout` and is killed after this many
   *   seconds: a stuck snapd change or API server cannot hang the job. Kept by hand rather than a timer or a
   *   library: `timeout` runs inside sudo, as root, leads a process group of its own and signals the whole group
   *   (the microk8s wrapper's children too), escalating to KILL after --kill-after; a timer in this unprivileged
   *   process could signal only sudo, never the root-owned grandchildren that would keep running and holding
   *   snapd's lock.
   */
  constructor(
    private readonly useSudo: boolean,
    private readonly boundSeconds?: number
  ) {}

  /** The command running now: commands run one at a time (below). */
  private turn: Promise<unknown> = Promise.resolve()

  /**
   * Runs one command, after the one running now has finished: the stages never run two at once, and the
   * disruption sampler's occasional reads (a Service's cluster IP) wait their turn rather than interleave with
   * a refresh.
   */
  run(file: string, args: string[], options: CmdOptions = {}): Promise<CmdResult> {
    const result = this.turn.then(() => this.runNow(file, args, options))
    this.turn = result.catch(() => undefined)
    return result
  }

  private async runNow(file: string, args: string[], options: CmdOptions): Promise<CmdResult> {
    let [program, argv] = [file, args]
    if (this.boundSeconds)
      [program, argv] = ['timeout', ['--kill-after=30', String(this.boundSeconds), program, ...argv]]
    if (this.useSudo) [program, argv] = ['sudo', ['-n', program, ...argv]]
    const command = displayCommand(file, args)
    core.debug(`run: ${command}`)
    const echo = !options.secret && (options.echo === true || core.isDebug())
    if (echo) process.stdout.write(`[command]${displayCommand(program, argv)}\n`)
    const started = Date.now()
    const result = await spawnCollect(program, argv, options, echo)
    const ms = Date.now() - started
    this.history.push({ command, code: result.code, ms })
    let stderr = result.stderr
    if (result.failure) stderr = `${stderr}${stderr ? '\n' : ''}${program}: ${result.failure}`
    if (this.boundSeconds && result.code === TIMED_OUT)
      stderr = `${stderr}\n'${command}' was stopped after ${this.boundSeconds}s (wait-timeout plus a margin)`
    return { code: result.code, stdout: result.stdout, stderr, ms }
  }
}
