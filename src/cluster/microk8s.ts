/**
 * Everything the action knows about the `microk8s` command and the `microk8s kubectl` reads it makes
 * (docs/microk8s-behaviour.md §1, §2.1, §3.2, §7). No other module parses MicroK8s output (the text of `get --raw
 * /metrics` is the API server's, parsed in preflight/requested-apis.ts).
 */
import * as core from '@actions/core'
import { parse as parseYaml } from 'yaml'
import type { Cmd, CmdResult } from '../base/cmd.js'
import { displayCommand } from '../base/cmd.js'
import { CommandError, parseJsonOutput } from '../base/errors.js'
import { isChangeConflict } from './snap.js'
import { retry } from '../base/retry.js'
import { waitWithProgress, type ProgressClock } from '../base/progress.js'

export interface AddonStatus {
  name: string
  repository: string
  /** The label from the local addon repository's addons.yaml: a hint, not what runs (microk8s-behaviour.md §1). */
  label?: string
  enabled: boolean
}

export interface MicroK8sStatus {
  running: boolean
  haEnabled: boolean
  /** In the order `status` prints them: enabled first, then disabled, each sorted by (repo, name). */
  addons: AddonStatus[]
  message?: string
}

/**
 * `microk8s status --format yaml`. Python booleans (`True`) parse as YAML booleans; `version` must be read as a
 * string (`3.9` would become a float); a stopped cluster prints plain text and exits 0; not ready has no
 * `addons:` key and exits 1 (microk8s-behaviour.md §1.3).
 */
export function parseStatusYaml(stdout: string): MicroK8sStatus {
  const text = stdout.trim()
  if (/^microk8s is not running/m.test(text) && !/^microk8s:/m.test(text)) {
    return { running: false, haEnabled: false, addons: [], message: text.split('\n')[0] }
  }
  // Keep scalars as strings so versions like 3.9 or 1.10 are not turned into numbers.
  let doc: Record<string, any> | null
  try {
    doc = parseYaml(text, { schema: 'failsafe' }) as Record<string, any> | null
  } catch (error) {
    throw new Error(
      `'microk8s status --format yaml' did not print YAML (${(error as Error).message.split('\n')[0]}): ${JSON.stringify(text.slice(0, 200))}`
    )
  }
  if (!doc || typeof doc !== 'object' || !doc.microk8s) {
    throw new Error(`unexpected 'microk8s status --format yaml' output: ${text.slice(0, 200)}`)
  }
  const truthy = (v: unknown) => String(v).toLowerCase() === 'true'
  const ha = doc['high-availability'] ?? {}
  const addons: AddonStatus[] = Array.isArray(doc.addons)
    ? doc.addons.map((a: Record<string, string>) => ({
        name: String(a.name),
        repository: String(a.repository ?? 'core'),
        label: a.version && String(a.version).trim() ? String(a.version).trim() : undefined,
        enabled: a.status === 'enabled'
      }))
    : []
  return {
    running: truthy(doc.microk8s.running),
    haEnabled: truthy(ha.enabled),
    addons,
    message: typeof ha.message === 'string' ? ha.message : undefined
  }
}

/** A cluster stopped with `microk8s stop` (status prints `… try microk8s start`, exit 0, microk8s-behaviour.md §1.1). */
export function isStopped(status: MicroK8sStatus): boolean {
  return !status.running && /try microk8s start/.test(status.message ?? '')
}

/** `microk8s version` prints `MicroK8s v1.30.14 revision 8159`. */
export function parseMicroK8sVersion(stdout: string): { version: string; revision: number } | undefined {
  const m = /MicroK8s (\S+) revision (\d+)/.exec(stdout)
  return m ? { version: m[1], revision: Number(m[2]) } : undefined
}

/** `microk8s inspect` ends with `Report tarball is at /var/snap/microk8s/<rev>/inspection-report-….tar.gz`. */
export function parseInspectTarball(stdout: string): string | undefined {
  return /Report tarball is at (\S+\.tar\.gz)/.exec(stdout)?.[1]
}

export interface KubeList<T = any> {
  items: T[]
}

export interface MicroK8sOptions {
  /** How long one wait may take, in seconds (the `wait-timeout` input). */
  waitTimeout: number
  /** Back-off base for service-control conflicts right after install, in ms. */
  conflictRetryMs?: number
  /** The clock of the waits' progress lines (tests pass fake timers). */
  progressClock?: ProgressClock
}

