/** An input the user gave is not acceptable. Raised before anything touches the cluster. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string
  ) {
    super(`Input '${input}': ${message}`)
    this.name = 'InputError'
  }
}

/** The upgrade cannot be planned from what is installed and what was asked (downgrade, missing hop…). */
export class PlanError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PlanError'
  }
}

/** A command ran and failed; keeps what it printed so the report can show the last lines. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly stdout: string,
    readonly stderr: string,
    summary?: string
  ) {
    super(summary ?? `'${command}' exited with code ${exitCode}${lastLines(stderr || stdout)}`)
    this.name = 'CommandError'
  }
}

/** The tail of what a failed command printed (stderr, else stdout), for the report. */
export function commandOutput(error: unknown, count = 15): string | undefined {
  if (!(error instanceof CommandError)) return undefined
  return (error.stderr || error.stdout).trim().split('\n').slice(-count).join('\n')
}

/** The last few non-empty lines of a command's output, for error messages. */
export function lastLines(text: string, count = 5): string {
  const lines = text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0)
  if (lines.length === 0) return ''
  return `: ${lines.slice(-count).join(' / ')}`
}

/**
 * Parses a command's JSON output; when it is not JSON the error names the command and shows the start of what it
 * printed, unless the output is secret (Helm release records, kubeconfigs): then only its length.
 */
export function parseJsonOutput<T = any>(command: string, stdout: string, secret = false): T {
  try {
    return JSON.parse(stdout) as T
  } catch (error) {
    const shown = secret
      ? `${stdout.length} characters, not shown: the command's output is secret`
      : JSON.stringify(stdout.trim().slice(0, 200))
    throw new Error(`'${command}' did not print JSON (${(error as Error).message}); it printed ${shown}`)
  }
}

/** Which step failed and what it printed; main turns it into the report's failure. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly output?: string
  ) {
    super(message)
    this.name = 'StepError'
  }
}
