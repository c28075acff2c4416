/**
 * The one place the action's tools are built (docker/actions-toolkit builds every tool once in toolkit.ts): the
 * command runner, snap and microk8s clients, for the main step and the post step alike, with one time bound.
 */
import * as core from '@actions/core'
import * as io from '@actions/io'
import { ExecCmd, type Cmd } from '../base/cmd.js'
import { StepError } from '../base/errors.js'
import { Snap, DEFAULT_RETRY, type RetryPolicy } from '../cluster/snap.js'
import { MicroK8s } from '../cluster/microk8s.js'
import { SystemFiles } from '../cluster/system-files.js'
import { Sampler } from '../probes/sampler.js'
import { clusterResolver } from '../probes/resolve.js'
import { API_SERVER, type ProbeInputs } from '../probes/targets.js'

export interface Tools {
  cmd: Cmd
  snap: Snap
  microk8s: MicroK8s
  /** Files outside the workspace (snap data, securityfs), read and written with the runner's privileges. */
  files: SystemFiles
  /** The disruption sampler (main step only): built here, started by the `start probes` stage. */
  sampler?: Sampler
}

/**
 * Every command's bound: wait-timeout plus a margin (as long again, at most 60 s), so the commands' own timeouts
 * (status --timeout, rollout status --timeout) fire first with their clearer messages.
 */
export function commandBound(waitTimeout: number): number {
  return waitTimeout + Math.min(waitTimeout, 60)
}

const isRoot = () => process.getuid?.() === 0

export interface ToolOptions {
  waitTimeout: number
  devmode?: boolean
  /** The snap client's retries (the post step tries fewer times than the main step). */
  retry?: RetryPolicy
  /** Whether coreutils `timeout` bounds each command (checked by the main step; the post step assumes it). */
  bounded?: boolean
}

/** Builds the tools; as a non-root user, privileged programs go through `sudo -n`. */
export function buildTools(options: ToolOptions): Tools {
  const cmd = new ExecCmd(!isRoot(), options.bounded === false ? undefined : commandBound(options.waitTimeout))
  const retry = options.retry ?? { ...DEFAULT_RETRY, deadlineMs: options.waitTimeout * 1000 }
  return {
    cmd,
    snap: new Snap(cmd, retry, (m) => core.info(m), { devmode: options.devmode ?? false }),
    microk8s: new MicroK8s(cmd, { waitTimeout: options.waitTimeout }, (m) => core.info(m)),
    files: new SystemFiles(cmd)
  }
}

/**
 * The main step's tools, after checking the runner can run them at all (Linux, root or sudo, `timeout`); the
 * sampler stamps its samples relative to `runStartMs`, the report's clock.
 */
export async function toolsForRun(
  inputs: { waitTimeout: number; devmode: boolean } & ProbeInputs,
  runStartMs: number
): Promise<Tools> {
  if (process.platform !== 'linux') {
    throw new StepError(
      'environment',
      `MicroK8s needs a Linux runner with snapd; this runner is ${process.platform}. Use runs-on: ubuntu-latest`
    )
  }
  if (!isRoot() && !(await io.which('sudo', false))) {
    throw new StepError(
      'environment',
      'the action is not running as root and sudo is not available; snap and microk8s need root. Run as root or install sudo with passwordless access'
    )
  }
  const bounded = Boolean(await io.which('timeout', false))
  if (!bounded)
    core.warning('coreutils `timeout` is not on PATH: commands run without a time bound', { title: 'timeout' })
  const tools = buildTools({ waitTimeout: inputs.waitTimeout, devmode: inputs.devmode, bounded })
  const targets = [API_SERVER, ...inputs.probes]
  return {
    ...tools,
    sampler: new Sampler(targets, inputs.probeIntervalMs, clusterResolver(tools.microk8s), runStartMs)
  }
}