export class MicroK8s {
  constructor(
    private readonly cmd: Cmd,
    private readonly options: MicroK8sOptions,
    private readonly log: (msg: string) => void = () => {}
  ) {}

  /** How long one wait may take, in seconds (wait-timeout). */
  get waitTimeout(): number {
    return this.options.waitTimeout
  }

  /** Runs `microk8s args…`; exit 127 means the command itself is missing. */
  async run(args: string[], input?: string, secret = false, onLine?: (line: string) => void): Promise<CmdResult> {
    const r = await this.cmd.run('microk8s', args, { input, secret, ...(onLine ? { onLine } : {}) })
    if (r.code === 127) {
      throw new CommandError(
        displayCommand('microk8s', args),
        r.code,
        r.stdout,
        r.stderr,
        `the 'microk8s' command was not found after the snap was installed (${r.stderr.trim() || 'exit 127'}); ` +
          'check that /snap/bin is on PATH and that the snap installed correctly'
      )
    }
    return r
  }

  private async runOk(args: string[], input?: string, secret = false): Promise<CmdResult> {
    const r = await this.run(args, input, secret)
    // A secret command's stdout is left out of the error (and so of the log, summary and report).
    if (r.code !== 0) throw new CommandError(displayCommand('microk8s', args), r.code, secret ? '' : r.stdout, r.stderr)
    return r
  }

  /** Reads status without waiting; a not-ready cluster gives `running: false`. */
  async status(): Promise<MicroK8sStatus> {
    const r = await this.run(['status', '--format', 'yaml'])
    return parseStatusYaml(r.stdout)
  }

  /**
   * Blocks until the cluster is ready or `wait-timeout` passes (`--wait-ready --timeout N`); returns the status
   * read at that moment, so readiness and the addon list cost one call.
   */
  async waitReady(): Promise<MicroK8sStatus> {
    return waitWithProgress(
      'MicroK8s to be ready',
      this.options.waitTimeout,
      () => this.waitReadyOnce(),
      this.log,
      this.options.progressClock
    )
  }

  private async waitReadyOnce(): Promise<MicroK8sStatus> {
    const args = ['status', '--wait-ready', '--timeout', String(this.options.waitTimeout), '--format', 'yaml']
    let r = await this.run(args)
    let status = parseStatusYaml(r.stdout)
    if (isStopped(status)) {
      // `microk8s stop` was run: status answers at once (exit 0) instead of waiting. Start it, then wait.
      this.log('MicroK8s is stopped; starting it')
      const started = await this.run(['start'])
      if (started.code !== 0) throw new CommandError('microk8s start', started.code, started.stdout, started.stderr)
      r = await this.run(args)
      status = parseStatusYaml(r.stdout)
    }
    if (r.code !== 0 || !status.running) {
      throw new CommandError(
        displayCommand('microk8s', args),
        r.code,
        r.stdout,
        r.stderr,
        `MicroK8s did not become ready within wait-timeout (${this.options.waitTimeout}s)` +
          (status.message ? `: ${status.message}` : '')
      )
    }
    return status
  }

  async version(): Promise<{ version: string; revision: number } | undefined> {
    const r = await this.run(['version'])
    return r.code === 0 ? parseMicroK8sVersion(r.stdout) : undefined
  }

  /** `microk8s kubectl …args -o json`, parsed. `secret`: the objects hold secret data (never echoed). */
  async kubectlJson<T = any>(args: string[], secret = false): Promise<T> {
    const command = ['kubectl', ...args, '-o', 'json']
    const r = await this.runOk(command, undefined, secret)
    return parseJsonOutput<T>(displayCommand('microk8s', command), r.stdout, secret)
  }

  /**
   * `kubectl get --raw PATH`: the API server's answer as it is (`/metrics`: the Prometheus text,
   * docs/kubernetes-upgrades.md §4). Resolves to the result, never throws on exit.
   */
  async getRaw(path: string): Promise<CmdResult> {
    return this.run(['kubectl', 'get', '--raw', path])
  }

  /** The API server's own version (`kubectl version -o json` → serverVersion.gitVersion). */
  async serverVersion(): Promise<string> {
    const v = await this.kubectlJson<{ serverVersion?: { gitVersion?: string } }>(['version'])
    const text = v.serverVersion?.gitVersion
    if (!text) throw new Error("'microk8s kubectl version' did not report a server version")
    return text
  }

