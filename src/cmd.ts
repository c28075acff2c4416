/**
 * The one way the action runs a program. Arguments are always an array: no shell ever sees a string built
 * from input. `ExecCmd` is the real implementation (@actions/exec); unit tests pass a fake `Cmd`.
 */
import * as exec from '@actions/exec'
import * as core from '@actions/core'

export interface CmdResult {
  code: number
  stdout: string
  stderr: string
  /** Wall time in milliseconds. */
  ms: number
}

export interface CmdOptions {
  /** Written to the program's stdin, which is then closed. Without it stdin is closed empty. */
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

export class ExecCmd implements Cmd {
  readonly history: Array<{ command: string; code: number; ms: number }> = []

  /**
   * @param useSudo prefix privileged programs with `sudo -n` (GitHub-hosted runners run as `runner`;
   *   as root the programs are called directly).
   * @param boundSeconds when set, every command runs under coreutils `timeout` and is killed after this many
   *   seconds (`@actions/exec` has no timeout of its own): a stuck snapd change or API server cannot hang the job.
   *   Kept by hand rather than a timer or a library: `timeout` runs inside sudo, as root, leads a process group of
   *   its own and signals the whole group (the microk8s wrapper's children too), escalating to KILL after
   *   --kill-after; a timer in this unprivileged process could signal only sudo, never the root-owned
   *   grandchildren that would keep running and holding snapd's lock.
   */
  constructor(
    private readonly useSudo: boolean,
    private readonly boundSeconds?: number
  ) {}

  async run(file: string, args: string[], options: CmdOptions = {}): Promise<CmdResult> {
    let [program, argv] = [file, args]
    if (this.boundSeconds)
      [program, argv] = ['timeout', ['--kill-after=30', String(this.boundSeconds), program, ...argv]]
    if (this.useSudo) [program, argv] = ['sudo', ['-n', program, ...argv]]
    const command = displayCommand(file, args)
    core.debug(`run: ${command}`)
    const started = Date.now()
    let result: exec.ExecOutput
    try {
      result = await exec.getExecOutput(program, argv, {
        ignoreReturnCode: true,
        silent: options.secret || !(options.echo || core.isDebug()),
        // @actions/exec leaves stdin open unless `input` is given, and interactive addon scripts (disable
        // hostpath-storage, enable metallb without a range) would then wait forever. Always close it.
        input: Buffer.from(options.input ?? ''),
        ...(options.onLine && !options.secret
          ? { listeners: { stdline: options.onLine, errline: options.onLine } }
          : {}),
        env: { ...process.env, PATH: withSnapBin(process.env.PATH), LC_ALL: 'C.UTF-8' } as Record<string, string>
      })
    } catch (error) {
      // @actions/exec throws when the program cannot be found at all.
      const ms = Date.now() - started
      this.history.push({ command, code: 127, ms })
      return { code: 127, stdout: '', stderr: `${program}: ${(error as Error).message}`, ms }
    }
    const ms = Date.now() - started
    this.history.push({ command, code: result.exitCode, ms })
    const stderr =
      this.boundSeconds && result.exitCode === TIMED_OUT
        ? `${result.stderr}\n'${command}' was stopped after ${this.boundSeconds}s (wait-timeout plus a margin)`
        : result.stderr
    return { code: result.exitCode, stdout: result.stdout, stderr, ms }
  }
}