  /**
   * `microk8s enable …words` (the addon and its arguments as the release's script reads them, microk8s-behaviour.md §3.2).
   * Retries while snapd holds a `service-control` change (seen right after install, microk8s-behaviour.md §5.4). Never throws
   * on the exit code: the caller decides.
   */
  async enable(words: string[]): Promise<CmdResult> {
    return this.retryingConflicts(['enable', ...words])
  }

  /**
   * `microk8s disable name`. stdin is always closed and, where an addon prompts (hostpath-storage asks whether
   * to delete every volume), answered with `input` — never yes.
   */
  async disable(name: string, input?: string): Promise<CmdResult> {
    return this.retryingConflicts(['disable', name], input)
  }

  private async retryingConflicts(args: string[], input?: string): Promise<CmdResult> {
    const base = this.options.conflictRetryMs ?? 1000
    let last: CmdResult | undefined
    const outcome = await retry(
      async () => {
        last = await this.run(args, input)
        return last.code === 0 || !isChangeConflict(last) ? last : undefined
      },
      { attempts: 5, baseDelayMs: base, maxDelayMs: base * 8, deadlineMs: this.options.waitTimeout * 1000 },
      ({ nextAttempt }) =>
        this.log(
          `${displayCommand('microk8s', args)}: snapd change in progress; retrying (attempt ${nextAttempt} of 5)`
        )
    )
    return outcome.value ?? last!
  }

  /** Updates the local addon repository to the installed snap's addons (needs root). */
  async updateAddonRepo(repo: string): Promise<CmdResult> {
    return this.runOk(['addons', 'repo', 'update', repo])
  }

  /** The admin kubeconfig (`microk8s config`): credentials, so never echoed and its keys masked in the log. */
  async config(): Promise<string> {
    const text = (await this.runOk(['config'], undefined, true)).stdout
    for (const m of text.matchAll(/^\s*(?:client-key-data|client-certificate-data|token|password):\s*(\S+)\s*$/gm))
      core.setSecret(m[1])
    return text
  }

  /**
   * `kubectl wait TARGET --for=CONDITION --timeout=<wait-timeout>s` (e.g. `node/x`,
   * `jsonpath={.status.nodeInfo.kubeletVersion}=v1.30.14`): the waiting happens in kubectl, watching the object,
   * not in polls from here. Resolves to the result, never throws on exit.
   */
  async waitFor(target: string, condition: string): Promise<CmdResult> {
    return this.run(['kubectl', 'wait', target, `--for=${condition}`, `--timeout=${this.options.waitTimeout}s`])
  }

  /**
   * `kubectl rollout status kind/name -n ns --timeout=Ns`, with progress lines (the last line kubectl printed is
   * the last status); resolves to the result, never throws on exit.
   */
  async rolloutStatus(kind: string, namespace: string, name: string): Promise<CmdResult> {
    const args = [
      'kubectl',
      'rollout',
      'status',
      `${kind}/${name}`,
      '-n',
      namespace,
      `--timeout=${this.options.waitTimeout}s`
    ]
    return waitWithProgress(
      `${kind} ${namespace}/${name} to roll out`,
      this.options.waitTimeout,
      (wait) => this.run(args, undefined, false, (line) => wait.status(line)),
      this.log,
      this.options.progressClock
    )
  }

  /**
   * `kubectl logs POD -n NS -c CONTAINER --previous --tail=N`: the last lines of a crashed container's previous
   * run; resolves to the result, never throws on exit.
   */
  async previousLog(namespace: string, pod: string, container: string, tail: number): Promise<CmdResult> {
    return this.run(['kubectl', 'logs', pod, '-n', namespace, '-c', container, '--previous', `--tail=${tail}`])
  }

  /** `kubectl apply -f -` with a JSON document on stdin (no file, no shell). */
  async apply(object: unknown): Promise<CmdResult> {
    return this.runOk(['kubectl', 'apply', '-f', '-'], JSON.stringify(object))
  }

  async rolloutRestart(kind: string, namespace: string, name: string): Promise<CmdResult> {
    return this.runOk(['kubectl', 'rollout', 'restart', `${kind}/${name}`, '-n', namespace])
  }

  /** `microk8s inspect`; returns the tarball path it reports, if any. */
  async inspect(): Promise<string | undefined> {
    const r = await this.run(['inspect'])
    return parseInspectTarball(r.stdout)
  }
}
